"""Returns, and what has already come back of each order line (or without a receipt)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, literal, select, update

from omniloom.store import raw
from omniloom.store.tables import (
    exchange_lines,
    gift_card_transactions,
    gift_cards,
    order_lines,
    orders,
    return_lines,
    returns,
)

_INSERT_RETURN = returns.insert()
_INSERT_LINES = return_lines.insert()
_INSERT_GIFT_CARD = gift_cards.insert()
_INSERT_GIFT_TXN = gift_card_transactions.insert()
_INSERT_EXCHANGE_LINES = exchange_lines.insert()
# Orders that were paid for, whatever happened to them since (cancelled ones never sold).
_SOLD = ("paid", "fulfilled", "ready_for_pickup", "picked_up")
# Per unit, after the line's promotion; integer division is the same on SQLite and PostgreSQL.
_LOWEST_SOLD = (
    select(func.min(order_lines.c.line_total // order_lines.c.quantity))
    .select_from(order_lines.join(orders, orders.c.id == order_lines.c.order_id))
    .where(
        order_lines.c.sku == bindparam("sku"),
        orders.c.placed_at >= bindparam("since"),
        orders.c.status.in_([literal(status) for status in _SOLD]),
    )
)
_RECEIPTLESS_OF_CUSTOMER = select(func.count()).where(
    returns.c.customer_id == bindparam("customer_id"),
    returns.c.order_id.is_(None),
    returns.c.created_at >= bindparam("since"),
)
_RETURNED_OF_LINE = select(func.coalesce(func.sum(return_lines.c.quantity), 0)).where(
    return_lines.c.order_line_id == bindparam("line_id")
)
_GIFT_CARD_OF_PAYMENT = select(gift_card_transactions.c.code).where(
    gift_card_transactions.c.payment_id == bindparam("payment_id")
)
_CREDIT = (
    update(gift_cards)
    .where(gift_cards.c.code == bindparam("b_code"))
    .values(balance=gift_cards.c.balance + bindparam("b_amount"))
    .returning(gift_cards.c.balance)
)


def returned_quantity(conn: Connection, order_line_id: str) -> int:
    row = raw.first(conn, _RETURNED_OF_LINE, {"line_id": order_line_id})
    return int(row[0]) if row else 0


def gift_card_of_payment(conn: Connection, payment_id: str) -> str | None:
    row = raw.first(conn, _GIFT_CARD_OF_PAYMENT, {"payment_id": payment_id})
    return None if row is None else str(row[0])


def credit_gift_card(conn: Connection, code: str, amount: int) -> int:
    row = raw.first(conn, _CREDIT, {"b_code": code, "b_amount": amount})
    return 0 if row is None else int(row[0])


def record(conn: Connection, row: dict[str, Any], lines: list[dict[str, Any]]) -> None:
    raw.insert_many(conn, _INSERT_RETURN, [row])
    raw.insert_many(conn, _INSERT_LINES, lines)


def issue_gift_card(conn: Connection, card: dict[str, Any], transaction: dict[str, Any]) -> None:
    raw.insert_many(conn, _INSERT_GIFT_CARD, [card])
    raw.insert_many(conn, _INSERT_GIFT_TXN, [transaction])


def record_exchange_lines(conn: Connection, lines: list[dict[str, Any]]) -> None:
    raw.insert_many(conn, _INSERT_EXCHANGE_LINES, lines)


def lowest_sold_price(conn: Connection, sku: str, since: datetime) -> int | None:
    """The least a unit of ``sku`` was paid on any order placed since then; None if none was."""
    row = raw.first(conn, _LOWEST_SOLD, {"sku": sku, "since": since})
    return None if row is None or row[0] is None else int(row[0])


def receiptless_returns_of(conn: Connection, customer_id: str, since: datetime) -> int:
    row = raw.first(conn, _RECEIPTLESS_OF_CUSTOMER, {"customer_id": customer_id, "since": since})
    return int(row[0]) if row else 0


def record_gift_card_transaction(conn: Connection, transaction: dict[str, Any]) -> None:
    raw.insert_many(conn, _INSERT_GIFT_TXN, [transaction])


def of_customer(conn: Connection, customer_id: str) -> list[dict[str, Any]]:
    """The customer's returns, oldest first, each with its lines."""
    stmt = (
        select(returns)
        .where(returns.c.customer_id == customer_id)
        .order_by(returns.c.created_at, returns.c.id)
    )
    found = [dict(row) for row in conn.execute(stmt).mappings()]
    if found:
        lines = select(return_lines).where(
            return_lines.c.return_id.in_([row["id"] for row in found])
        )
        by_return: dict[str, list[dict[str, Any]]] = {row["id"]: [] for row in found}
        for line in conn.execute(lines.order_by(return_lines.c.id)).mappings():
            by_return[line["return_id"]].append(dict(line))
        for row in found:
            row["lines"] = by_return[row["id"]]
    return found
