"""Where wall time enters omniloom: the system clock and the shared simulated clock.

The domain's SimulatedClock derives `now` from a state and a wall source. Here that state lives
in the database, so every server process (``serve --workers N``) tells the same time, and a
restarted one continues from where the clock was instead of rewinding to its start.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Connection

from omniloom.domain.clock import ClockState, SimulatedClock, WallSource
from omniloom.store import changes, clock_queries


def wall_seconds() -> float:
    """Seconds since the epoch: one wall that every process on the machine (and, with NTP, every
    machine) agrees on, unlike a process's monotonic clock."""
    return time.time()


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SharedClock(SimulatedClock):
    """The simulated clock kept in the database.

    Every stored state carries a revision, and a process keeps a state it reads or hears of only
    if it is newer than the one it holds: a read that raced a move (the due-work sweep reading
    the row while a request moved the clock) can no longer take the clock back.

    `shared` (several processes on PostgreSQL): a unit that moves the clock NOTIFYs the new state
    in its own transaction, and every process adopts it when the notice arrives (``heard``), so
    a unit of work reads no clock row. What makes that safe (store/pg_changes.py, Runtime.write):
    the request that moved the clock answers only once every process listening on the store has
    adopted the new state, and a process that may have missed notices (its listening connection
    was lost, or the store was reset) reads the row once again before its next unit. One process
    alone (SQLite) is the only writer and trusts its copy.
    """

    def __init__(
        self, start: datetime, *, wall: WallSource, shared: bool, revision: int = -1
    ) -> None:
        super().__init__(start, wall=wall)
        # Older than any stored state (the first is 0), unless started again over a store (a
        # reset): then it counts on from the revision it replaces.
        self.state = replace(self.state, revision=revision)
        self.shared = shared
        # Notices may have been missed: read the row before the next unit trusts this copy.
        self.stale = False

    def adopt(self, state: ClockState) -> bool:
        """Keep ``state`` if it is newer than the one held; True if it was."""
        if not state.newer_than(self.state):
            return False
        self.state = state
        return True

    def load(self, conn: Connection, *, for_update: bool = False) -> None:
        """Read the stored state; under the row's lock (``for_update``) it is the truth and is
        kept whatever this process held, otherwise only if it is newer."""
        stored = clock_queries.load(conn, for_update=for_update)
        if stored is None:
            return
        if for_update:
            self.state = stored
        else:
            self.adopt(stored)
        self.stale = False

    def sync(self, conn: Connection) -> None:
        """Before a unit of work: read the row only if notices may have been missed."""
        if self.shared and self.stale:
            self.load(conn)

    def save(self, conn: Connection) -> str:
        """Store the state as the next revision (and tell every process: clock_queries.save)."""
        self.state = self.state.next_revision()
        return clock_queries.save(conn, self.state)

    def heard(self, touched: changes.Touched) -> None:
        """What committed units touched (store.changes): adopt the clock states among them; after
        ``EVERYTHING`` (a reset, or notices lost) read the row again before the next unit."""
        for kind, _ in touched:
            if kind == changes.EVERYTHING:
                self.stale = self.shared
        for state in clock_queries.heard(touched):
            self.adopt(state)
