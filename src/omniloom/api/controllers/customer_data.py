"""A customer's wishlist, consents and current cart (their own token, or an admin key)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post, put

from omniloom.api.http import idempotent_post, runtime_of, write
from omniloom.services.identity import customer_data
from omniloom.services.identity.commands import WishProduct
from omniloom.services.identity.customer_data import Consents, Wishlist
from omniloom.services.kernel.views import CartView


class CustomerDataController(Controller):
    path = "/v1/customers/{customer_id:str}"
    tags = ["customers"]

    @get("/wishlist", summary="The customer's wishlist")
    async def wishlist(self, request: Request[Any, Any, Any], customer_id: str) -> Wishlist:
        return await customer_data.wishlist(runtime_of(request), customer_id)

    @post("/wishlist", summary="Save a product for later", status_code=200)
    async def wish(
        self, request: Request[Any, Any, Any], customer_id: str, data: WishProduct
    ) -> Wishlist:
        runtime = runtime_of(request)
        return await idempotent_post(
            request,
            lambda unit: customer_data.add_to_wishlist(runtime, unit, customer_id, data.product_id),
            status_code=200,
        )

    @delete(
        "/wishlist/{product_id:str}", summary="Take a product off the wishlist", status_code=200
    )
    async def unwish(
        self, request: Request[Any, Any, Any], customer_id: str, product_id: str
    ) -> Wishlist:
        return await write(
            request, lambda unit: customer_data.remove_from_wishlist(unit, customer_id, product_id)
        )

    @get("/consents", summary="What the customer agreed to, per purpose")
    async def consents(self, request: Request[Any, Any, Any], customer_id: str) -> Consents:
        return await customer_data.consents(runtime_of(request), customer_id)

    @put("/consents", summary="Grant or withdraw consent for some purposes")
    async def update_consents(
        self, request: Request[Any, Any, Any], customer_id: str, data: Consents
    ) -> Consents:
        return await write(
            request, lambda unit: customer_data.update_consents(unit, customer_id, data)
        )

    @get("/cart", summary="The customer's active cart, from whichever device")
    async def cart(self, request: Request[Any, Any, Any], customer_id: str) -> CartView:
        return await customer_data.current_cart(runtime_of(request), customer_id)
