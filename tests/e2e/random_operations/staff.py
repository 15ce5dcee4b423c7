"""Operations of staff: order moves, and the simulated clock."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.random_operations.model import MOVES, NO_SHOW, Op, World, instant
from tests.e2e.random_operations.web import checkout
from tests.support.store import (
    ADMIN_KEY,
)


def mover(target: str, path: str, before: Op = checkout) -> Op:
    """Move an order to ``target``; with nothing to move, do what comes ``before`` instead."""

    async def move(w: World) -> None:
        can = [o.id for o in w.orders.values() if target in MOVES.get((o.fulfilment, o.status), ())]
        if not w.orders or (not can and w.rng.random() < 0.8):
            return await before(w)
        order = w.orders[w.rng.choice(can if can and w.rng.random() < 0.9 else list(w.orders))]
        allowed = target in MOVES.get((order.fulfilment, order.status), ())
        expect = None if allowed else "invalid_state_transition"
        moved = await w.send(
            move.__name__, "POST", f"/v1/admin/orders/{order.id}/{path}", ADMIN_KEY, expect=expect
        )
        if moved:
            assert moved["status"] == target
            order.status = target
            if target == "cancelled":
                assert {payment["status"] for payment in moved["payments"]} == {"refunded"}
                w.cancelled(order)

    move.__name__ = path.replace("-", "_")
    return move


async def advance_clock(w: World, minutes: int | None = None) -> None:
    if minutes is None:
        unit = w.rng.choices(("minutes", "hours", "days"), weights=(45, 35, 20))[0]
        amount = {"minutes": w.rng.randint(1, 30), "hours": w.rng.randint(1, 12)}.get(
            unit, w.rng.randint(1, 8)
        )
    else:
        unit, amount = "minutes", minutes
    advanced = await w.send(
        "advance_clock", "POST", "/v1/admin/clock/advance", ADMIN_KEY, {unit: amount}
    )
    now = instant(advanced["now"])
    assert now == w.now + timedelta(**{unit: amount})
    w.now = now
    no_shows = [
        order
        for order in w.orders.values()
        if order.fulfilment == "pickup"
        and order.status in ("paid", "ready_for_pickup")
        and order.placed_at <= now - NO_SHOW
    ]
    assert advanced["pickups_cancelled"] == len(no_shows)
    for order in no_shows:
        w.cancelled(order)
