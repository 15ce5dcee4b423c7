"""Returns: at the till (the key's store) or by mail (storefront keys); exchanges and returns
without a receipt at the till only."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post

from omniloom.api.auth import principal, store_of
from omniloom.api.http import idempotent_post, runtime_of
from omniloom.api.ownership import prove_order
from omniloom.domain.channels import Scope
from omniloom.services.returns import exchanges
from omniloom.services.returns import order_returns as returns
from omniloom.services.returns import receiptless as receiptless_returns
from omniloom.services.returns.exchanges import ExchangeView, NewExchange
from omniloom.services.returns.order_returns import NewReturn, ReturnView
from omniloom.services.returns.receiptless import NewReceiptlessReturn, ReceiptlessReturnView


class ReturnController(Controller):
    path = "/v1/returns"
    tags = ["returns"]

    @post(
        "/",
        summary="Return units of an order, at a store (POS key) or by mail",
        description=(
            "A POS key takes the return at its store and restocks there; any other key takes it "
            "by mail and restocks where the units came from. `refund_to`: `original` splits the "
            "refund over the order's tenders as they paid, `store_credit` issues a gift card. "
            "Units marked `damaged` are refunded but not restocked. At the till, a refund "
            "that is partly cash names the `register_id` whose open shift pays it out."
        ),
    )
    async def accept(self, request: Request[Any, Any, Any], data: NewReturn) -> ReturnView:
        caller = principal(request)
        runtime = runtime_of(request)
        # Refunds go to whoever proves the order is theirs (or to the till's customer).
        await prove_order(request, data.order_id)
        store = caller.location_id if caller.allows(Scope.POS) else None
        return await idempotent_post(
            request, lambda unit: returns.accept_return(runtime, unit, data, store)
        )

    @post(
        "/exchanges",
        summary="Exchange units of an order for others of the same price, at the till",
        description=(
            "Even exchanges only: the order lines' unit prices (as sold, before promotions) of "
            "the units coming back must add up to the store's current prices of the "
            "replacements (by `sku` or `barcode`), else 422 `exchange_not_even`. No money "
            "moves. Returned units are restocked at the store (or `damaged`); replacements "
            "leave the store's shelf, 409 `insufficient_stock` when it lacks them."
        ),
    )
    async def exchange(self, request: Request[Any, Any, Any], data: NewExchange) -> ExchangeView:
        runtime = runtime_of(request)
        store = store_of(request)
        return await idempotent_post(
            request, lambda unit: exchanges.exchange(runtime, unit, data, store)
        )

    @post(
        "/without-receipt",
        summary="Take back an item without a receipt, for store credit, at the till",
        description=(
            "Credited as a new gift card at the lowest price a unit of the SKU was paid on any "
            "channel in the last `OMNILOOM_RECEIPTLESS_LOOKBACK_DAYS` days (30), or its lowest "
            "current price if it did not sell then; tax is not refunded. The shopper is named "
            "(`customer_id`, required) and gets at most 3 such returns in 30 days "
            "(`receiptless_limit_reached`)."
        ),
    )
    async def without_receipt(
        self, request: Request[Any, Any, Any], data: NewReceiptlessReturn
    ) -> ReceiptlessReturnView:
        runtime = runtime_of(request)
        store = store_of(request)
        return await idempotent_post(
            request, lambda unit: receiptless_returns.accept(runtime, unit, data, store)
        )
