"""What a customer keeps with the store across channels: a wishlist, consents, their cart."""

from __future__ import annotations

from datetime import datetime

import msgspec
from sqlalchemy import Connection

from omniloom.domain.errors import NotFound
from omniloom.domain.messaging import ConsentState, MessagingChannel
from omniloom.services.carts.cart import cart_view
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.kernel.views import CartView
from omniloom.services.messaging import consent as messaging_consent
from omniloom.store import cart_queries, customer_data_queries, identity_queries

PURPOSES = ("email_marketing", "sms_marketing", "push_notifications", "personalisation")
PURPOSE_CHANNELS = {
    "email_marketing": MessagingChannel.EMAIL,
    "sms_marketing": MessagingChannel.SMS,
    "push_notifications": MessagingChannel.PUSH,
    "personalisation": MessagingChannel.TRACKING,
}


class WishlistItem(msgspec.Struct, frozen=True):
    product_id: str
    channel: str
    added_at: datetime


class Wishlist(msgspec.Struct, frozen=True):
    customer_id: str
    items: list[WishlistItem]


class Consents(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Consent per purpose; a purpose never answered is absent (and means no)."""

    email_marketing: bool | None = None
    sms_marketing: bool | None = None
    push_notifications: bool | None = None
    personalisation: bool | None = None


def _known(conn: Connection, customer_id: str) -> None:
    if identity_queries.customer(conn, customer_id) is None:
        raise NotFound(f"There is no customer {customer_id!r}.")


def _wishlist(conn: Connection, customer_id: str) -> Wishlist:
    items = [WishlistItem(*row) for row in customer_data_queries.wishlist(conn, customer_id)]
    return Wishlist(customer_id, items)


async def wishlist(runtime: Runtime, customer_id: str) -> Wishlist:
    return await runtime.read(lambda conn: _wishlist(conn, customer_id))


def add_to_wishlist(runtime: Runtime, unit: Unit, customer_id: str, product_id: str) -> Wishlist:
    _known(unit.conn, customer_id)
    product = runtime.catalog.product(unit.conn, product_id)
    if product is None or not product.sold_on(unit.channel):
        raise NotFound(f"There is no product {product_id!r} on the {unit.channel} channel.")
    if not customer_data_queries.wished(unit.conn, customer_id, product_id):
        customer_data_queries.wish(unit.conn, customer_id, product_id, unit.channel, unit.now)
        unit.emit("wishlist.item_added", customer_id=customer_id, product_id=product_id)
    return _wishlist(unit.conn, customer_id)


def remove_from_wishlist(unit: Unit, customer_id: str, product_id: str) -> Wishlist:
    if customer_data_queries.unwish(unit.conn, customer_id, product_id):
        unit.emit("wishlist.item_removed", customer_id=customer_id, product_id=product_id)
    return _wishlist(unit.conn, customer_id)


def _consents(conn: Connection, customer_id: str) -> Consents:
    return Consents(**customer_data_queries.consents(conn, customer_id))


async def consents(runtime: Runtime, customer_id: str) -> Consents:
    def work(conn: Connection) -> Consents:
        _known(conn, customer_id)
        return _consents(conn, customer_id)

    return await runtime.read(work)


def update_consents(unit: Unit, customer_id: str, changes: Consents) -> Consents:
    _known(unit.conn, customer_id)
    given = {p: v for p in PURPOSES if (v := getattr(changes, p)) is not None}
    for purpose, granted in given.items():
        customer_data_queries.set_consent(unit.conn, customer_id, purpose, granted, unit.now)
    unit.emit("customer.consents_changed", customer_id=customer_id, **given)
    # The same answers, enforced: per messaging channel, and personalisation as tracking.
    for purpose, granted in given.items():
        state = ConsentState.SUBSCRIBED if granted else ConsentState.UNSUBSCRIBED
        messaging_consent.set_state(
            unit, customer_id, PURPOSE_CHANNELS[purpose], state, f"{unit.channel} consents"
        )
    return _consents(unit.conn, customer_id)


async def current_cart(runtime: Runtime, customer_id: str) -> CartView:
    """The customer's active cart, whichever device or channel last touched it."""

    def work(conn: Connection) -> CartView:
        cart_id = cart_queries.active_cart_of_customer(conn, customer_id)
        cart = None if cart_id is None else cart_queries.cart(conn, cart_id)
        if cart is None:
            raise NotFound(f"Customer {customer_id!r} has no active cart.")
        return cart_view(conn, runtime.catalog, cart, cart_queries.lines(conn, cart["id"]))

    return await runtime.read(work)
