"""Registers, shifts, POS sales, price overrides and gift cards (all on the lean lane).

Every claim is a conditional UPDATE whose row count decides it (a register's open shift, a sale
still open, a gift card's balance), so two tills racing for one thing get one success on SQLite
and on PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update

from omniloom.store import raw
from omniloom.store.tables import (
    customers,
    gift_card_transactions,
    gift_cards,
    pos_handoff_codes,
    pos_price_overrides,
    pos_sales,
    pos_shifts,
    registers,
    skus,
)

_REGISTERS_AT = (
    select(registers)
    .where(registers.c.location_id == bindparam("location_id"))
    .order_by(registers.c.id)
)
_ALL_REGISTERS = select(registers).order_by(registers.c.id)
_REGISTER = select(registers).where(registers.c.id == bindparam("register_id"))
_CLAIM_REGISTER = (
    update(registers)
    .where(registers.c.id == bindparam("b_id"), registers.c.open_shift_id.is_(None))
    .values(open_shift_id=bindparam("b_shift"))
)
_FREE_REGISTER = (
    update(registers)
    .where(registers.c.id == bindparam("b_id"), registers.c.open_shift_id == bindparam("b_shift"))
    .values(open_shift_id=None)
)

_INSERT_SHIFT = pos_shifts.insert()
_SHIFT = select(pos_shifts).where(pos_shifts.c.id == bindparam("shift_id"))
_ADD_CASH = (
    update(pos_shifts)
    .where(pos_shifts.c.id == bindparam("b_id"), pos_shifts.c.status == "open")
    .values(
        cash_sales=pos_shifts.c.cash_sales + bindparam("b_cash"),
        sales_count=pos_shifts.c.sales_count + 1,
    )
)
_TAKE_CASH = (
    update(pos_shifts)
    .where(pos_shifts.c.id == bindparam("b_id"), pos_shifts.c.status == "open")
    .values(cash_refunds=pos_shifts.c.cash_refunds + bindparam("b_cash"))
)
# Expected cash is worked out by the UPDATE itself, from the row it locks: a sale committing
# while the drawer is counted is either in the figure or refused (its shift is closed).
_EXPECTED = pos_shifts.c.opening_float + pos_shifts.c.cash_sales - pos_shifts.c.cash_refunds
_CLOSE_SHIFT = (
    update(pos_shifts)
    .where(pos_shifts.c.id == bindparam("b_id"), pos_shifts.c.status == "open")
    .values(
        status="closed",
        closed_by=bindparam("b_by"),
        closed_at=bindparam("b_now"),
        expected_cash=_EXPECTED,
        counted_cash=bindparam("b_counted"),
        variance=bindparam("b_counted") - _EXPECTED,
    )
    .returning(pos_shifts.c.expected_cash)
)

_SKU_BY_BARCODE = select(skus.c.sku).where(skus.c.barcode == bindparam("barcode"))

_INSERT_SALE = pos_sales.insert()
_SALE = select(pos_sales).where(pos_sales.c.cart_id == bindparam("cart_id"))
_SALE_OF_ORDER = select(pos_sales).where(pos_sales.c.order_id == bindparam("order_id"))
_CLOSE_SALE = (
    update(pos_sales)
    .where(pos_sales.c.cart_id == bindparam("b_id"), pos_sales.c.status == "open")
    .values(
        status=bindparam("b_status"),
        closed_at=bindparam("b_now"),
        shift_id=bindparam("b_shift"),
        order_id=bindparam("b_order"),
        cash_tendered=bindparam("b_tendered"),
        change_given=bindparam("b_change"),
    )
)

_OVERRIDES = select(pos_price_overrides).where(
    pos_price_overrides.c.cart_id == bindparam("cart_id")
)
_INSERT_OVERRIDE = pos_price_overrides.insert()
_DELETE_OVERRIDE = delete(pos_price_overrides).where(
    pos_price_overrides.c.cart_id == bindparam("b_cart"),
    pos_price_overrides.c.sku == bindparam("b_sku"),
)

_INSERT_HANDOFF_CODE = pos_handoff_codes.insert()
_HANDOFF_CODE = select(pos_handoff_codes).where(pos_handoff_codes.c.code == bindparam("code"))
_DELETE_HANDOFF_CODE = delete(pos_handoff_codes).where(pos_handoff_codes.c.code == bindparam("b"))

_GIFT_CARD = select(gift_cards).where(gift_cards.c.code == bindparam("code"))
_REDEEM = (
    update(gift_cards)
    .where(gift_cards.c.code == bindparam("b_code"), gift_cards.c.balance >= bindparam("b_amount"))
    .values(balance=gift_cards.c.balance - bindparam("b_amount"))
    .returning(gift_cards.c.balance)
)
_INSERT_GIFT_TXN = gift_card_transactions.insert()
_GIFT_TXNS_OF_ORDER = (
    select(gift_card_transactions)
    .where(gift_card_transactions.c.order_id == bindparam("order_id"))
    .order_by(gift_card_transactions.c.id)
)

_CUSTOMER_COLUMNS = (
    customers.c.id,
    customers.c.first_name,
    customers.c.last_name,
    customers.c.email,
    customers.c.phone,
)
_CUSTOMERS_BY_EMAIL = (
    select(*_CUSTOMER_COLUMNS)
    .where(func.lower(customers.c.email) == bindparam("email"))
    .order_by(customers.c.id)
)
_CUSTOMERS_BY_PHONE = (
    select(*_CUSTOMER_COLUMNS)
    .where(customers.c.phone == bindparam("phone"))
    .order_by(customers.c.id)
    .limit(20)
)
_CUSTOMER = select(*_CUSTOMER_COLUMNS).where(customers.c.id == bindparam("customer_id"))


def _one(conn: Connection, stmt: Any, params: dict[str, Any]) -> dict[str, Any] | None:
    found = raw.dicts(conn, stmt, params)
    return found[0] if found else None


# Registers and shifts ---------------------------------------------------------------------------


def registers_at(conn: Connection, location_id: str | None) -> list[dict[str, Any]]:
    if location_id is None:
        return raw.dicts(conn, _ALL_REGISTERS)
    return raw.dicts(conn, _REGISTERS_AT, {"location_id": location_id})


def register(conn: Connection, register_id: str) -> dict[str, Any] | None:
    return _one(conn, _REGISTER, {"register_id": register_id})


def claim_register(conn: Connection, register_id: str, shift_id: str) -> bool:
    """Make ``shift_id`` the register's open shift, unless it already has one."""
    return raw.execute(conn, _CLAIM_REGISTER, {"b_id": register_id, "b_shift": shift_id}) == 1


