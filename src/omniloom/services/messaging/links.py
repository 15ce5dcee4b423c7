"""Tracked links: a click opens the cart on the shopper's device and credits the message.

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
    cart: CartView


def click(runtime: Runtime, unit: Unit, token: str) -> LinkOpened:
    message = outbox_queries.by_link(unit.conn, token)
    cart = None if message is None else cart_queries.cart(unit.conn, message["cart_id"])
    if message is None or cart is None:
        raise NotFound("This link is not known (or the outbox was cleared).")
    outbox_queries.mark_clicked(unit.conn, message["id"], unit.now)
    campaign = {"source": UTM_SOURCE, "medium": message["channel"]}
    if message["campaign"]:
        campaign["campaign"] = message["campaign"]
    unit.context = TouchContext(device_id=unit.context.device_id, campaign=campaign)
    unit.emit(
        "link.clicked",
        customer_id=message["customer_id"],
        cart_id=cart["id"],
        message_id=message["id"],
        messaging_channel=message["channel"],
    )
    lines = cart_queries.lines(unit.conn, cart["id"])
    return LinkOpened(
        message["id"],
        message["channel"],
        message["campaign"],
        cart_view(unit.conn, runtime.catalog, cart, lines),
    )
