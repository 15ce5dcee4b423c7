"""The in-store channel's shared parts: what POS services return, and who may touch what.

A POS key is bound to one store (``ApiKey.location_id``); every register, sale and receipt it
reaches must belong to that store. An admin key has no store and reaches all of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection

from omniloom.domain.errors import CartNotFound, NotFound, OutOfScope, SaleNotOpen, ShiftNotOpen
from omniloom.domain.identity import IdentifierKind, normalise
from omniloom.domain.money import line_total, tax_on
from omniloom.services.catalog.cache import LinePrice
from omniloom.services.kernel.runtime import Runtime
from omniloom.store import cart_queries, pos_queries

POS_CHANNEL = "pos"


class RegisterView(msgspec.Struct, frozen=True):
    id: str
    location_id: str
    name: str
    open_shift_id: str | None


class ShiftView(msgspec.Struct, frozen=True):
    id: str
    register_id: str
    location_id: str
    status: str
    currency: str
    opened_by: str
    opened_at: datetime
    opening_float: int
    cash_sales: int
    cash_refunds: int
    sales_count: int
    closed_by: str | None
    closed_at: datetime | None
    expected_cash: int | None
    counted_cash: int | None
    variance: int | None


class SaleLineView(msgspec.Struct, frozen=True):
    id: str
    sku: str
    product_id: str
    title: str
    quantity: int
    list_price: int
    unit_price: int
    line_total: int  # after any promotion
    override_reason: str | None
    discount: int = 0
    promotion_id: str | None = None


class SaleView(msgspec.Struct, frozen=True):
    cart_id: str
    register_id: str
    location_id: str
    origin: str
    status: str
    customer_id: str | None
    cart_version: int
    currency: str
    lines: list[SaleLineView]
    subtotal: int
    tax: int
    total: int
    order_id: str | None


class CustomerMatch(msgspec.Struct, frozen=True):
    id: str
    first_name: str
    last_name: str
    email: str
    phone: str | None


class GiftCardView(msgspec.Struct, frozen=True):
    code: str
    balance: int
    currency: str


def shift_view(row: dict[str, Any]) -> ShiftView:
    return ShiftView(**{str(key): value for key, value in row.items()})


def register_view(row: dict[str, Any]) -> RegisterView:
    return RegisterView(row["id"], row["location_id"], row["name"], row["open_shift_id"])


def check_store(location_id: str | None, owner_location: str, what: str) -> None:
    """Refuse a store-bound key reaching another store's register, sale or receipt."""
    if location_id is not None and location_id != owner_location:
        raise OutOfScope(f"{what} belongs to another store than this key's {location_id}.")


def register_at(conn: Connection, location_id: str | None, register_id: str) -> dict[str, Any]:
    register = pos_queries.register(conn, register_id)
    if register is None:
        raise NotFound(f"There is no register {register_id!r}.")
    check_store(location_id, register["location_id"], f"Register {register_id}")
    return register


def open_shift_of(register: dict[str, Any]) -> str:
    if register["open_shift_id"] is None:
        raise ShiftNotOpen(f"Register {register['id']} has no open shift; open one first.")
    return str(register["open_shift_id"])


def sale_at(
    conn: Connection, location_id: str | None, cart_id: str, *, open_only: bool = True
) -> dict[str, Any]:
    sale = pos_queries.sale(conn, cart_id)
    if sale is None:
        raise NotFound(f"Cart {cart_id!r} is not on any register; start a sale or hand it off.")
    check_store(location_id, sale["location_id"], f"Sale {cart_id}")
    if open_only and sale["status"] != "open":
        raise SaleNotOpen(f"Sale {cart_id} is {sale['status']} and can no longer change.")
    return sale


def pos_price(runtime: Runtime, conn: Connection, sku: str) -> int:
    return runtime.catalog.price(conn, sku, POS_CHANNEL).amount


def sale_view(runtime: Runtime, conn: Connection, sale: dict[str, Any]) -> SaleView:
    """The sale as the register shows it: POS prices, overrides applied, tax at the store."""
    cart = cart_queries.cart(conn, sale["cart_id"])
    if cart is None:  # pragma: no cover - a sale row always has its cart
        raise CartNotFound(f"There is no cart {sale['cart_id']!r}.")
    overrides = pos_queries.overrides(conn, sale["cart_id"])
    rate = runtime.layout.locations[sale["location_id"]].tax_rate_bps
    lines = []
    for line_id, sku, quantity, product_id, title in cart_queries.lines(conn, sale["cart_id"]):
        override = overrides.get(sku)
        # An associate's override is the price; promotions apply only to the store's own price.
        price = (
            runtime.catalog.line_price(conn, sku, quantity, POS_CHANNEL)
            if override is None
            else LinePrice(override["unit_price"], 0, None)
        )
        lines.append(
            SaleLineView(
                id=line_id,
                sku=sku,
                product_id=product_id,
                title=title,
                quantity=quantity,
                list_price=pos_price(runtime, conn, sku),
                unit_price=price.unit_price,
                line_total=line_total(price.unit_price, quantity, price.discount),
                override_reason=None if override is None else override["reason_code"],
                discount=price.discount,
                promotion_id=price.promotion_id,
            )
        )
    subtotal = sum(line.line_total for line in lines)
    # Tax per line, rounded per line, exactly as the order will charge it.
    tax = sum(tax_on(line.line_total, rate) for line in lines)
    return SaleView(
        cart_id=sale["cart_id"],
        register_id=sale["register_id"],
        location_id=sale["location_id"],
        origin=sale["origin"],
        status=sale["status"],
        customer_id=cart["customer_id"],
        cart_version=cart["version"],
        currency=cart["currency"],
        lines=lines,
        subtotal=subtotal,
        tax=tax,
        total=subtotal + tax,
        order_id=sale["order_id"],
    )


async def get_sale(runtime: Runtime, location_id: str | None, cart_id: str) -> SaleView:
    def work(conn: Connection) -> SaleView:
        sale = sale_at(conn, location_id, cart_id, open_only=False)
        return sale_view(runtime, conn, sale)

    return await runtime.read(work)


async def find_customers(
    runtime: Runtime, *, phone: str | None, email: str | None
) -> list[CustomerMatch]:
    def work(conn: Connection) -> list[CustomerMatch]:
        if email is not None:
            rows = pos_queries.customers_by_email(conn, email.strip())
        else:
            number = normalise(IdentifierKind.PHONE, phone or "", "phone")
            rows = pos_queries.customers_by_phone(conn, number)
        return [CustomerMatch(**{str(key): value for key, value in row.items()}) for row in rows]

    return await runtime.read(work)


async def get_gift_card(runtime: Runtime, code: str) -> GiftCardView:
    def work(conn: Connection) -> GiftCardView:
        card = pos_queries.gift_card(conn, code)
        if card is None:
            raise NotFound(f"There is no gift card {code!r}.")
        return GiftCardView(card["code"], card["balance"], card["currency"])

    return await runtime.read(work)
