"""Offline registers: uploading a till's offline sales, and the stock conflicts they leave.

A POS key reaches its own store's registers and conflicts; an admin key (which carries the POS
scope without a store) reaches every store's, and sets each location's negative-stock policy.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post, put
from litestar.params import Parameter

from omniloom.api.auth import store_of
from omniloom.api.http import idempotent_post, runtime_of, write
from omniloom.services.inventory import conflicts as stock_conflicts
from omniloom.services.inventory.commands import ResolveConflict, StockPolicy
from omniloom.services.inventory.conflicts import StockConflictView
from omniloom.services.pos import offline as pos_offline
from omniloom.services.pos.commands import OfflineBatch, offline_batch

ConflictStatus = Literal["open", "resolved", "rejected"]
Limit = Annotated[int, Parameter(ge=1, le=500)]


class PosOfflineController(Controller):
    path = "/v1/pos"
    tags = ["pos"]

    @post(
        "/registers/{register_id:str}/offline-batches",
        summary="Upload the sales a register kept offline; each is applied or flagged",
    )
    async def upload(
        self, request: Request[Any, Any, Any], register_id: str, data: OfflineBatch
    ) -> pos_offline.BatchResult:
        batch = offline_batch(data)
        runtime, store = runtime_of(request), store_of(request)
        return await idempotent_post(
            request, lambda unit: pos_offline.reconcile(runtime, unit, store, register_id, batch)
        )

    # An admin key has no store, so it sees every store's conflicts here.
    @get("/stock-conflicts", summary="This store's stock conflicts (all, for admins), newest first")
    async def conflicts(
        self,
        request: Request[Any, Any, Any],
        status: ConflictStatus | None = None,
        limit: Limit = 100,
    ) -> list[StockConflictView]:
        store = store_of(request)
        return await stock_conflicts.list_conflicts(runtime_of(request), store, status, limit)

    @post(
        "/stock-conflicts/{conflict_id:str}/resolve",
        summary="Settle an oversell with a physical count (an adjustment in the ledger)",
        status_code=200,
    )
    async def resolve(
        self, request: Request[Any, Any, Any], conflict_id: str, data: ResolveConflict
    ) -> stock_conflicts.CountView:
        store = store_of(request)
        return await idempotent_post(
            request,
            lambda unit: stock_conflicts.resolve(
                unit, store, conflict_id, counted=data.counted, associate_id=data.associate_id
            ),
            status_code=200,
        )


class StockPolicyController(Controller):
    path = "/v1/admin/locations"
    tags = ["admin"]

    @put(
        "/{location_id:str}/stock-policy",
        summary="May offline sales take this location's stock below zero?",
    )
    async def set_policy(
        self, request: Request[Any, Any, Any], location_id: str, data: StockPolicy
    ) -> stock_conflicts.StockPolicyView:
        return await write(
            request,
            lambda unit: stock_conflicts.set_policy(
                unit, location_id, negative_stock_allowed=data.negative_stock_allowed
            ),
        )
