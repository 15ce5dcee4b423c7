"""Admin: the simulated clock, order moves and the event log."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.params import Parameter

from omniloom.api.http import MAX_SEQUENCE, idempotent_post, runtime_of, write
from omniloom.api.webhook_transport import deliver_due_for
from omniloom.domain.orders import OrderStatus
from omniloom.services.admin import clock as clock_control
from omniloom.services.admin.commands import AdvanceClock, ClockRate, SetClock
from omniloom.services.admin.verify import Verification, verify_store
from omniloom.services.catalog import promotions
from omniloom.services.catalog.promotions import NewPromotion, PromotionView
from omniloom.services.insight.events import EventPage, read_events
from omniloom.services.kernel.views import OrderView
from omniloom.services.orders import lifecycle as orders

_MOVES = {
    "fulfil": OrderStatus.FULFILLED,
    "ready": OrderStatus.READY_FOR_PICKUP,
    "picked-up": OrderStatus.PICKED_UP,
    "cancel": OrderStatus.CANCELLED,
}


class AdminController(Controller):
    path = "/v1/admin"
    tags = ["admin"]

    @get("/clock", summary="Read the simulated clock")
    async def clock(self, request: Request[Any, Any, Any]) -> clock_control.ClockView:
        return await clock_control.current(runtime_of(request))

    @put("/clock", summary="Run the clock at a compression factor (0 stops it)")
    async def run_clock(
        self, request: Request[Any, Any, Any], data: ClockRate
    ) -> clock_control.ClockView:
        runtime = runtime_of(request)
        return await write(request, lambda unit: clock_control.run_at(runtime, unit, data.factor))

    @post("/clock/advance", summary="Advance the clock and fire what fell due", status_code=200)
    async def advance(
        self, request: Request[Any, Any, Any], data: AdvanceClock
    ) -> clock_control.ClockView:
        delta = timedelta(
            days=data.days, hours=data.hours, minutes=data.minutes, seconds=data.seconds
        )
        runtime = runtime_of(request)
        moved = await idempotent_post(
            request, lambda unit: clock_control.advance(runtime, unit, delta), status_code=200
        )
        await deliver_due_for(request)  # the webhook attempts that fell due
        return moved

    @post("/clock/set", summary="Move the clock to an instant (forward only)", status_code=200)
    async def set_clock(
        self, request: Request[Any, Any, Any], data: SetClock
    ) -> clock_control.ClockView:
        runtime = runtime_of(request)
        moved = await idempotent_post(
            request, lambda unit: clock_control.set_to(runtime, unit, data.at), status_code=200
        )
        await deliver_due_for(request)  # the webhook attempts that fell due
        return moved

    @post("/clock/freeze", summary="Stop the clock where it stands", status_code=200)
    async def freeze(self, request: Request[Any, Any, Any]) -> clock_control.ClockView:
        runtime = runtime_of(request)
        return await write(request, lambda unit: clock_control.freeze(runtime, unit))

    @post("/clock/resume", summary="Let the clock run at wall-clock pace", status_code=200)
    async def resume(self, request: Request[Any, Any, Any]) -> clock_control.ClockView:
        runtime = runtime_of(request)
        return await write(request, lambda unit: clock_control.resume(runtime, unit))

    @post(
        "/orders/{order_id:str}/{move:str}",
        summary="Fulfil, ready, picked-up or cancel",
        status_code=200,
    )
    async def move_order(
        self, request: Request[Any, Any, Any], order_id: str, move: str
    ) -> OrderView:
        target = _MOVES.get(move)
        if target is None:
            from omniloom.domain.errors import NotFound

            raise NotFound(f"Unknown order move {move!r}; use one of {sorted(_MOVES)}.")
        return await idempotent_post(
            request, lambda unit: orders.move_order(unit, order_id, target), status_code=200
        )

    @post("/promotions", summary="Create a promotion (percent off, or buy X get Y)")
    async def create_promotion(
        self, request: Request[Any, Any, Any], data: NewPromotion
    ) -> PromotionView:
        return await idempotent_post(request, lambda unit: promotions.create(unit, data))

    @get("/promotions", summary="Active promotions")
    async def list_promotions(self, request: Request[Any, Any, Any]) -> list[PromotionView]:
        return await promotions.list_active(runtime_of(request))

    @get("/verify", summary="Check the store's invariants (ledger, stock, payments)")
    async def verify(self, request: Request[Any, Any, Any]) -> Verification:
        return await verify_store(runtime_of(request))

    @get("/events", summary="Read the event log in order")
    async def events(
        self,
        request: Request[Any, Any, Any],
        after: Annotated[int, Parameter(ge=0, le=MAX_SEQUENCE)] = 0,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
        type: Annotated[str | None, Parameter(max_length=60)] = None,
        cart_id: Annotated[str | None, Parameter(max_length=40)] = None,
        order_id: Annotated[str | None, Parameter(max_length=40)] = None,
    ) -> EventPage:
        return await read_events(
            runtime_of(request),
            after=after,
            limit=limit,
            event_type=type,
            cart_id=cart_id,
            order_id=order_id,
        )
