"""Identity: register, sign in and out, identify a shopper, the identity graph, admin merge."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Router, delete, get, post
from litestar.params import Parameter

from omniloom.api.auth import principal
from omniloom.api.context import DEVICE_HEADER_BYTES, touch_context
from omniloom.api.customer_auth import (
    authorize_customer,
    current_customer,
    presented_token,
)
from omniloom.api.headers import header
from omniloom.api.http import answer, idempotent_post, runtime_of, write
from omniloom.api.ownership import (
    CART_TOKEN_HEADER,
    device_proven,
    prove_cart,
    prove_device,
    tokened,
)
from omniloom.domain.channels import Scope
from omniloom.domain.errors import CustomerTokenRequired
from omniloom.domain.identity import IdentifierKind
from omniloom.services.identity import identify as identity
from omniloom.services.identity import sign_in, throttle
from omniloom.services.identity.customer_merge import (
    CustomersMerged,
    MergeCustomers,
    merge_customers,
)
from omniloom.services.identity.identify import (
    CustomerView,
    Identified,
    Identify,
    IdentityGraph,
    ShopperDevice,
)
from omniloom.services.identity.sign_in import Register, Registered, Session, SignIn
from omniloom.services.kernel.views import Page
from omniloom.services.orders import lifecycle as orders


def _device(request: Request[Any, Any, Any], given: str | None) -> str | None:
    return given if given is not None else header(request, DEVICE_HEADER_BYTES)


def _shopper_device(request: Request[Any, Any, Any], device_id: str | None) -> ShopperDevice | None:
    """The device named, with the proofs the request carries for it (api.ownership)."""
    if device_id is None:
        return None
    return ShopperDevice(
        device_id, device_proven(request, device_id), header(request, CART_TOKEN_HEADER)
    )


class CustomerController(Controller):
    path = "/v1/customers"
    tags = ["customers"]

    @post("/", summary="Register a customer (guest orders with the email are linked)")
    async def register(self, request: Request[Any, Any, Any], data: Register) -> Registered:
        password_hash, salt = await sign_in.hash_new_password(data.password)
        return await idempotent_post(
            request, lambda unit: sign_in.register(unit, data, password_hash, salt)
        )

    @get("/{customer_id:str}", summary="A customer's profile (own token or admin key)")
    async def read(self, request: Request[Any, Any, Any], customer_id: str) -> CustomerView:
        return await identity.get_customer(runtime_of(request), customer_id)

    @get("/{customer_id:str}/identifiers", summary="A customer's identity graph")
    async def identifiers(self, request: Request[Any, Any, Any], customer_id: str) -> IdentityGraph:
        return await identity.identity_graph(runtime_of(request), customer_id)

    @get("/{customer_id:str}/orders", summary="A customer's orders (own token or admin key)")
    async def orders(
        self,
        request: Request[Any, Any, Any],
        customer_id: str,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> Page:
        return await orders.list_orders(
            runtime_of(request), customer_id=customer_id, cursor=cursor, limit=limit
        )


class SessionController(Controller):
    path = "/v1/sessions"
    tags = ["customers"]

    @post(
        "/",
        summary="Sign in: a customer token, and the device's anonymous cart merged in",
        description=(
            "Send the token back in X-Customer-Token. The anonymous cart named by `cart_id` "
            "(with its X-Cart-Token) merges into the customer's cart by `merge`: sum "
            "(default), max, guest_wins or customer_wins. Without `cart_id`, the latest "
            "anonymous cart of the device (`device_id` or X-Device-Id) merges only with proof: "
            "the device's X-Device-Token (a cart started since it registered) or that cart's "
            "X-Cart-Token. A device id alone brings no cart along."
        ),
    )
    async def sign_in(self, request: Request[Any, Any, Any], data: SignIn) -> Session:
        # Not replayed by Idempotency-Key: the stored response would keep the token in clear.
        runtime = runtime_of(request)
        device_id = _device(request, data.device_id)
        client = request.scope.get("client")
        counted = throttle.subjects(data.email, device_id, client[0] if client else None)
        customer_id = await throttle.check_password(
            runtime, data.email, data.password, counted, principal(request).channel
        )
        if data.cart_id is not None:
            # Merging a cart takes its lines: the shopper shows it is theirs.
            await prove_cart(request, data.cart_id)
        context = touch_context(request)
        if device_id is not None and context.device_id is None:
            # A device named in the body is the device the shopper signs in on.
            context = msgspec.structs.replace(context, device_id=device_id)
        session = await write(
            request,
            lambda unit: tokened(
                runtime,
                sign_in.open_session(
                    runtime, unit, customer_id, data, _shopper_device(request, device_id)
                ),
            ),
            context=context,
        )
        return answer(session, 201)

    @delete("/current", summary="Sign out: the token stops working", status_code=204)
    async def sign_out(self, request: Request[Any, Any, Any]) -> None:
        token = presented_token(request)
        if token is None:
            raise CustomerTokenRequired("Send the token to sign out in X-Customer-Token.")
        await write(request, lambda unit: sign_in.close_session(unit, token))


class IdentifyController(Controller):
    path = "/v1/identify"
    tags = ["customers"]
    # A shopper is recognised at any door, the till included.

    @post(
        "/",
        summary="Recognise a shopper by an identifier, or attach one to a customer",
        description=(
            "With a customer token (or `customer_id` and that customer's token, or an admin "
            "key) the identifier is attached to that customer; an identifier of another "
            "customer is refused with 409 `identifier_conflict`, and the shopper's anonymous "
            "cart merges as on sign-in (a device's cart with the device's proof). Attaching a "
            "`device_id` needs that device's X-Device-Token, else 404 `device_not_found`. A "
            "POS or admin key without `customer_id` looks the "
            "shopper up. A storefront key without a token only records the claim: status "
            "`claimed`, no customer id, nothing merged or linked, known identifier or not."
        ),
        status_code=200,
    )
    async def identify(self, request: Request[Any, Any, Any], data: Identify) -> Identified:
        claim_only = False
        if data.customer_id is not None:
            await authorize_customer(request, data.customer_id)
        else:
            # A signed-in shopper identifying themselves adds to their own graph.
            caller = await current_customer(request)
            if caller is not None:
                data = msgspec.structs.replace(data, customer_id=caller)
            # Staff (a till, an admin) look shoppers up; a storefront without a token only
            # records what the shopper claims (api/access.py: identify).
            claim_only = caller is None and not principal(request).allows(Scope.POS)
        device_id = _device(request, data.device_id)
        if not claim_only:
            if data.cart_id is not None:
                await prove_cart(request, data.cart_id)
            if data.kind is IdentifierKind.DEVICE_ID:
                # The device joins the customer's graph: the shopper shows it is theirs.
                prove_device(request, data.value)
                device_id = device_id or data.value
        runtime = runtime_of(request)
        device = _shopper_device(request, device_id)
        return await idempotent_post(
            request,
            lambda unit: (
                identity.record_claim(unit, data, device_id)
                if claim_only
                else tokened(runtime, identity.identify(runtime, unit, data, device))
            ),
            status_code=200,
        )


class AdminCustomerController(Controller):
    path = "/v1/admin/customers"
    tags = ["admin"]

    @post(
        "/merge",
        summary="Merge two customers who are one person",
        description=(
            "Survivorship: the survivor keeps its profile fields and password (taking the "
            "merged customer's password only if it has none), gains the merged customer's "
            "identifiers, orders and carts (active carts merged by summing), and the merged "
            "customer's tokens are revoked; it is marked `merged_into` the survivor."
        ),
        status_code=200,
    )
    async def merge(self, request: Request[Any, Any, Any], data: MergeCustomers) -> CustomersMerged:
        runtime = runtime_of(request)
        return await idempotent_post(
            request, lambda unit: merge_customers(runtime, unit, data), status_code=200
        )


identity_routes = Router(
    path="/",
    route_handlers=[
        CustomerController,
        SessionController,
        IdentifyController,
        AdminCustomerController,
    ],
)
