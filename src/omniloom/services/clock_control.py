"""Driving the simulated clock, and firing what falls due when it moves."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from omniloom.domain.clock import SimulatedClock
from omniloom.domain.errors import InvalidInput
from omniloom.services import stock
from omniloom.services.runtime import Runtime
from omniloom.services.unit import Unit


class ClockView(msgspec.Struct, frozen=True):
    now: datetime
    mode: str
    frozen: bool
    reservations_expired: int = 0


def _simulated(runtime: Runtime) -> SimulatedClock:
    if not isinstance(runtime.clock, SimulatedClock):
        raise InvalidInput(
            "The server runs on the system clock; start it with OMNILOOM_CLOCK=simulated."
        )
    return runtime.clock


def view(runtime: Runtime, expired: int = 0) -> ClockView:
    clock = runtime.clock
    frozen = isinstance(clock, SimulatedClock) and clock.frozen
    mode = "simulated" if isinstance(clock, SimulatedClock) else "system"
    return ClockView(now=clock.now(), mode=mode, frozen=frozen, reservations_expired=expired)


def fire_due(unit: Unit) -> int:
    """Everything that falls due at ``unit.now``; today: expiring cart holds."""
    return stock.expire_cart_holds(unit)


def advance(runtime: Runtime, unit: Unit, delta: timedelta) -> ClockView:
    unit.now = _simulated(runtime).advance(delta)
    return view(runtime, fire_due(unit))


def set_to(runtime: Runtime, unit: Unit, moment: datetime) -> ClockView:
    clock = _simulated(runtime)
    if moment.tzinfo is None:
        raise InvalidInput("Give the instant with a time zone, e.g. 2026-11-02T09:00:00Z.")
    if moment < clock.now():
        raise InvalidInput("The clock only moves forward; reset the store to go back.")
    clock.set(moment)
    unit.now = clock.now()
    return view(runtime, fire_due(unit))


def freeze(runtime: Runtime) -> ClockView:
    _simulated(runtime).freeze()
    return view(runtime)


def resume(runtime: Runtime) -> ClockView:
    _simulated(runtime).resume()
    return view(runtime)
