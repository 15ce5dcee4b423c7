"""The shared clock keeps the newest state it has seen: a stored state read a moment before a
move (the due-work sweep reading the row while a request moved the clock) does not take the
clock back."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from omniloom.services.kernel.clocks import SharedClock
from omniloom.store import changes, clock_queries
from omniloom.store.database import open_database
from tests.support.clock import FakeWall

START = datetime.fromisoformat("2026-11-02T09:00:00+00:00")


def test_a_state_read_before_a_move_does_not_take_the_clock_back(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'store.db'}")
    db.create_schema()
    clock = SharedClock(START, wall=FakeWall(), shared=True)
    db.run_blocking(clock.save)
    read_by_the_sweep = db.run_blocking(clock_queries.load)
    assert read_by_the_sweep is not None

    clock.advance(timedelta(hours=2))  # a request moves the clock meanwhile
    db.run_blocking(clock.save)
    clock.adopt(read_by_the_sweep)  # the sweep's read arrives late
    assert clock.now() == START + timedelta(hours=2)

    db.run_blocking(clock.load)  # a read of the row as it is now changes nothing either
    assert clock.now() == START + timedelta(hours=2)


def test_a_process_adopts_the_newer_state_another_stored(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'store.db'}")
    db.create_schema()
    wall = FakeWall()
    mover, other = (SharedClock(START, wall=wall, shared=True) for _ in range(2))
    db.run_blocking(mover.save)
    db.run_blocking(other.load)

    mover.advance(timedelta(days=1))
    key = db.run_blocking(mover.save)
    other.heard({(clock_queries.CLOCK, key)})  # its notice, as the change feed hands it on
    assert other.now() == START + timedelta(days=1)

    other.heard({(changes.EVERYTHING, "")})  # notices may have been lost: read the row again
    assert other.stale
    db.run_blocking(other.sync)
    assert (other.stale, other.now()) == (False, START + timedelta(days=1))
