"""Admin: stock moved by hand (transfers, adjustments) and the inventory ledger read back."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter

from omniloom.api.http import MAX_SEQUENCE, idempotent_post, runtime_of
from omniloom.services.inventory import moves as stock_moves
from omniloom.services.inventory.moves import (
    AdjustmentView,
    MovementPage,
    NewAdjustment,
    NewTransfer,
    TransferView,
)


class StockMoveController(Controller):
    path = "/v1/admin/stock"
    tags = ["admin"]

    @post(
        "/transfers",
        summary="Move units of a SKU from one location to another",
        description=(
            "Only units available at the source (on hand less reserved) can move: otherwise "
            "409 `insufficient_stock` and nothing changes. Two ledger movements of kind "
            "`transfer`, one transaction; emits `inventory.transferred`."
        ),
    )
    async def transfer(self, request: Request[Any, Any, Any], data: NewTransfer) -> TransferView:
        runtime = runtime_of(request)
        return await idempotent_post(
            request, lambda unit: stock_moves.transfer(runtime, unit, data)
        )

    @post(
        "/adjustments",
        summary="Correct a location's stock by a delta or to a counted level, with a reason",
        description=(
            "Give `delta` (units found, or lost when negative) or `counted` (what a count found). "
            "Stock never goes below what is reserved (nor below zero): 409 "
            "`stock_below_reserved`. One ledger movement of kind `adjustment` carrying the "
            "reason; emits `inventory.adjusted`."
        ),
    )
    async def adjust(self, request: Request[Any, Any, Any], data: NewAdjustment) -> AdjustmentView:
        runtime = runtime_of(request)
        return await idempotent_post(request, lambda unit: stock_moves.adjust(runtime, unit, data))

    @get("/movements", summary="Read the inventory ledger in order")
    async def movements(
        self,
        request: Request[Any, Any, Any],
        after: Annotated[int, Parameter(ge=0, le=MAX_SEQUENCE)] = 0,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
        sku: Annotated[str | None, Parameter(max_length=60)] = None,
        location_id: Annotated[str | None, Parameter(max_length=40)] = None,
        kind: Annotated[str | None, Parameter(max_length=20)] = None,
    ) -> MovementPage:
        return await stock_moves.read_movements(
            runtime_of(request),
            after=after,
            limit=limit,
            sku=sku,
            location_id=location_id,
            kind=kind,
        )
