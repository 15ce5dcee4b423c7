"""Device sessions: which visit a device is on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, select, update

from omniloom.store import raw
from omniloom.store.tables import device_sessions

_CURRENT = select(device_sessions.c.session_id, device_sessions.c.last_seen_at).where(
    device_sessions.c.device_id == bindparam("device_id")
)
_START = device_sessions.insert()
_RESTART = (
    update(device_sessions)
    .where(device_sessions.c.device_id == bindparam("b_device"))
    .values(
        session_id=bindparam("b_session"),
        started_at=bindparam("b_now"),
        last_seen_at=bindparam("b_now"),
    )
)
_SEEN = (
    update(device_sessions)
    .where(device_sessions.c.device_id == bindparam("b_device"))
    .values(last_seen_at=bindparam("b_now"))
)


def current(conn: Connection, device_id: str) -> tuple[str, datetime] | None:
    """The device's session and when it was last seen, if it ever had one."""
    row = raw.first(conn, _CURRENT, {"device_id": device_id})
    return None if row is None else (row[0], row[1])


def start(conn: Connection, device_id: str, session_id: str, now: datetime, known: bool) -> None:
    if known:
        raw.write(conn, _RESTART, {"b_device": device_id, "b_session": session_id, "b_now": now})
    else:
        raw.insert_many(
            conn,
            _START,
            [
                {
                    "device_id": device_id,
                    "session_id": session_id,
                    "started_at": now,
                    "last_seen_at": now,
                }
            ],
        )


def seen(conn: Connection, device_id: str, now: datetime) -> None:
    raw.write(conn, _SEEN, {"b_device": device_id, "b_now": now})
