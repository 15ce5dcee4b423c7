"""Failed sign-ins per subject (tables.sign_in_throttle)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from omniloom.store.tables import sign_in_throttle as t


def rows(conn: Connection, subjects: list[str], *, lock: bool = False) -> dict[str, dict[str, Any]]:
    query = select(t).where(t.c.subject.in_(subjects))
    if lock:
        query = query.with_for_update()
    return {row["subject"]: dict(row) for row in conn.execute(query).mappings()}


def put(
    conn: Connection,
    subject: str,
    failures: int,
    window_started_at: datetime,
    locked_until: datetime | None,
    *,
    exists: bool,
) -> None:
    values = {
        "failures": failures,
        "window_started_at": window_started_at,
        "locked_until": locked_until,
    }
    if exists:
        conn.execute(t.update().where(t.c.subject == subject).values(**values))
    else:
        conn.execute(t.insert().values(subject=subject, **values))


def forget(conn: Connection, subject: str) -> None:
    conn.execute(delete(t).where(t.c.subject == subject))
