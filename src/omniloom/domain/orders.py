"""Order states and the moves between them."""

from __future__ import annotations

from enum import StrEnum

from omniloom.domain.errors import InvalidTransition


class OrderStatus(StrEnum):
    PLACED = "placed"
    PAID = "paid"
    FULFILLED = "fulfilled"
    READY_FOR_PICKUP = "ready_for_pickup"
    PICKED_UP = "picked_up"
    CANCELLED = "cancelled"


class Fulfilment(StrEnum):
    SHIP = "ship"
    PICKUP = "pickup"


_ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PLACED: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset(
        {OrderStatus.FULFILLED, OrderStatus.READY_FOR_PICKUP, OrderStatus.CANCELLED}
    ),
    OrderStatus.READY_FOR_PICKUP: frozenset({OrderStatus.PICKED_UP, OrderStatus.CANCELLED}),
    OrderStatus.FULFILLED: frozenset(),
    OrderStatus.PICKED_UP: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


def check_transition(current: OrderStatus, target: OrderStatus, fulfilment: Fulfilment) -> None:
    allowed = target in _ALLOWED[current]
    # Shipped orders never wait at a counter; pickup orders are never "fulfilled" by a carrier.
    if target is OrderStatus.FULFILLED and fulfilment is Fulfilment.PICKUP:
        allowed = False
    if target is OrderStatus.READY_FOR_PICKUP and fulfilment is Fulfilment.SHIP:
        allowed = False
    if not allowed:
        raise InvalidTransition(f"An order that is {current} cannot become {target}.")
