"""Orders: read one, list a customer's own."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import Parameter

from omniloom.api.auth import principal
from omniloom.api.customer_auth import authorize_customer
from omniloom.api.http import runtime_of
from omniloom.api.ownership import with_order_token
from omniloom.domain.channels import Scope
from omniloom.domain.errors import FieldError, InvalidInput
from omniloom.services.kernel.views import OrderView, Page
from omniloom.services.orders import lifecycle as orders


class OrderController(Controller):
    path = "/v1/orders"
    tags = ["orders"]

    @get("/{order_id:str}", summary="Read an order")
    async def read(self, request: Request[Any, Any, Any], order_id: str) -> OrderView:
        runtime = runtime_of(request)
        return with_order_token(runtime, await orders.get_order(runtime, order_id))

    @get("/", summary="List a customer's orders (admin keys may list all)")
    async def list(
        self,
        request: Request[Any, Any, Any],
        customer_id: Annotated[str | None, Parameter(max_length=40)] = None,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> Page:
        if customer_id is None and not principal(request).allows(Scope.ADMIN):
            raise InvalidInput(
                "Name the customer whose orders to list.",
                errors=[FieldError("customer_id", "required for storefront keys")],
            )
        if customer_id is not None:
            await authorize_customer(request, customer_id)
        return await orders.list_orders(
            runtime_of(request), customer_id=customer_id, cursor=cursor, limit=limit
        )
