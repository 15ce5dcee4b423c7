"""Offline registers: uploading a till's offline sales, and the stock conflicts they leave.

A POS key reaches its own store's registers and conflicts; an admin key (which carries the POS
scope without a store) reaches every store's, and sets each location's negative-stock policy.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.params import Parameter

from omniloom.api.auth import principal, store_of
from omniloom.api.controllers.pos import Barcode, Cash, Tender, tender_request
from omniloom.api.http import idempotent_post, runtime_of
from omniloom.domain.carts import MAX_CART_LINES, Quantity
from omniloom.services.checkout.commands import Identifier, Sku
from omniloom.services.inventory import conflicts as stock_conflicts
from omniloom.services.inventory.conflicts import StockConflictView
from omniloom.services.pos import offline as pos_offline

# The register's own clock, with its UTC offset: a bare local time would be ambiguous.
LocalTime = Annotated[datetime, msgspec.Meta(tz=True)]
ConflictStatus = Literal["open", "resolved", "rejected"]
MAX_BATCH_SALES = 200


class OfflineLine(msgspec.Struct, forbid_unknown_fields=True):
    """One item as rung up: by barcode or SKU, at the price the register charged (if given)."""

    quantity: Quantity
    barcode: Barcode | None = None
    sku: Sku | None = None
    unit_price: Cash | None = None


class OfflineSale(msgspec.Struct, forbid_unknown_fields=True):
    local_id: Identifier
    occurred_at: LocalTime
    lines: Annotated[list[OfflineLine], msgspec.Meta(min_length=1, max_length=MAX_CART_LINES)]
    tenders: Annotated[list[Tender], msgspec.Meta(min_length=1, max_length=10)]
    shift_id: Identifier | None = None
    customer_id: Identifier | None = None


class OfflineBatch(msgspec.Struct, forbid_unknown_fields=True):
    batch_id: Identifier
    sales: Annotated[list[OfflineSale], msgspec.Meta(min_length=1, max_length=MAX_BATCH_SALES)]


class ResolveConflict(msgspec.Struct, forbid_unknown_fields=True):
    counted: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)]
    associate_id: Identifier | None = None


class StockPolicy(msgspec.Struct, forbid_unknown_fields=True):
    negative_stock_allowed: bool


def _batch(data: OfflineBatch) -> pos_offline.OfflineBatch:
    sales = [
        pos_offline.OfflineSale(
            local_id=sale.local_id,
            occurred_at=sale.occurred_at,
            lines=[
                pos_offline.OfflineLine(line.quantity, line.barcode, line.sku, line.unit_price)
                for line in sale.lines
            ],
            tenders=[tender_request(tender) for tender in sale.tenders],
            shift_id=sale.shift_id,
            customer_id=sale.customer_id,
        )
        for sale in data.sales
    ]
    # Of the batch as decoded, so spacing or key order in a retried upload does not matter.
    fingerprint = hashlib.sha256(msgspec.json.encode(data)).hexdigest()
    return pos_offline.OfflineBatch(data.batch_id, sales, fingerprint)


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
        batch = _batch(data)
        runtime, store = runtime_of(request), store_of(request)
        return await idempotent_post(  # type: ignore[return-value]
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
        return await idempotent_post(  # type: ignore[return-value]
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
        return await runtime_of(request).write(
            lambda unit: stock_conflicts.set_policy(
                unit, location_id, negative_stock_allowed=data.negative_stock_allowed
            ),
            principal(request).channel,
        )
