"""Social commerce: shoppable posts, clicks from them, and orders placed inside the platform.

A social platform is one more door into the same store: a post tags products sold on the
``social`` channel; a click from a post is a product view with the post as its campaign; an
in-platform order is a cart built and checked out in one unit of work against the same stock,
and belongs to the customer the buyer's handle is linked to, when it is.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import msgspec
from sqlalchemy import Connection

from omniloom.domain.carts import Quantity
from omniloom.domain.errors import DomainError, FieldError, InvalidInput, NotFound
from omniloom.domain.identity import IdentifierKind, normalise
from omniloom.services.carts import cart as carts
from omniloom.services.checkout import cart_checkout as checkout
from omniloom.services.checkout.commands import Address, CardPayment, Checkout, Email, Ship, Sku
from omniloom.services.identity.identify import resolve_identifier
from omniloom.services.kernel.context import TouchContext
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.kernel.views import OrderView
from omniloom.store import social_queries

SOCIAL = "social"
MAX_TAGGED = 20


class Platform(StrEnum):
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    FACEBOOK = "facebook"
    PINTEREST = "pinterest"


ProductId = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Handle = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]


class NewPost(msgspec.Struct, forbid_unknown_fields=True):
    platform: Platform
    caption: Annotated[str, msgspec.Meta(max_length=2_200)]
    product_ids: Annotated[list[ProductId], msgspec.Meta(min_length=1, max_length=MAX_TAGGED)]


class PostView(msgspec.Struct, frozen=True):
    id: str
    platform: str
    caption: str
    product_ids: list[str]
    created_at: datetime


class PostClick(msgspec.Struct, forbid_unknown_fields=True):
    product_id: ProductId
    handle: Handle | None = None


class SocialItem(msgspec.Struct, forbid_unknown_fields=True):
    sku: Sku
    quantity: Quantity = 1


class SocialOrder(msgspec.Struct, forbid_unknown_fields=True):
    platform: Platform
    handle: Handle
    items: Annotated[list[SocialItem], msgspec.Meta(min_length=1, max_length=50)]
    ship_to: Address
    payment: CardPayment
    post_id: ProductId | None = None
    email: Email | None = None


def create_post(runtime: Runtime, unit: Unit, command: NewPost) -> PostView:
    for index, product_id in enumerate(command.product_ids):
        product = runtime.catalog.product(unit.conn, product_id)
        if product is None or not product.sold_on(SOCIAL):
            raise InvalidInput(
                f"{product_id!r} is not a product sold on the social channel.",
                errors=[FieldError(f"product_ids[{index}]", "not sold on social")],
            )
    row: dict[str, Any] = {
        "id": unit.ids.new("post"),
        "platform": command.platform.value,
        "caption": command.caption,
        "product_ids": list(command.product_ids),
        "created_at": unit.now,
    }
    social_queries.insert(unit.conn, row)
    unit.emit("social.post_published", post_id=row["id"], platform=row["platform"])
    return PostView(**row)


def _post(conn: Connection, post_id: str) -> PostView:
    row = social_queries.get(conn, post_id)
    if row is None:
        raise NotFound(f"There is no post {post_id!r}.")
    return PostView(**row)


async def get_post(runtime: Runtime, post_id: str) -> PostView:
    return await runtime.read(lambda conn: _post(conn, post_id))


def _customer_of(conn: Connection, handle: str, field: str) -> str | None:
    return resolve_identifier(
        conn, IdentifierKind.SOCIAL_HANDLE, normalise(IdentifierKind.SOCIAL_HANDLE, handle, field)
    )


def post_campaign(post: PostView, product_id: str) -> dict[str, str]:
    """The campaign fields a touch from a post carries: platform, social, the post, the product."""
    return {
        "source": post.platform,
        "medium": "social",
        "campaign": post.id,
        "content": product_id,
    }


def click(unit: Unit, post_id: str, command: PostClick) -> PostView:
    """A shopper tapped a tagged product: a product view whose campaign is the post."""
    post = _post(unit.conn, post_id)
    if command.product_id not in post.product_ids:
        raise InvalidInput(
            f"Post {post_id!r} does not tag {command.product_id!r}.",
            errors=[FieldError("product_id", "not tagged in this post")],
        )
    customer_id = (
        None if command.handle is None else _customer_of(unit.conn, command.handle, "handle")
    )
    unit.context = TouchContext(
        device_id=unit.context.device_id, campaign=post_campaign(post, command.product_id)
    )
    unit.emit(
        "catalog.product_viewed",
        product_id=command.product_id,
        customer_id=customer_id,
        post_id=post.id,
    )
    return post


def place_social_order(runtime: Runtime, unit: Unit, command: SocialOrder) -> OrderView:
    """Build a cart for the buyer's handle and check it out, all in this one unit of work."""
    customer_id = _customer_of(unit.conn, command.handle, "handle")
    if command.post_id is not None:
        post = _post(unit.conn, command.post_id)
        unit.context = TouchContext(
            device_id=unit.context.device_id,
            campaign={"source": post.platform, "medium": "social", "campaign": post.id},
        )
    cart = carts.create_cart(runtime, unit, device_id=None, customer_id=customer_id)
    for index, item in enumerate(command.items):
        try:
            carts.add_line(
                runtime, unit, cart.id, sku=item.sku, quantity=item.quantity, expected_version=None
            )
        except DomainError as exc:
            # Name the item at fault in the social order, not the line of the hidden cart.
            for error in exc.errors:
                error.field = f"items[{index}].{error.field}"
            raise
    order = checkout.place_order(
        runtime,
        unit,
        cart.id,
        Checkout(
            fulfilment=Ship(address=command.ship_to), payment=command.payment, email=command.email
        ),
        expected_version=None,
    )
    unit.emit(
        "social.order_placed",
        order_id=order.id,
        customer_id=customer_id,
        platform=command.platform.value,
        handle=normalise(IdentifierKind.SOCIAL_HANDLE, command.handle, "handle"),
    )
    return order
