"""Driving the simulated clock, and firing what falls due when it moves."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from omniloom.domain.clock import SimulatedClock
from omniloom.domain.errors import InvalidInput
from omniloom.domain.orders import OrderStatus
from omniloom.services.inventory import holds as stock
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.messaging import due as messaging_due
from omniloom.services.orders import lifecycle as orders
from omniloom.store import order_queries


class ClockView(msgspec.Struct, frozen=True):
    now: datetime
    mode: str
    frozen: bool
    reservations_expired: int = 0
    pickups_cancelled: int = 0


class Fired(msgspec.Struct, frozen=True):
    reservations_expired: int
    pickups_cancelled: int


def _simulated(runtime: Runtime) -> SimulatedClock:
    if not isinstance(runtime.clock, SimulatedClock):
        raise InvalidInput(
            "The server runs on the system clock; start it with OMNILOOM_CLOCK=simulated."
        )
    return runtime.clock


def view(runtime: Runtime, fired: Fired | None = None) -> ClockView:
    clock = runtime.clock
    frozen = isinstance(clock, SimulatedClock) and clock.frozen
    mode = "simulated" if isinstance(clock, SimulatedClock) else "system"
    return ClockView(
        now=clock.now(),
        mode=mode,
        frozen=frozen,
        reservations_expired=fired.reservations_expired if fired else 0,
        pickups_cancelled=fired.pickups_cancelled if fired else 0,
    )


def fire_due(runtime: Runtime, unit: Unit) -> Fired:
    """Everything that falls due at ``unit.now``: expiring cart holds, and pickup orders
    nobody came for within the no-show window (cancelled: stock released, payment refunded)."""
    expired = stock.expire_cart_holds(unit)
    cutoff = unit.now - runtime.settings.pickup_no_show
    no_shows = order_queries.uncollected_pickups(unit.conn, cutoff)
    for order_id in no_shows:
        orders.move_order(unit, order_id, OrderStatus.CANCELLED)
        unit.emit("order.pickup_no_show", order_id=order_id)
    messaging_due.fire(runtime, unit)
    return Fired(expired, len(no_shows))


def advance(runtime: Runtime, unit: Unit, delta: timedelta) -> ClockView:
    unit.now = _simulated(runtime).advance(delta)
    return view(runtime, fire_due(runtime, unit))


def set_to(runtime: Runtime, unit: Unit, moment: datetime) -> ClockView:
    clock = _simulated(runtime)
    if moment.tzinfo is None:
        raise InvalidInput("Give the instant with a time zone, e.g. 2026-11-02T09:00:00Z.")
    if moment < clock.now():
        raise InvalidInput("The clock only moves forward; reset the store to go back.")
    clock.set(moment)
    unit.now = clock.now()
    return view(runtime, fire_due(runtime, unit))


def freeze(runtime: Runtime) -> ClockView:
    _simulated(runtime).freeze()
    return view(runtime)


def resume(runtime: Runtime) -> ClockView:
    _simulated(runtime).resume()
    return view(runtime)
