"""Paying a sale with ship-to-home lines: the second order, routed, reserved and paid.

The shipped order is placed in the same unit of work as the counter sale: channel pos,
fulfilment ship, status paid, its lines priced as the till prices them, taxed at the location
each ships from and routed by the configured rule (the DC first by default) over the locations
the online shop ships from. Its units are reserved, not consumed; they leave when it is
fulfilled. Delivery is free. The tenders are shared with the counter order by
``omniloom.domain.tender_split``: the shipped order is paid from the first tenders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from omniloom.domain.orders import Fulfilment, OrderStatus
from omniloom.domain.routing import Line
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.orders import routing
from omniloom.services.orders.builder import order_line_row, order_row, record_order
from omniloom.services.pos.common import POS_CHANNEL
from omniloom.services.pos.ship_to_home import ship_from
from omniloom.store import cart_queries, pos_queries, ship_to_home_queries
from omniloom.store.rows import OrderLineRow, OrderRow, PaymentRow


@dataclass(frozen=True, slots=True)
class ShipOrder:
    sale_cart_id: str
    order: OrderRow
    lines: list[OrderLineRow]
    routed: routing.Routed
    wanted: list[Line]

    @property
    def id(self) -> str:
        return self.order["id"]

    @property
    def total(self) -> int:
        return self.order["total"]


def place(runtime: Runtime, unit: Unit, cart: dict[str, Any]) -> ShipOrder | None:
    """Route and reserve the sale's ship-to-home lines; None when it has none.

    Raises InsufficientStock (undoing the whole sale) when a line no longer fits anywhere.
    """
    link = ship_to_home_queries.of_sale(unit.conn, cart["id"])
    lines = cart_queries.lines(unit.conn, link["ship_cart_id"]) if link else []
    if link is None or not lines:
        return None
    order_id = unit.ids.new("ord")
    wanted = [Line(sku, quantity) for _, sku, quantity, _, _ in lines]
    routed = routing.route_and_reserve(
        runtime, unit, order_id, wanted, ship_from(runtime), link["ship_to"]
    )
    order_lines = [
        order_line_row(
            runtime,
            unit,
            order_id,
            sku,
            title,
            quantity,
            runtime.catalog.line_price(unit.conn, sku, quantity, POS_CHANNEL),
            location_id,
        )
        for (_, sku, quantity, _, title), location_id in zip(lines, routed.locations, strict=True)
    ]
    customer_id = cart["customer_id"]
    customer = customer_id and pos_queries.customer(unit.conn, customer_id)
    order = order_row(
        unit,
        order_id=order_id,
        cart_id=link["ship_cart_id"],
        customer_id=customer_id,
        currency=cart["currency"],
        status=OrderStatus.PAID,
        fulfilment=Fulfilment.SHIP,
        lines=order_lines,
        ship_to=link["ship_to"],
        email=customer["email"] if customer else None,
        routing=routed.record(),
    )
    return ShipOrder(cart["id"], order, order_lines, routed, wanted)


def record(unit: Unit, shipped: ShipOrder, payments: list[PaymentRow]) -> None:
    """Write the shipped order with its share of the tenders, and tie it to the sale."""
    record_order(unit, shipped.order, shipped.lines, payments)
    shipped.routed.emit(unit, shipped.id, shipped.wanted)
    unit.emit("order.paid", order_id=shipped.id, customer_id=shipped.order["customer_id"])
    ship_to_home_queries.set_order(unit.conn, shipped.sale_cart_id, shipped.id)
