"""The one place an order record is built and written, whichever door sold it.

Web and app checkout, social orders (through checkout), the till's counter sale, the till's
ship-to-home order and an offline register's sale all price lines, total them, take payments and
record the order here, so an order's arithmetic and the events that say it was placed cannot
drift apart between channels.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from omniloom.domain.carts import CartStatus
from omniloom.domain.money import line_total, tax_on
from omniloom.domain.orders import Fulfilment, OrderStatus
from omniloom.services.catalog.cache import LinePrice
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.store import cart_queries, order_queries
from omniloom.store.rows import OrderLineRow, OrderRow, PaymentRow


def order_line_row(
    runtime: Runtime,
    unit: Unit,
    order_id: str,
    sku: str,
    title: str,
    quantity: int,
    price: LinePrice,
    location_id: str,
) -> OrderLineRow:
    """An order line at its price snapshot (promotion applied), taxed at the rate of the
    location its stock comes from."""
    total = line_total(price.unit_price, quantity, price.discount)
    return {
        "id": unit.ids.new("oline"),
        "order_id": order_id,
        "sku": sku,
        "title": title,
        "quantity": quantity,
        "unit_price": price.unit_price,
        "line_total": total,
        "tax": tax_on(total, runtime.layout.locations[location_id].tax_rate_bps),
        "location_id": location_id,
        "discount": price.discount,
        "promotion_id": price.promotion_id,
    }


def order_row(
    unit: Unit,
    *,
    order_id: str,
    cart_id: str,
    customer_id: str | None,
    currency: str,
    status: OrderStatus,
    fulfilment: Fulfilment,
    lines: list[OrderLineRow],
    shipping: int = 0,
    location_id: str | None = None,
    ship_to: dict[str, Any] | None = None,
    email: str | None = None,
    routing: dict[str, Any] | None = None,
    placed_at: datetime | None = None,
) -> OrderRow:
    """The order record over its priced lines: subtotal, tax and total worked out once."""
    subtotal = sum(line["line_total"] for line in lines)
    tax = sum(line["tax"] for line in lines)
    order: OrderRow = {
        "id": order_id,
        "cart_id": cart_id,
        "customer_id": customer_id,
        "channel": unit.channel,
        "status": status,
        "currency": currency,
        "subtotal": subtotal,
        "tax": tax,
        "shipping": shipping,
        "total": subtotal + tax + shipping,
        "fulfilment": fulfilment,
        "location_id": location_id,
        "ship_to": ship_to,
        "email": email,
        "placed_at": placed_at or unit.now,
        "updated_at": unit.now,
    }
    if routing is not None:
        order["routing"] = routing
    return order


def payment_row(
    unit: Unit,
    order_id: str,
    method: str,
    amount: int,
    currency: str,
    *,
    brand: str | None = None,
    last4: str | None = None,
) -> PaymentRow:
    """A captured payment: one per card charge, cash amount kept or gift-card redemption."""
    return {
        "id": unit.ids.new("pay"),
        "order_id": order_id,
        "method": method,
        "card_brand": brand,
        "card_last4": last4,
        "amount": amount,
        "currency": currency,
        "status": "captured",
        "created_at": unit.now,
    }


def record_order(
    unit: Unit,
    order: OrderRow,
    order_lines: list[OrderLineRow],
    payments: list[PaymentRow],
    *,
    cart_closed: bool = False,
) -> None:
    """Write a placed order with its lines and payments, close its cart (unless the caller
    already did, as checkout does), and say so.

    The caller emits what follows placement (``order.paid``, a status it went straight to).
    """
    order_id = order["id"]
    customer_id = order["customer_id"]
    order_queries.insert_order(unit.conn, order, order_lines, payments)
    if not cart_closed:
        cart_queries.set_status(unit.conn, order["cart_id"], CartStatus.ORDERED)
    for line in order_lines:
        unit.emit(
            "inventory.reserved",
            order_id=order_id,
            sku=line["sku"],
            location_id=line["location_id"],
            quantity=line["quantity"],
        )
    unit.emit(
        "order.placed",
        order_id=order_id,
        cart_id=order["cart_id"],
        customer_id=customer_id,
        total=order["total"],
        currency=order["currency"],
        fulfilment=str(order["fulfilment"]),
    )
    for payment in payments:
        unit.emit(
            "payment.captured",
            order_id=order_id,
            customer_id=customer_id,
            payment_id=payment["id"],
            amount=payment["amount"],
        )
