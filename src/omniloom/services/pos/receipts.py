"""Receipts for POS sales, as data and as the plain text a receipt printer takes.

Built from the order, its payments and the sale's own rows whenever asked, so a receipt printed
a week later is the one printed at the counter. Times are shown in the store's time zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import Connection

from omniloom.domain.errors import NotFound
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.pos.common import check_store
from omniloom.store import order_queries, pos_queries, ship_to_home_queries

WIDTH = 42


class ReceiptStore(msgspec.Struct, frozen=True):
    id: str
    name: str
    city: str
    address: dict[str, Any]
    timezone: str


class ReceiptLine(msgspec.Struct, frozen=True):
    sku: str
    title: str
    quantity: int
    list_price: int
    unit_price: int
    line_total: int
    tax: int
    override_reason: str | None


class ReceiptTender(msgspec.Struct, frozen=True):
    type: str
    amount: int
    card_brand: str | None
    last4: str | None
    tendered: int | None = None  # cash handed over
    change: int | None = None
    balance_after: int | None = None  # what a gift card holds after this sale


class ReceiptShipment(msgspec.Struct, frozen=True):
    """Endless aisle: what the sale ordered for delivery, as its own shipped order."""

    order_id: str
    status: str
    ship_to: dict[str, Any]
    lines: list[ReceiptLine]
    subtotal: int
    tax: int
    shipping: int
    total: int


class ReceiptView(msgspec.Struct, frozen=True):
    order_id: str
    status: str
    store: ReceiptStore
    register_id: str
    shift_id: str | None
    associate_id: str | None
    customer_id: str | None
    currency: str
    lines: list[ReceiptLine]
    subtotal: int
    tax: int
    total: int
    tenders: list[ReceiptTender]
    change: int
    issued_at: datetime  # in the store's time zone
    # Lines shipped home; subtotal, tax and total above cover them too (all the tenders paid).
    ship_to_home: ReceiptShipment | None = None


def _sale_of(conn: Connection, order_id: str) -> dict[str, Any] | None:
    """The sale an order was paid at: its counter order, or the order it shipped home."""
    sale = pos_queries.sale_of_order(conn, order_id)
    if sale is None:
        link = ship_to_home_queries.of_order(conn, order_id)
        sale = link and pos_queries.sale(conn, link["cart_id"])
    return sale


def build_receipt(runtime: Runtime, conn: Connection, order_id: str) -> ReceiptView:
    sale = _sale_of(conn, order_id)
    order = sale and order_queries.order(conn, sale["order_id"])
    if sale is None or order is None:
        raise NotFound(f"There is no POS receipt for order {order_id!r}.")
    # One receipt per sale, whichever of its orders it is asked for by.
    order_id = sale["order_id"]
    link = ship_to_home_queries.of_sale(conn, sale["cart_id"])
    ship_order_id = link["order_id"] if link else None
    paid = [order_id] + ([ship_order_id] if ship_order_id not in (None, order_id) else [])
    location = runtime.layout.locations[sale["location_id"]]
    zone = ZoneInfo(location.timezone)
    overrides = pos_queries.overrides(conn, sale["cart_id"])
    shift = pos_queries.shift(conn, sale["shift_id"]) if sale["shift_id"] else None
    balances = {
        txn["payment_id"]: txn["balance_after"]
        for paid_id in paid
        for txn in pos_queries.gift_card_transactions_of_order(conn, paid_id)
    }
    tenders = []
    # Cash last, as tills print it: the change below it belongs to the cash.
    payments = sorted(
        _merged(
            [
                payment
                for paid_id in paid
                for payment in order_queries.order_payments(conn, paid_id)
            ],
            balances,
        ),
        key=lambda payment: _TENDER_ORDER.get(payment["method"], 1),
    )
    for payment in payments:
        is_cash = payment["method"] == "cash"
        tenders.append(
            ReceiptTender(
                type=payment["method"],
                amount=payment["amount"],
                card_brand=payment["card_brand"],
                last4=payment["card_last4"],
                tendered=sale["cash_tendered"] if is_cash else None,
                change=sale["change_given"] if is_cash else None,
                balance_after=payment["balance_after"],
            )
        )
    ship_order = order_queries.order(conn, ship_order_id) if ship_order_id else None
    # A sale that shipped everything home has no counter order: its one order is the shipment.
    counter = order if order_id != ship_order_id else None
    lines = _lines(conn, order_id, overrides) if counter else []
    parts = [part for part in (counter, ship_order) if part is not None]
    subtotal, tax, total = (
        sum(part[key] for part in parts) for key in ("subtotal", "tax", "total")
    )
    return ReceiptView(
        order_id=order_id,
        status=order["status"],
        store=ReceiptStore(
            id=location.id,
            name=location.name,
            city=location.city,
            address=dict(location.address),
            timezone=location.timezone,
        ),
        register_id=sale["register_id"],
        shift_id=sale["shift_id"],
        associate_id=shift["opened_by"] if shift else None,
        customer_id=order["customer_id"],
        currency=order["currency"],
        lines=lines,
        subtotal=subtotal,
        tax=tax,
        total=total,
        tenders=tenders,
        change=sale["change_given"],
        issued_at=order["placed_at"].astimezone(zone),
        ship_to_home=_shipment(conn, ship_order) if ship_order else None,
    )


def _lines(
    conn: Connection, order_id: str, overrides: dict[str, dict[str, Any]]
) -> list[ReceiptLine]:
    lines = []
    for line in order_queries.lines(conn, order_id):
        override = overrides.get(line["sku"])
        lines.append(
            ReceiptLine(
                sku=line["sku"],
                title=line["title"],
                quantity=line["quantity"],
                list_price=line["unit_price"] if override is None else override["original_price"],
                unit_price=line["unit_price"],
                line_total=line["line_total"],
                tax=line["tax"],
                override_reason=None if override is None else override["reason_code"],
            )
        )
    return lines


def _shipment(conn: Connection, order: dict[str, Any]) -> ReceiptShipment:
    return ReceiptShipment(
        order_id=order["id"],
        status=order["status"],
        ship_to=order["ship_to"],
        lines=_lines(conn, order["id"], {}),
        subtotal=order["subtotal"],
        tax=order["tax"],
        shipping=order["shipping"],
        total=order["total"],
    )


def _merged(payments: list[dict[str, Any]], balances: dict[str, int]) -> list[dict[str, Any]]:
    """One entry per tender handed over: a card, gift card or cash that paid both of a sale's
    orders was recorded as a payment on each."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for payment in payments:
        key = (payment["method"], payment["card_brand"], payment["card_last4"])
        balance = balances.get(payment["id"])
        seen = merged.get(key)
        if seen is None:
            merged[key] = {**payment, "balance_after": balance}
            continue
        seen["amount"] += payment["amount"]
        if balance is not None:
            # The card's balance after the last of its redemptions (an emptied card reads 0).
            earlier = seen["balance_after"]
            seen["balance_after"] = balance if earlier is None else min(balance, earlier)
    return list(merged.values())


