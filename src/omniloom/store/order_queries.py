"""Orders, their lines and payments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, or_, select, update

from omniloom.store import raw
from omniloom.store.rows import OrderLineRow, OrderRow, PaymentRow
from omniloom.store.tables import order_lines, orders, payments

_INSERT_ORDER = orders.insert()
_INSERT_LINES = order_lines.insert()
_INSERT_PAYMENTS = payments.insert()
_ORDER = select(orders).where(orders.c.id == bindparam("order_id"))
_LINES = (
    select(order_lines)
    .where(order_lines.c.order_id == bindparam("order_id"))
    .order_by(order_lines.c.id)
)
_PAYMENTS = (
    select(payments)
    .where(payments.c.order_id == bindparam("order_id"))
    .order_by(payments.c.created_at, payments.c.id)
)
_SET_STATUS = (
    update(orders)
    .where(orders.c.id == bindparam("b_id"))
    .values(status=bindparam("b_status"), updated_at=bindparam("b_now"))
)


def insert_order(
    conn: Connection,
    order: OrderRow,
    lines: list[OrderLineRow],
    payment_rows: list[PaymentRow],
) -> None:
    raw.insert_many(conn, _INSERT_ORDER, [order])
    raw.insert_many(conn, _INSERT_LINES, lines)
    raw.insert_many(conn, _INSERT_PAYMENTS, payment_rows)


def insert_payments(conn: Connection, payment_rows: list[PaymentRow]) -> None:
    raw.insert_many(conn, _INSERT_PAYMENTS, payment_rows)


def order(conn: Connection, order_id: str) -> dict[str, Any] | None:
    found = raw.dicts(conn, _ORDER, {"order_id": order_id})
    return found[0] if found else None


def lines(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    return raw.dicts(conn, _LINES, {"order_id": order_id})


def order_payments(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    return raw.dicts(conn, _PAYMENTS, {"order_id": order_id})


def list_orders(
    conn: Connection, *, customer_id: str | None, after_id: str | None, limit: int
) -> Sequence[RowMapping]:
    stmt = select(orders).order_by(orders.c.id).limit(limit)
    if customer_id is not None:
        stmt = stmt.where(orders.c.customer_id == customer_id)
    if after_id is not None:
        stmt = stmt.where(orders.c.id > after_id)
    return conn.execute(stmt).mappings().all()


def set_status(conn: Connection, order_id: str, status: str, now: datetime) -> None:
    raw.execute(conn, _SET_STATUS, {"b_id": order_id, "b_status": status, "b_now": now})


def refund_payments(conn: Connection, order_id: str) -> list[tuple[str, str, int]]:
    """Mark every captured payment of an order refunded; (id, method, amount) of each."""
    captured = [
        (row.id, row.method, row.amount)
        for row in conn.execute(
            select(payments.c.id, payments.c.method, payments.c.amount).where(
                payments.c.order_id == order_id, payments.c.status == "captured"
            )
        )
    ]
    conn.execute(
        update(payments)
        .where(payments.c.order_id == order_id, payments.c.status == "captured")
        .values(status="refunded")
    )
    return captured


_UNCOLLECTED = (
    select(orders.c.id)
    .where(
        orders.c.fulfilment == "pickup",
        # Spelled out: the lean lane compiles once and cannot expand an IN list.
        or_(orders.c.status == "paid", orders.c.status == "ready_for_pickup"),
        orders.c.placed_at <= bindparam("cutoff"),
    )
    .order_by(orders.c.placed_at, orders.c.id)
)


def uncollected_pickups(conn: Connection, cutoff: datetime) -> list[str]:
    """Pickup orders placed at or before ``cutoff`` that nobody has collected."""
    return [row[0] for row in raw.rows(conn, _UNCOLLECTED, {"cutoff": cutoff})]
