"""Where wall time enters omniloom: the system clock and the shared simulated clock.

The domain's SimulatedClock derives `now` from a state and a wall source. Here that state lives
in the database, so every server process (``serve --workers N``) tells the same time, and a
restarted one continues from where the clock was instead of rewinding to its start.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import Connection

from omniloom.domain.clock import ClockState, SimulatedClock, WallSource
from omniloom.store import clock_queries


def wall_seconds() -> float:
    """Seconds since the epoch: one wall that every process on the machine (and, with NTP, every
    machine) agrees on, unlike a process's monotonic clock."""
    return time.time()


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SharedClock(SimulatedClock):
    """The simulated clock kept in the database.

    `shared` (several processes on PostgreSQL): the state is read back at the start of every unit
    of work and every clock read, so an advance made by one process is seen by the next request
    on any other. One process alone (SQLite) is the only writer and trusts its copy.
    """

    def __init__(self, start: datetime, *, wall: WallSource, shared: bool) -> None:
        super().__init__(start, wall=wall)
        self.shared = shared

    def load(self, conn: Connection, *, for_update: bool = False) -> None:
        stored = clock_queries.load(conn, for_update=for_update)
        if stored is not None:
            self.state = stored

    def sync(self, conn: Connection) -> None:
        if self.shared:
            self.load(conn)

    def save(self, conn: Connection) -> None:
        clock_queries.save(conn, self.state)

    def adopt(self, state: ClockState) -> None:
        self.state = state
