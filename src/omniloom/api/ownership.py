"""Proofs of ownership: may this request touch this cart, this order, this customer's data?

Storefront keys are public, so a key proves only which door a request came through. What a
shopper owns needs one of:

- a cart: ``X-Cart-Token`` (handed out with the cart), the owner's ``X-Customer-Token``, a POS
  key (a register loads any cart handed to it) or an admin key;
- an order: ``X-Order-Token`` (handed out with the order), the owner's ``X-Customer-Token``,
  a POS key or an admin key;
- a customer's data: that customer's ``X-Customer-Token`` or an admin key;
- a device: ``X-Device-Token`` (handed to the install that registered it), a POS key or an
  admin key. ``X-Device-Id`` alone names a device and proves nothing.

A cart or order the caller cannot prove is answered exactly as one that does not exist
(404 ``cart_not_found`` / ``order_not_found``), so ids cannot be probed for existence.
"""

from __future__ import annotations

from typing import TypeVar

import msgspec

from omniloom.api.auth import principal
from omniloom.api.customer_auth import Connection, authorize_customer, current_customer
from omniloom.api.headers import header
from omniloom.api.http import runtime_of
from omniloom.domain.channels import Scope
from omniloom.domain.errors import CartNotFound, DeviceNotFound, OrderNotFound
from omniloom.services.carts import cart as carts
from omniloom.services.carts.merge import MergeResult
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.views import CartView, OrderView
from omniloom.services.orders import lifecycle as orders

T = TypeVar("T")

CART_TOKEN_HEADER = b"x-cart-token"
ORDER_TOKEN_HEADER = b"x-order-token"
DEVICE_TOKEN_HEADER = b"x-device-token"


def _trusted(connection: Connection) -> bool:
    """Admin keys and tills: staff, who serve whichever shopper stands in front of them."""
    return principal(connection).allows(Scope.POS)


async def prove_cart(connection: Connection, cart_id: str) -> None:
    if _trusted(connection):
        return
    runtime = runtime_of(connection)
    if runtime.proofs.is_cart_token(cart_id, header(connection, CART_TOKEN_HEADER)):
        return
    customer = await current_customer(connection)
    if customer is not None and await carts.cart_owner(runtime, cart_id) == customer:
        return
    raise CartNotFound(f"There is no cart {cart_id!r}.")


async def prove_order(connection: Connection, order_id: str) -> None:
    if _trusted(connection):
        return
    runtime = runtime_of(connection)
    if runtime.proofs.is_order_token(order_id, header(connection, ORDER_TOKEN_HEADER)):
        return
    customer = await current_customer(connection)
    if customer is not None and await orders.order_owner(runtime, order_id) == customer:
        return
    raise OrderNotFound(f"There is no order {order_id!r}.")


def device_proven(connection: Connection, device_id: str) -> bool:
    """Whether the request shows it is ``device_id`` (its token) or comes from staff."""
    if _trusted(connection):
        return True
    token = header(connection, DEVICE_TOKEN_HEADER)
    return runtime_of(connection).proofs.is_device_token(device_id, token)


def prove_device(connection: Connection, device_id: str) -> None:
    if not device_proven(connection, device_id):
        raise DeviceNotFound(f"There is no device {device_id!r}.")


async def prove_customer(connection: Connection, customer_id: str) -> None:
    await authorize_customer(connection, customer_id)


def with_cart_token(runtime: Runtime, cart: CartView) -> CartView:
    """The cart as its proven holder sees it: with the secret that reaches it again."""
    return msgspec.structs.replace(cart, cart_token=runtime.proofs.cart_token(cart.id))


def with_order_token(runtime: Runtime, order: OrderView) -> OrderView:
    return msgspec.structs.replace(order, order_token=runtime.proofs.order_token(order.id))


def tokened(runtime: Runtime, result: T) -> T:
    """``result`` with its secret filled in: a cart, an order, or an answer carrying a merged
    cart (sign-in, identify), each handed to a caller who just proved it may have it."""
    if isinstance(result, CartView):
        return with_cart_token(runtime, result)  # type: ignore[return-value]
    if isinstance(result, OrderView):
        return with_order_token(runtime, result)  # type: ignore[return-value]
    merge = getattr(result, "merge", None)
    if isinstance(merge, MergeResult) and merge.cart is not None:
        merge = msgspec.structs.replace(merge, cart=with_cart_token(runtime, merge.cart))
        return msgspec.structs.replace(result, merge=merge)  # type: ignore[type-var]
    return result