def free_register(conn: Connection, register_id: str, shift_id: str) -> None:
    raw.execute(conn, _FREE_REGISTER, {"b_id": register_id, "b_shift": shift_id})


def insert_shift(conn: Connection, shift: dict[str, Any]) -> None:
    raw.insert_many(conn, _INSERT_SHIFT, [shift])


def shift(conn: Connection, shift_id: str) -> dict[str, Any] | None:
    return _one(conn, _SHIFT, {"shift_id": shift_id})


def add_cash_sale(conn: Connection, shift_id: str, cash: int) -> bool:
    return raw.execute(conn, _ADD_CASH, {"b_id": shift_id, "b_cash": cash}) == 1


def add_cash_refund(conn: Connection, shift_id: str, cash: int) -> bool:
    """Cash paid back out of an open shift's drawer; False if the shift is not open."""
    return raw.execute(conn, _TAKE_CASH, {"b_id": shift_id, "b_cash": cash}) == 1


def close_shift(
    conn: Connection, shift_id: str, *, closed_by: str, now: datetime, counted: int
) -> int | None:
    """Close an open shift with the counted cash; the cash expected, or None if not open."""
    params = {"b_id": shift_id, "b_by": closed_by, "b_now": now, "b_counted": counted}
    row = raw.first(conn, _CLOSE_SHIFT, params)
    return None if row is None else int(row[0])


