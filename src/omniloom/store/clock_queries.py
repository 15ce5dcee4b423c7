"""The simulated clock's state, one row that every server process reads its time from; and the
lock that lets one process at a time work what fell due by it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection, select, text

from omniloom.domain.clock import ClockState
from omniloom.store import changes, settings_queries
from omniloom.store.tables import settings

CLOCK_KEY = "clock"
# What a unit storing the clock touched (store.changes): the key is the new state itself, so
# the notice other processes hear on PostgreSQL (store/pg_changes.py) carries it, and they
# need not read it back.
CLOCK = "clock"
# Where a unit that stored the clock leaves its notice's key for Runtime.write (conn.info).
_SAVED = "omniloom.clock_saved"
# The advisory lock a round of due work holds (any constant; this one spells "omnidue").
_DUE_WORK_LOCK = 0x6F6D6E69647565


def load(conn: Connection, *, for_update: bool = False) -> ClockState | None:
    """The stored state; `for_update` locks it until the transaction ends (PostgreSQL), so two
    processes moving the clock at once take turns instead of one losing its move."""
    query = select(settings.c.value).where(settings.c.key == CLOCK_KEY)
    if for_update:
        query = query.with_for_update()
    stored: Any = conn.execute(query).scalar()
    return None if stored is None else _state(stored)


def save(conn: Connection, state: ClockState) -> str:
    """Store ``state`` and tell every process's clock of it when the transaction commits; the
    notice's key (see ``saved``)."""
    value = _value(state)
    settings_queries.put(conn, CLOCK_KEY, value)
    key = msgspec.json.encode(value).decode()
    changes.touch(conn, CLOCK, key)
    conn.info[_SAVED] = key
    return key


def saved(conn: Connection) -> str | None:
    """The notice's key of the clock state stored on ``conn`` since the last call, if any."""
    key: str | None = conn.info.pop(_SAVED, None)
    return key


def heard(touched: changes.Touched) -> list[ClockState]:
    """The clock states a committed unit stored, from what it touched."""
    found = []
    for kind, key in touched:
        if kind == CLOCK:
            try:
                found.append(_state(msgspec.json.decode(key)))
            except (msgspec.DecodeError, KeyError, TypeError, ValueError):
                continue
    return found


def take_due_work(conn: Connection, *, wait: bool) -> bool:
    """Hold the due-work round's lock until the transaction ends; False: another process's
    round has it (only when not ``wait``). On SQLite the one writer needs no lock."""
    if conn.dialect.name != "postgresql":
        return True
    if wait:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _DUE_WORK_LOCK})
        return True
    query = text("SELECT pg_try_advisory_xact_lock(:key)")
    return bool(conn.execute(query, {"key": _DUE_WORK_LOCK}).scalar())


def _value(state: ClockState) -> dict[str, Any]:
    return {
        "anchor": state.anchor.isoformat(),
        "wall": state.wall,
        "factor": state.factor,
        "revision": state.revision,
    }


def _state(stored: dict[str, Any]) -> ClockState:
    return ClockState(
        datetime.fromisoformat(stored["anchor"]),
        stored["wall"],
        stored["factor"],
        # Stored before revisions were counted: older than any counted one.
        int(stored.get("revision", 0)),
    )
