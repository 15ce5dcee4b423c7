"""Driving the simulated clock, and firing what falls due when it moves.

Every move is a unit of work that stores the clock's new state (see services/kernel/clocks.py),
so every server process and a restarted one tell the same time. What falls due is worked by one
process at a time (a lock per round on PostgreSQL), so a flow's message is sent once however
many processes sweep.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from omniloom.domain.clock import SimulatedClock
from omniloom.domain.errors import InvalidInput
from omniloom.domain.orders import OrderStatus
from omniloom.services.inventory import holds as stock
from omniloom.services.kernel.clocks import SharedClock
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.messaging import due as messaging_due
from omniloom.services.orders import lifecycle as orders
from omniloom.store import clock_queries, order_queries


class ClockView(msgspec.Struct, frozen=True):
    now: datetime
    mode: str
    frozen: bool
    # Simulated seconds per wall second while it runs (0 when frozen).
    factor: float = 0.0
    reservations_expired: int = 0
    pickups_cancelled: int = 0


class Fired(msgspec.Struct, frozen=True):
    reservations_expired: int
    pickups_cancelled: int


def _simulated(runtime: Runtime, unit: Unit | None = None) -> SimulatedClock:
    """The simulated clock, read back (and, in a unit, locked) where several processes share it."""
    clock = runtime.clock
    if not isinstance(clock, SimulatedClock):
        raise InvalidInput(
            "The server runs on the system clock; start it with OMNILOOM_CLOCK=simulated."
        )
    if unit is not None and isinstance(clock, SharedClock):
        clock.load(unit.conn, for_update=True)
    return clock


def _moved(runtime: Runtime, unit: Unit, clock: SimulatedClock) -> ClockView:
    """Store the clock's new state and fire what fell due by its new time."""
    if isinstance(clock, SharedClock):
        clock.save(unit.conn)
    unit.now = clock.now()
    # The mover waits for a round another process is working, then works what is left.
    return view(runtime, fire_due(runtime, unit, wait=True))


def view(runtime: Runtime, fired: Fired | None = None) -> ClockView:
    clock = runtime.clock
    simulated = clock if isinstance(clock, SimulatedClock) else None
    return ClockView(
        now=clock.now(),
        mode="simulated" if simulated else "system",
        frozen=simulated.frozen if simulated else False,
        factor=simulated.factor if simulated else 1.0,
        reservations_expired=fired.reservations_expired if fired else 0,
        pickups_cancelled=fired.pickups_cancelled if fired else 0,
    )


async def current(runtime: Runtime) -> ClockView:
    """The clock as the store keeps it: every process hears of each move (read back only after
    notices may have been missed: services/kernel/clocks.py)."""
    clock = runtime.clock
    if isinstance(clock, SharedClock) and clock.stale:
        await runtime.read(clock.sync)
    return view(runtime)


NOTHING_FIRED = Fired(0, 0)


def fire_due(runtime: Runtime, unit: Unit, *, wait: bool) -> Fired:
    """Everything that falls due at ``unit.now``: expiring cart holds, and pickup orders
    nobody came for within the no-show window (cancelled: stock released, payment refunded).

    One round at a time across processes: without ``wait``, nothing is done while another
    process works one (it does the same work)."""
    if not clock_queries.take_due_work(unit.conn, wait=wait):
        return NOTHING_FIRED
    expired = stock.expire_cart_holds(unit)
    cutoff = unit.now - runtime.settings.pickup_no_show
    no_shows = order_queries.uncollected_pickups(unit.conn, cutoff)
    for order_id in no_shows:
        orders.move_order(unit, order_id, OrderStatus.CANCELLED)
        unit.emit("order.pickup_no_show", order_id=order_id)
    messaging_due.fire(runtime, unit)
    return Fired(expired, len(no_shows))


def advance(runtime: Runtime, unit: Unit, delta: timedelta) -> ClockView:
    clock = _simulated(runtime, unit)
    clock.advance(delta)
    return _moved(runtime, unit, clock)


def set_to(runtime: Runtime, unit: Unit, moment: datetime) -> ClockView:
    clock = _simulated(runtime, unit)
    if moment.tzinfo is None:
        raise InvalidInput("Give the instant with a time zone, e.g. 2026-11-02T09:00:00Z.")
    if moment < clock.now():
        raise InvalidInput("The clock only moves forward; reset the store to go back.")
    clock.set(moment)
    return _moved(runtime, unit, clock)


def run_at(runtime: Runtime, unit: Unit, factor: float) -> ClockView:
    """Let the clock run `factor` simulated seconds per wall second from now (0 stops it)."""
    clock = _simulated(runtime, unit)
    clock.run_at(factor)
    return _moved(runtime, unit, clock)


def freeze(runtime: Runtime, unit: Unit) -> ClockView:
    return run_at(runtime, unit, 0.0)


def resume(runtime: Runtime, unit: Unit) -> ClockView:
    return run_at(runtime, unit, 1.0)


async def sweep(runtime: Runtime) -> Fired | None:
    """Fire what fell due while the clock runs by itself; a frozen clock only moves on request."""
    await current(runtime)
    clock = runtime.clock
    if isinstance(clock, SimulatedClock) and clock.frozen:
        return None
    return await runtime.write(lambda unit: fire_due(runtime, unit, wait=False), "admin")
