"""Orders, their lines and payments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, select, update

from omniloom.store.tables import order_lines, orders, payments

_ORDER = select(orders).where(orders.c.id == bindparam("order_id"))
_ORDER_BY_CART = select(orders.c.id).where(orders.c.cart_id == bindparam("cart_id"))
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


def insert_order(
    conn: Connection,
    order: dict[str, Any],
    lines: list[dict[str, Any]],
    payment_rows: list[dict[str, Any]],
) -> None:
    conn.execute(orders.insert(), [order])
    conn.execute(order_lines.insert(), lines)
    if payment_rows:
        conn.execute(payments.insert(), payment_rows)


def order(conn: Connection, order_id: str) -> RowMapping | None:
    return conn.execute(_ORDER, {"order_id": order_id}).mappings().first()


def order_id_for_cart(conn: Connection, cart_id: str) -> str | None:
    return conn.execute(_ORDER_BY_CART, {"cart_id": cart_id}).scalar()


def lines(conn: Connection, order_id: str) -> Sequence[RowMapping]:
    return conn.execute(_LINES, {"order_id": order_id}).mappings().all()


def order_payments(conn: Connection, order_id: str) -> Sequence[RowMapping]:
    return conn.execute(_PAYMENTS, {"order_id": order_id}).mappings().all()


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
    conn.execute(
        update(orders).where(orders.c.id == order_id).values(status=status, updated_at=now)
    )


def refund_payments(conn: Connection, order_id: str) -> int:
    """Mark every captured payment of an order refunded; returns the amount refunded."""
    captured = conn.execute(
        select(payments.c.amount).where(
            payments.c.order_id == order_id, payments.c.status == "captured"
        )
    ).scalars()
    amount = sum(captured)
    conn.execute(
        update(payments)
        .where(payments.c.order_id == order_id, payments.c.status == "captured")
        .values(status="refunded")
    )
    return amount
