"""Returns: at the till (the key's store) or by mail (storefront keys)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post

from omniloom.api.auth import principal, requires_any
from omniloom.api.customer_auth import authorize_customer
from omniloom.api.http import idempotent_post, runtime_of, strict_body
from omniloom.domain.channels import Scope
from omniloom.services import returns
from omniloom.services.returns import NewReturn, ReturnView


class ReturnController(Controller):
    path = "/v1/returns"
    tags = ["returns"]
    opt = requires_any(Scope.STOREFRONT, Scope.POS)

    @post(
        "/",
        summary="Return units of an order, at a store (POS key) or by mail",
        description=(
            "A POS key takes the return at its store and restocks there; any other key takes it "
            "by mail and restocks where the units came from. `refund_to`: `original` splits the "
            "refund over the order's tenders as they paid, `store_credit` issues a gift card. "
            "Units marked `damaged` are refunded but not restocked."
        ),
    )
    async def accept(self, request: Request[Any, Any, Any], data: NewReturn) -> ReturnView:
        data = await strict_body(request, NewReturn)
        caller = principal(request)
        runtime = runtime_of(request)
        if not caller.allows(Scope.POS):
            owner = await returns.order_customer(runtime, data.order_id)
            if owner is not None:
                await authorize_customer(request, owner)
        store = caller.location_id if caller.allows(Scope.POS) else None
        return await idempotent_post(  # type: ignore[return-value]
            request, lambda unit: returns.accept_return(runtime, unit, data, store)
        )