# Sales --------------------------------------------------------------------------------------------


def sku_for_barcode(conn: Connection, barcode: str) -> str | None:
    row = raw.first(conn, _SKU_BY_BARCODE, {"barcode": barcode})
    return None if row is None else str(row[0])


def insert_sale(conn: Connection, sale: dict[str, Any]) -> None:
    raw.insert_many(conn, _INSERT_SALE, [sale])


def sale(conn: Connection, cart_id: str) -> dict[str, Any] | None:
    return _one(conn, _SALE, {"cart_id": cart_id})


def sale_of_order(conn: Connection, order_id: str) -> dict[str, Any] | None:
    return _one(conn, _SALE_OF_ORDER, {"order_id": order_id})


def close_sale(
    conn: Connection,
    cart_id: str,
    *,
    status: str,
    now: datetime,
    shift_id: str | None = None,
    order_id: str | None = None,
    cash_tendered: int = 0,
    change_given: int = 0,
) -> bool:
    """Move an open sale to ``voided`` or ``completed``; False if it was no longer open."""
    params = {
        "b_id": cart_id,
        "b_status": status,
        "b_now": now,
        "b_shift": shift_id,
        "b_order": order_id,
        "b_tendered": cash_tendered,
        "b_change": change_given,
    }
    return raw.execute(conn, _CLOSE_SALE, params) == 1


def overrides(conn: Connection, cart_id: str) -> dict[str, dict[str, Any]]:
    """The sale's price overrides by SKU."""
    return {row["sku"]: row for row in raw.dicts(conn, _OVERRIDES, {"cart_id": cart_id})}


def put_override(conn: Connection, override: dict[str, Any]) -> None:
    delete_override(conn, override["cart_id"], override["sku"])
    raw.insert_many(conn, _INSERT_OVERRIDE, [override])


def delete_override(conn: Connection, cart_id: str, sku: str) -> None:
    raw.execute(conn, _DELETE_OVERRIDE, {"b_cart": cart_id, "b_sku": sku})


def insert_handoff_code(conn: Connection, row: dict[str, Any]) -> None:
    raw.insert_many(conn, _INSERT_HANDOFF_CODE, [row])


def handoff_code(conn: Connection, code: str) -> dict[str, Any] | None:
    return _one(conn, _HANDOFF_CODE, {"code": code})


def delete_handoff_code(conn: Connection, code: str) -> bool:
    """Use a code up; False if another register used it first."""
    return raw.execute(conn, _DELETE_HANDOFF_CODE, {"b": code}) == 1


# Gift cards -------------------------------------------------------------------------------------


def gift_card(conn: Connection, code: str) -> dict[str, Any] | None:
    return _one(conn, _GIFT_CARD, {"code": code})


def redeem_gift_card(conn: Connection, code: str, amount: int) -> int | None:
    """Take ``amount`` off the card if its balance covers it; the balance left, or None."""
    row = raw.first(conn, _REDEEM, {"b_code": code, "b_amount": amount})
    return None if row is None else int(row[0])


def record_gift_card_transaction(conn: Connection, transaction: dict[str, Any]) -> None:
    raw.insert_many(conn, _INSERT_GIFT_TXN, [transaction])


def gift_card_transactions_of_order(conn: Connection, order_id: str) -> list[dict[str, Any]]:
    return raw.dicts(conn, _GIFT_TXNS_OF_ORDER, {"order_id": order_id})


# Customers ----------------------------------------------------------------------------------------


def customers_by_email(conn: Connection, email: str) -> list[dict[str, Any]]:
    return raw.dicts(conn, _CUSTOMERS_BY_EMAIL, {"email": email.lower()})


def customers_by_phone(conn: Connection, phone: str) -> list[dict[str, Any]]:
    return raw.dicts(conn, _CUSTOMERS_BY_PHONE, {"phone": phone})


def customer(conn: Connection, customer_id: str) -> dict[str, Any] | None:
    return _one(conn, _CUSTOMER, {"customer_id": customer_id})
