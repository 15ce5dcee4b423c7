"""Replacing the store's whole contents under a running server: what a reset and a restore share.

One transaction empties every table of the store (the snapshots kept beside it stay), fills them
again, sets the counters the database keeps after the rows now there and stores the clock the
store goes on from; every process's caches forget what they knew (other processes' by NOTIFY on
PostgreSQL), and this process starts again on that clock and id sequence. No restart, and no
moment at which a request sees half of the old contents and half of the new.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple, TypeVar

from sqlalchemy import Connection

from omniloom.domain.clock import Clock
from omniloom.services.kernel.clocks import SharedClock
from omniloom.services.kernel.runtime import Runtime
from omniloom.store import changes, clock_queries, store_contents

T = TypeVar("T")


class Resume(NamedTuple):
    """Where the store goes on from once its contents are in."""

    at: datetime | None = None  # the simulated clock's time; None: its configured start
    factor: float = 0.0  # simulated seconds per wall second (0: frozen)
    sequence: int = 0  # the id sequence (ids go on from the next)


async def replace_contents(runtime: Runtime, fill: Callable[[Connection], tuple[T, Resume]]) -> T:
    """Empty the store, ``fill`` it (what it returns, and where to go on from), start again.
    Should ``fill`` raise, nothing has changed."""

    def replace(conn: Connection) -> tuple[T, Clock, int, str | None]:
        store_contents.clear(conn)
        result, resume = fill(conn)
        store_contents.renumber(conn)
        clock = runtime.fresh_clock(resume.at, resume.factor)
        notice = None
        if isinstance(clock, SharedClock):
            # Over the state the contents brought, which is of another moment. Its notice's key
            # is taken here, or a later unit on this connection would wait on it.
            clock.save(conn)
            notice = clock_queries.saved(conn)
        changes.touch(conn, changes.EVERYTHING, "")
        return result, clock, resume.sequence, notice

    result, clock, sequence, notice = await runtime.db.write(replace)
    await runtime.restart(clock, sequence)
    if notice is not None:
        # Answer once every process goes on from the new clock, as a clock move does.
        await runtime.db.heard_everywhere(notice)
    return result
