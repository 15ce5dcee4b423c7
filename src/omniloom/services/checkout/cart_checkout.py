"""Checkout: one cart becomes one paid order, atomically, or nothing changes at all."""

from __future__ import annotations

from typing import Any

import msgspec

from omniloom.domain.carts import CartStatus, ReservationPolicy
from omniloom.domain.errors import CartEmpty, FieldError, PickupUnavailable
from omniloom.domain.money import tax_on
from omniloom.domain.orders import Fulfilment, OrderStatus
from omniloom.domain.payments import charge_card
from omniloom.domain.routing import Line
from omniloom.services.carts.cart import begin_change
from omniloom.services.catalog.cache import LinePrice
from omniloom.services.checkout.commands import Address, Checkout, Pickup
from omniloom.services.inventory import holds as stock
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.kernel.views import OrderView
from omniloom.services.orders import routing
from omniloom.services.orders.lifecycle import order_view
from omniloom.store import cart_queries, order_queries

# Flat shipping below the free-shipping threshold, both in minor units.
SHIPPING_FEE = 599
FREE_SHIPPING_FROM = 5_000


def _pickup_store(runtime: Runtime, pickup: Pickup) -> str:
    location = runtime.layout.locations.get(pickup.location_id)
    if location is None or not location.pickup_enabled:
        raise PickupUnavailable(
            f"{pickup.location_id!r} is not a store that offers pickup.",
            errors=[FieldError("fulfilment.location_id", "not a pickup location")],
        )
    return location.id


def place_order(
    runtime: Runtime,
    unit: Unit,
    cart_id: str,
    command: Checkout,
    expected_version: int | None,
    caller: str | None = None,
) -> OrderView:
    """The unit of work behind checkout; any exception undoes all of it."""
    cart = begin_change(unit, cart_id, expected_version, caller, closing_as=CartStatus.ORDERED)
    lines = cart_queries.lines(unit.conn, cart_id)
    if not lines:
        raise CartEmpty("There is nothing in the cart to check out.")
    if runtime.reservation_policy is ReservationPolicy.ADD_TO_CART:
        # Holds taken at add-to-cart are given back and taken again for the order in the same
        # transaction, so no other buyer can slip in between.
        stock.release_cart_holds(unit, cart_id)
    order_id = unit.ids.new("ord")
    wanted = [Line(sku, quantity) for _, sku, quantity, _, _ in lines]
    store: str | None = None
    ship_to: dict[str, Any] | None = None
    routed: routing.Routed | None = None
    if isinstance(command.fulfilment, Pickup):
        store = _pickup_store(runtime, command.fulfilment)
        sources = [
            stock.reserve_first_fit(unit, line.sku, line.quantity, [store], order_id=order_id)
            for line in wanted
        ]
    else:
        ship_to = stored_address(command.fulfilment.address)
        candidates = runtime.layout.locations_for(unit.channel)
        routed = routing.route_and_reserve(runtime, unit, order_id, wanted, candidates, ship_to)
        sources = routed.locations
    order_lines: list[dict[str, Any]] = []
    for (_, sku, quantity, _, title), location_id in zip(lines, sources, strict=True):
        price = runtime.catalog.line_price(unit.conn, sku, quantity, cart["channel"])
        order_lines.append(
            order_line_row(runtime, unit, order_id, sku, title, quantity, price, location_id)
        )
    subtotal = sum(line["line_total"] for line in order_lines)
    tax = sum(line["tax"] for line in order_lines)
    is_pickup = store is not None
    shipping = 0 if is_pickup or subtotal >= FREE_SHIPPING_FROM else SHIPPING_FEE
    total = subtotal + tax + shipping
    charge = charge_card(command.payment.card_number, total)
    payment = payment_row(
        unit, order_id, "card", total, cart["currency"], brand=charge.brand, last4=charge.last4
    )
    order = {
        "id": order_id,
        "cart_id": cart_id,
        "customer_id": cart["customer_id"],
        "channel": unit.channel,
        "status": OrderStatus.PAID,
        "currency": cart["currency"],
        "subtotal": subtotal,
        "tax": tax,
        "shipping": shipping,
        "total": total,
        "fulfilment": Fulfilment.PICKUP if is_pickup else Fulfilment.SHIP,
        "location_id": store,
        "ship_to": ship_to,
        "email": command.email,
        "placed_at": unit.now,
        "updated_at": unit.now,
        "routing": routed.record() if routed else None,
    }
    record_order(unit, order, order_lines, [payment], cart_closed=True)
    if routed is not None:
        routed.emit(unit, order_id, wanted)
    unit.emit("order.paid", order_id=order_id, customer_id=cart["customer_id"])
    return order_view(order, order_lines, [payment])


def order_line_row(
    runtime: Runtime,
    unit: Unit,
    order_id: str,
    sku: str,
    title: str,
    quantity: int,
    price: LinePrice,
    location_id: str,
) -> dict[str, Any]:
    """An order line at its price snapshot (promotion applied), taxed at the rate of the
    location its stock comes from."""
    line_total = price.unit_price * quantity - price.discount
    return {
        "id": unit.ids.new("oline"),
        "order_id": order_id,
        "sku": sku,
        "title": title,
        "quantity": quantity,
        "unit_price": price.unit_price,
        "line_total": line_total,
        "tax": tax_on(line_total, runtime.layout.locations[location_id].tax_rate_bps),
        "location_id": location_id,
        "discount": price.discount,
        "promotion_id": price.promotion_id,
    }


def payment_row(
    unit: Unit,
    order_id: str,
    method: str,
    amount: int,
    currency: str,
    *,
    brand: str | None = None,
    last4: str | None = None,
) -> dict[str, Any]:
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
    order: dict[str, Any],
    order_lines: list[dict[str, Any]],
    payments: list[dict[str, Any]],
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


def stored_address(ship_to: Address) -> dict[str, Any]:
    """The ship-to address as stored on an order."""
    address: dict[str, Any] = msgspec.to_builtins(ship_to)
    # Coordinates are kept only when given, so addresses without them read as they always did.
    for key in ("latitude", "longitude"):
        if address.get(key) is None:
            del address[key]
    return address
