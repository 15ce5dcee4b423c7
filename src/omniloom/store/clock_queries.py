"""The simulated clock's state, one row that every server process reads its time from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from omniloom.domain.clock import ClockState
from omniloom.store import settings_queries
from omniloom.store.tables import settings

CLOCK_KEY = "clock"


def load(conn: Connection, *, for_update: bool = False) -> ClockState | None:
    """The stored state; `for_update` locks it until the transaction ends (PostgreSQL), so two
    processes moving the clock at once take turns instead of one losing its move."""
    query = select(settings.c.value).where(settings.c.key == CLOCK_KEY)
    if for_update:
        query = query.with_for_update()
    stored: Any = conn.execute(query).scalar()
    if stored is None:
        return None
    return ClockState(datetime.fromisoformat(stored["anchor"]), stored["wall"], stored["factor"])


def save(conn: Connection, state: ClockState) -> None:
    value = {"anchor": state.anchor.isoformat(), "wall": state.wall, "factor": state.factor}
    settings_queries.put(conn, CLOCK_KEY, value)
