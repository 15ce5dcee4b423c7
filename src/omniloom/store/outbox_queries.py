"""The outbox: every message sent or refused, searchable the way a test mailbox is."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from omniloom.store.tables import messages


def insert_message(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(messages), [row])


def message(conn: Connection, message_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(messages).where(messages.c.id == message_id)).mappings().first()
    return None if row is None else dict(row)


def messages_by_id(conn: Connection, message_ids: list[str]) -> list[dict[str, Any]]:
    stmt = select(messages).where(messages.c.id.in_(message_ids)).order_by(messages.c.seq)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def last_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.max(messages.c.seq))).scalar() or 0)


def by_link(conn: Connection, token: str) -> dict[str, Any] | None:
    row = conn.execute(select(messages).where(messages.c.link_token == token)).mappings().first()
    return None if row is None else dict(row)


def search(
    conn: Connection,
    *,
    after: int = 0,
    limit: int = 100,
    **filters: str | None,
) -> list[dict[str, Any]]:
    """Messages after ``after`` (their ``seq``), oldest first, matching every filter given.

    Filters name columns: recipient, channel, campaign, kind, customer_id, cart_id,
    product_id, flow_run_id, outcome, reason.
    """
    stmt = select(messages).where(messages.c.seq > after).order_by(messages.c.seq).limit(limit)
    for column, value in filters.items():
        if value is not None:
            stmt = stmt.where(messages.c[column] == value)
    return [dict(row) for row in conn.execute(stmt).mappings()]


def mark_clicked(conn: Connection, message_id: str, now: datetime) -> None:
    """Opened and clicked at ``now``; a click before the planned delivery proves it came."""
    row = message(conn, message_id)
    if row is None:
        return
    values: dict[str, Any] = {}
    for column in ("sent_at", "delivered_at"):
        if row[column] is not None and row[column] > now:
            values[column] = now
    for column in ("opened_at", "clicked_at"):
        if row[column] is None:
            values[column] = now
    if values:
        conn.execute(update(messages).where(messages.c.id == message_id).values(**values))


def sent_since(conn: Connection, customer_id: str, since: datetime) -> int:
    """Messages that went out to a customer since ``since`` (for frequency caps)."""
    stmt = select(func.count()).where(
        messages.c.customer_id == customer_id,
        messages.c.outcome == "queued",
        messages.c.queued_at >= since,
    )
    return int(conn.execute(stmt).scalar() or 0)


def clear(conn: Connection) -> int:
    return int(conn.execute(delete(messages)).rowcount or 0)
