"""Links that open the same cart elsewhere: "continue on another device", or a cart sent in a
direct message. The link is the cart itself, so whoever opens it sees the one shared cart; it
carries the cart's token, since opening a cart needs proof (api.ownership)."""

from __future__ import annotations

from enum import StrEnum

import msgspec

from omniloom.domain.errors import CartNotFound
from omniloom.services.carts.cart import check_owner
from omniloom.services.kernel.unit import Unit
from omniloom.store import cart_queries

WEB_BASE = "https://shop.omniloom.test/cart/"
APP_BASE = "omniloom://cart/"


class Via(StrEnum):
    DEVICE = "device"  # the shopper's own other device
    DM = "dm"
    SMS = "sms"
    EMAIL = "email"


class ShareCart(msgspec.Struct, forbid_unknown_fields=True):
    via: Via = Via.DEVICE


class CartLinks(msgspec.Struct, frozen=True):
    cart_id: str
    web_url: str
    app_url: str
    via: str
    # The cart's secret travels in the link: whoever opens it may use the cart, as its sender.
    cart_token: str | None = None


def share(
    unit: Unit, cart_id: str, command: ShareCart, caller: str | None = None, token: str = ""
) -> CartLinks:
    cart = cart_queries.cart(unit.conn, cart_id)
    if cart is None:
        raise CartNotFound(f"There is no cart {cart_id!r}.")
    check_owner(cart, caller)
    unit.emit(
        "cart.link_shared", cart_id=cart_id, customer_id=cart["customer_id"], via=command.via.value
    )
    query = f"?cart_token={token}" if token else ""
    return CartLinks(
        cart_id,
        WEB_BASE + cart_id + query,
        APP_BASE + cart_id + query,
        command.via.value,
        token or None,
    )
