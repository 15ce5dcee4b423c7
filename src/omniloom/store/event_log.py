"""The append-only event log, written in the same transaction as the change it records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, RowMapping, bindparam, select, update

from omniloom.store import raw
from omniloom.store.rows import EventRow
from omniloom.store.tables import events

_APPEND = events.insert()
_STITCH = (
    update(events)
    .where(events.c.device_id == bindparam("b_device"), events.c.customer_id.is_(None))
    .values(customer_id=bindparam("b_customer"))
)


def append(conn: Connection, rows: list[EventRow]) -> None:
    raw.insert_many(conn, _APPEND, rows)


def stitch(conn: Connection, device_id: str, customer_id: str) -> int:
    """Give a device's anonymous events to the customer now known to use it."""
    return raw.execute(conn, _STITCH, {"b_device": device_id, "b_customer": customer_id})


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


# Interactions only: stock and payment book-keeping follows from one and adds no touch.
BOOKKEEPING = (
    "inventory.reserved",
    "inventory.released",
    "inventory.reservation_expired",
    "payment.captured",
    "payment.refunded",
    "order.paid",
    "order.routed",
    # What the outbox did; the shopper's click on a message is the touchpoint.
    "message.queued",
    "message.suppressed",
)


def touchpoints(
    conn: Connection,
    *,
    after_seq: int = 0,
    limit: int = 100,
    customer_id: str | None = None,
    channel: str | None = None,
    event_type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Sequence[RowMapping]:
    stmt = (
        select(events)
        .where(events.c.seq > after_seq, events.c.type.not_in(BOOKKEEPING))
        .order_by(events.c.seq)
        .limit(limit)
    )
    if customer_id is not None:
        stmt = stmt.where(events.c.customer_id == customer_id)
    if channel is not None:
        stmt = stmt.where(events.c.channel == channel)
    if event_type is not None:
        stmt = stmt.where(events.c.type == event_type)
    if since is not None:
        stmt = stmt.where(events.c.occurred_at >= since)
    if until is not None:
        stmt = stmt.where(events.c.occurred_at < until)
    return conn.execute(stmt).mappings().all()


def for_customer(conn: Connection, customer_id: str, limit: int) -> Sequence[RowMapping]:
    """A customer's touchpoints in time order (anonymous ones of their devices are stitched)."""
    stmt = (
        select(events)
        .where(events.c.customer_id == customer_id, events.c.type.not_in(BOOKKEEPING))
        .order_by(events.c.occurred_at, events.c.seq)
        .limit(limit)
    )
    return conn.execute(stmt).mappings().all()
