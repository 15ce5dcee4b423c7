"""The append-only event log, written in the same transaction as the change it records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from omniloom.store import raw
from omniloom.store.tables import events

_APPEND = events.insert()


def append(conn: Connection, rows: list[dict[str, Any]]) -> None:
    raw.insert_many(conn, _APPEND, rows)


def read(
    conn: Connection,
    *,
    after_seq: int = 0,
    limit: int = 100,
    event_type: str | None = None,
    cart_id: str | None = None,
    order_id: str | None = None,
) -> Sequence[RowMapping]:
    stmt = select(events).where(events.c.seq > after_seq).order_by(events.c.seq).limit(limit)
    if event_type is not None:
        stmt = stmt.where(events.c.type == event_type)
    if cart_id is not None:
        stmt = stmt.where(events.c.cart_id == cart_id)
    if order_id is not None:
        stmt = stmt.where(events.c.order_id == order_id)
    return conn.execute(stmt).mappings().all()