async def get_receipt(runtime: Runtime, location_id: str | None, order_id: str) -> ReceiptView:
    receipt = await runtime.read(lambda conn: build_receipt(runtime, conn, order_id))
    check_store(location_id, receipt.store.id, f"The receipt for {order_id}")
    return receipt


def money(amount: int) -> str:
    """Minor units as a decimal string, without ever passing through a float."""
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def _row(left: str, right: str) -> str:
    room = WIDTH - len(right) - 1
    return f"{left[:room]:<{room}} {right}"


_TENDER_ORDER = {"card": 0, "gift_card": 1, "cash": 2}
_TENDER_NAMES = {"card": "Card", "cash": "Cash", "gift_card": "Gift card"}


def _line_rows(line: ReceiptLine) -> list[str]:
    rows = [
        _row(line.title, money(line.line_total)),
        _row(f"  {line.quantity} x {money(line.unit_price)}  {line.sku}", ""),
    ]
    if line.override_reason is not None:
        reason = line.override_reason.replace("_", " ")
        rows.append(_row(f"  price override: {reason} (was {money(line.list_price)})", ""))
    return rows


def receipt_text(receipt: ReceiptView) -> str:
    store = receipt.store
    rule = "-" * WIDTH
    out = [
        store.name.center(WIDTH).rstrip(),
        str(store.address.get("line1", "")).center(WIDTH).rstrip(),
        store.city.center(WIDTH).rstrip(),
        rule,
        _row(f"Order {receipt.order_id}", ""),
        _row(f"Register {receipt.register_id}", receipt.associate_id or ""),
        _row(receipt.issued_at.strftime("%Y-%m-%d %H:%M %Z"), ""),
        rule,
    ]
    for line in receipt.lines:
        out += _line_rows(line)
    shipment = receipt.ship_to_home
    if shipment is not None:
        out += [rule, _row("SHIP TO HOME", shipment.order_id)]
        for line in shipment.lines:
            out += _line_rows(line)
        to = shipment.ship_to
        out.append(_row(f"  to {to.get('name', '')}, {to.get('city', '')}", ""))
        out.append(_row("Shipping", money(shipment.shipping) if shipment.shipping else "FREE"))
    out += [
        rule,
        _row("Subtotal", money(receipt.subtotal)),
        _row("Tax", money(receipt.tax)),
        _row("TOTAL " + receipt.currency, money(receipt.total)),
        rule,
    ]
    for tender in receipt.tenders:
        name = _TENDER_NAMES.get(tender.type, tender.type)
        if tender.last4:
            name += f" ****{tender.last4}"
        if tender.type == "cash" and tender.tendered is not None:
            out.append(_row("Cash tendered", money(tender.tendered)))
        out.append(_row(name, money(tender.amount)))
        if tender.balance_after is not None:
            out.append(_row("  balance left", money(tender.balance_after)))
    out.append(_row("Change", money(receipt.change)))
    out += [rule, "Thank you for shopping with us".center(WIDTH).rstrip(), ""]
    return "\n".join(line.rstrip() for line in out)
