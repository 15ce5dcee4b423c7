"""Checkout: one cart becomes one paid order, atomically, or nothing changes at all."""

from __future__ import annotations

from typing import Any

import msgspec

from omniloom.domain.carts import CartStatus, ReservationPolicy
from omniloom.domain.errors import CartEmpty, FieldError, PickupUnavailable
from omniloom.domain.orders import Fulfilment, OrderStatus
from omniloom.domain.payments import charge_card
from omniloom.domain.routing import Line
from omniloom.services.carts.cart import begin_change_with_lines
from omniloom.services.checkout.commands import Address, Checkout, Pickup
from omniloom.services.inventory import holds as stock
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.kernel.views import OrderView
from omniloom.services.orders import routing
from omniloom.services.orders.builder import order_line_row, order_row, payment_row, record_order
from omniloom.services.orders.lifecycle import order_view
from omniloom.store.rows import OrderLineRow

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
    cart, lines = begin_change_with_lines(
        runtime, unit, cart_id, expected_version, caller, closing_as=CartStatus.ORDERED
    )
    unit.after_commit(lambda: runtime.carts_seen.forget(cart_id))
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
    order_lines: list[OrderLineRow] = []
    for (_, sku, quantity, _, title), location_id in zip(lines, sources, strict=True):
        price = runtime.catalog.line_price(unit.conn, sku, quantity, cart["channel"])
        order_lines.append(
            order_line_row(runtime, unit, order_id, sku, title, quantity, price, location_id)
        )
    is_pickup = store is not None
    subtotal = sum(line["line_total"] for line in order_lines)
    shipping = 0 if is_pickup or subtotal >= FREE_SHIPPING_FROM else SHIPPING_FEE
    order = order_row(
        unit,
        order_id=order_id,
        cart_id=cart_id,
        customer_id=cart["customer_id"],
        currency=cart["currency"],
        status=OrderStatus.PAID,
        fulfilment=Fulfilment.PICKUP if is_pickup else Fulfilment.SHIP,
        lines=order_lines,
        shipping=shipping,
        location_id=store,
        ship_to=ship_to,
        email=command.email,
        routing=routed.record() if routed else None,
    )
    charge = charge_card(command.payment.card_number, order["total"])
    payment = payment_row(
        unit,
        order_id,
        "card",
        order["total"],
        cart["currency"],
        brand=charge.brand,
        last4=charge.last4,
    )
    record_order(unit, order, order_lines, [payment], cart_closed=True)
    if routed is not None:
        routed.emit(unit, order_id, wanted)
    unit.emit("order.paid", order_id=order_id, customer_id=cart["customer_id"])
    return order_view(order, order_lines, [payment])


def stored_address(ship_to: Address) -> dict[str, Any]:
    """The ship-to address as stored on an order."""
    address: dict[str, Any] = msgspec.to_builtins(ship_to)
    # Coordinates are kept only when given, so addresses without them read as they always did.
    for key in ("latitude", "longitude"):
        if address.get(key) is None:
            del address[key]
    return address
