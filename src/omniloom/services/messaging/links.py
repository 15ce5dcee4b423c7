"""Tracked links: a click opens the cart (or the product) on the shopper's device and credits
the message.

The click is a touchpoint on the messaging channel carrying the message's campaign
(``utm_source=omniloom``, ``utm_medium`` = the channel, ``utm_campaign``), so attribution
credits the channel that brought the shopper back.
"""

from __future__ import annotations

import msgspec

from omniloom.domain.errors import NotFound
from omniloom.services.carts.cart import cart_view
from omniloom.services.kernel.context import TouchContext
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.kernel.views import CartView
from omniloom.store import cart_queries, outbox_queries

UTM_SOURCE = "omniloom"


class LinkOpened(msgspec.Struct, frozen=True):
    message_id: str
    channel: str
    campaign: str | None
    # The cart the message brings the shopper back to; null for a link to a product.
    cart: CartView | None
    # The product the message shows (read it at /v1/products/{product_id}); null for a cart.
    product_id: str | None = None


def click(runtime: Runtime, unit: Unit, token: str) -> LinkOpened:
    message = outbox_queries.by_link(unit.conn, token)
    cart = None
    if message is not None and message["cart_id"] is not None:
        cart = cart_queries.cart(unit.conn, message["cart_id"])
    if message is None or (cart is None and message["product_id"] is None):
        raise NotFound("This link is not known (or the outbox was cleared).")
    outbox_queries.mark_clicked(unit.conn, message["id"], unit.now)
    campaign = {"source": UTM_SOURCE, "medium": message["channel"]}
    if message["campaign"]:
        campaign["campaign"] = message["campaign"]
    unit.context = TouchContext(device_id=unit.context.device_id, campaign=campaign)
    unit.emit(
        "link.clicked",
        customer_id=message["customer_id"],
        cart_id=None if cart is None else cart["id"],
        product_id=message["product_id"],
        message_id=message["id"],
        messaging_channel=message["channel"],
    )
    if cart is None:
        return LinkOpened(
            message["id"], message["channel"], message["campaign"], None, message["product_id"]
        )
    lines = cart_queries.lines(unit.conn, cart["id"])
    return LinkOpened(
        message["id"],
        message["channel"],
        message["campaign"],
        cart_view(unit.conn, runtime.catalog, cart, lines),
        message["product_id"],
    )
