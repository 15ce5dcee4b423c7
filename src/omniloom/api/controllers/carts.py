"""Carts and checkout: one shared cart, whichever device or channel touches it."""

from __future__ import annotations

from functools import partial
from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post

from omniloom.api.customer_auth import acting_customer, authorize_customer
from omniloom.api.http import (
    answer,
    etag,
    expected_version,
    idempotent_post,
    runtime_of,
    write,
)
from omniloom.api.ownership import tokened, with_cart_token
from omniloom.services.carts import cart as carts
from omniloom.services.carts import links as cart_links
from omniloom.services.carts.links import CartLinks, ShareCart
from omniloom.services.checkout import cart_checkout as checkout
from omniloom.services.checkout.commands import AddLine, ChangeLine, Checkout, CreateCart
from omniloom.services.kernel import idempotency
from omniloom.services.kernel.views import CartView, OrderView


def _cart_etag(outcome: idempotency.Outcome) -> dict[str, str]:
    if isinstance(outcome.result, CartView):
        return etag(outcome.result.version)
    return etag(msgspec.json.decode(outcome.body, type=_Versioned).version)


class _Versioned(msgspec.Struct):
    version: int


def _cart_response(request: Request[Any, Any, Any], cart: CartView) -> CartView:
    cart = with_cart_token(runtime_of(request), cart)
    return answer(cart, headers=etag(cart.version))


class CartController(Controller):
    path = "/v1/carts"
    tags = ["carts"]

    @post("/", summary="Create a cart", status_code=201)
    async def create(self, request: Request[Any, Any, Any], data: CreateCart) -> CartView:
        if data.customer_id is not None:
            # A cart for a customer is theirs: only their token (or an admin key) makes one.
            await authorize_customer(request, data.customer_id)
        caller = await acting_customer(request)
        runtime = runtime_of(request)
        work = partial(
            carts.create_cart,
            runtime,
            device_id=data.device_id,
            customer_id=data.customer_id or caller,
        )
        return await idempotent_post(
            request, lambda unit: tokened(runtime, work(unit)), headers_from=_cart_etag
        )

    @get("/{cart_id:str}", summary="Read a cart (ETag carries its version)")
    async def read(self, request: Request[Any, Any, Any], cart_id: str) -> CartView:
        cart = await carts.get_cart(runtime_of(request), cart_id, await acting_customer(request))
        return _cart_response(request, cart)

    @post("/{cart_id:str}/lines", summary="Add a SKU to a cart", status_code=200)
    async def add_line(
        self, request: Request[Any, Any, Any], cart_id: str, data: AddLine
    ) -> CartView:
        runtime = runtime_of(request)
        work = partial(
            carts.add_line,
            runtime,
            cart_id=cart_id,
            sku=data.sku,
            quantity=data.quantity,
            expected_version=expected_version(request),
            caller=await acting_customer(request),
        )
        return await idempotent_post(
            request,
            lambda unit: tokened(runtime, work(unit)),
            status_code=200,
            headers_from=_cart_etag,
        )

    @patch("/{cart_id:str}/lines/{line_id:str}", summary="Change a line's quantity")
    async def change_line(
        self, request: Request[Any, Any, Any], cart_id: str, line_id: str, data: ChangeLine
    ) -> CartView:
        runtime = runtime_of(request)
        version = expected_version(request)
        caller = await acting_customer(request)
        cart = await write(
            request,
            lambda unit: carts.change_line(
                runtime,
                unit,
                cart_id,
                line_id,
                quantity=data.quantity,
                expected_version=version,
                caller=caller,
            ),
        )
        return _cart_response(request, cart)

    @delete("/{cart_id:str}/lines/{line_id:str}", summary="Remove a line", status_code=200)
    async def remove_line(
        self, request: Request[Any, Any, Any], cart_id: str, line_id: str
    ) -> CartView:
        runtime = runtime_of(request)
        version = expected_version(request)
        caller = await acting_customer(request)
        cart = await write(
            request,
            lambda unit: carts.remove_line(
                runtime, unit, cart_id, line_id, expected_version=version, caller=caller
            ),
        )
        return _cart_response(request, cart)

    @post(
        "/{cart_id:str}/links",
        summary="Links that open this cart on another device or from a message",
        status_code=200,
    )
    async def share(
        self, request: Request[Any, Any, Any], cart_id: str, data: ShareCart
    ) -> CartLinks:
        caller = await acting_customer(request)
        token = runtime_of(request).proofs.cart_token(cart_id)
        return await idempotent_post(
            request,
            lambda unit: cart_links.share(unit, cart_id, data, caller, token),
            status_code=200,
        )

    @post("/{cart_id:str}/checkout", summary="Check out a cart into a paid order", status_code=201)
    async def checkout(
        self, request: Request[Any, Any, Any], cart_id: str, data: Checkout
    ) -> OrderView:
        runtime = runtime_of(request)
        version = expected_version(request)
        caller = await acting_customer(request)
        return await idempotent_post(
            request,
            lambda unit: tokened(
                runtime, checkout.place_order(runtime, unit, cart_id, data, version, caller)
            ),
        )
