"""The scenario vocabulary: every action a step can take, its arguments and what it does.

An action's arguments are a Struct in ``vocabulary`` (the loader checks them, the schema shows
them); its builder in ``shop_actions`` or ``store_actions`` turns them into HTTP requests.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from omniloom.scenarios import messaging_actions as messaging
from omniloom.scenarios import shop_actions as shop
from omniloom.scenarios import store_actions as store
from omniloom.scenarios import vocabulary as v
from omniloom.scenarios.actor import (
    ActionError,
    Actor,
    Builder,
    Request,
    advance_clock,
    parse_duration,
)

__all__ = ["ACTIONS", "ActionError", "ActionSpec", "Actor", "Request", "advance_clock"]
__all__ += ["parse_duration"]


@dataclass(frozen=True, slots=True)
class ActionSpec:
    args: type[msgspec.Struct]
    build: Builder
    summary: str
    # The argument a bare scalar stands for (``search: boots``, ``wait: 2h``).
    primary: str | None = None


ACTIONS: dict[str, ActionSpec] = {
    "browse": ActionSpec(v.Browse, shop.browse, "list the catalog (category, q, limit)"),
    "search": ActionSpec(v.Search, shop.browse, "search the catalog", "q"),
    "view_product": ActionSpec(v.ViewProduct, shop.view_product, "open a product page", "product"),
    "find_sku": ActionSpec(
        v.FindSku, shop.find_sku, "catalog lookup: a SKU in stock at a location"
    ),
    "stock_levels": ActionSpec(
        v.StockLevels, shop.stock_levels, "units available of a SKU per location"
    ),
    "register_device": ActionSpec(
        v.RegisterDevice, shop.register_device, "register the step's device"
    ),
    "create_cart": ActionSpec(v.CreateCart, shop.create_cart, "start a cart on the step's device"),
    "add_line": ActionSpec(v.AddLine, shop.add_line, "add a SKU to the cart"),
    "change_line": ActionSpec(v.ChangeLine, shop.change_line, "change a line's quantity"),
    "remove_line": ActionSpec(v.RemoveLine, shop.remove_line, "remove a line"),
    "view_cart": ActionSpec(v.CartRef, shop.view_cart, "read the cart"),
    "share_cart": ActionSpec(v.ShareCart, shop.share_cart, "links that open the cart elsewhere"),
    "checkout": ActionSpec(v.Checkout, shop.checkout, "check out: ship_to or pickup_at, card"),
    "view_order": ActionSpec(v.OrderRef, shop.view_order, "read the order", "order"),
    "mark_ready": ActionSpec(v.OrderRef, shop.move("ready"), "order ready for pickup", "order"),
    "mark_picked_up": ActionSpec(v.OrderRef, shop.move("picked-up"), "order collected", "order"),
    "mark_fulfilled": ActionSpec(v.OrderRef, shop.move("fulfil"), "order shipped", "order"),
    "cancel_order": ActionSpec(v.OrderRef, shop.move("cancel"), "cancel the order", "order"),
    "register": ActionSpec(v.Register, shop.register, "create the shopper's account"),
    "sign_in": ActionSpec(v.SignIn, shop.sign_in, "sign in on the step's device"),
    "sign_out": ActionSpec(v.NoArgs, shop.sign_out, "sign out"),
    "identify": ActionSpec(v.Identify, shop.identify, "recognise the shopper by an identifier"),
    "wishlist": ActionSpec(v.Wishlist, shop.wishlist, "save a product for later", "product"),
    "consent": ActionSpec(v.Consent, shop.consent, "grant or withdraw consents"),
    "review": ActionSpec(v.Review, shop.review, "rate and review a product the shopper bought"),
    "customer_journey": ActionSpec(
        v.CustomerRef,
        shop.customer_journey,
        "the customer's touchpoints across channels",
        "customer",
    ),
    "handoff_code": ActionSpec(
        v.HandoffCode, store.handoff_code, "a short code to show at the till"
    ),
    "hand_off": ActionSpec(v.HandOff, store.hand_off, "load the shopper's cart onto a register"),
    "return": ActionSpec(v.Return, store.return_order, "return an order (whole, unless lines)"),
    "return_without_receipt": ActionSpec(
        v.ReturnWithoutReceipt, store.return_without_receipt, "store credit for an item, no receipt"
    ),
    "exchange": ActionSpec(v.Exchange, store.exchange, "even exchange at the till"),
    "open_shift": ActionSpec(v.OpenShift, store.open_shift, "open a register's shift"),
    "close_shift": ActionSpec(
        v.CloseShift, store.close_shift, "count the drawer and close the shift"
    ),
    "start_sale": ActionSpec(v.StartSale, store.start_sale, "start a sale on a register"),
    "scan": ActionSpec(v.Scan, store.scan, "scan an item into the sale", "barcode"),
    "pay": ActionSpec(v.Pay, store.pay, "pay at the till (tenders; default one card)"),
    "ship_to_home": ActionSpec(
        v.ShipToHome, store.ship_to_home, "endless aisle: deliver what's missing"
    ),
    "offline_batch": ActionSpec(
        v.OfflineBatch, store.offline_batch, "upload an offline till's sales"
    ),
    "social_post": ActionSpec(v.SocialPost, shop.social_post, "publish a shoppable post"),
    "social_click": ActionSpec(v.SocialClick, shop.social_click, "tap a tagged product"),
    "social_order": ActionSpec(v.SocialOrder, shop.social_order, "order inside the platform"),
    "transfer_stock": ActionSpec(v.Transfer, store.transfer_stock, "move stock between locations"),
    "adjust_stock": ActionSpec(v.Adjustment, store.adjust_stock, "correct stock by delta or count"),
    "wait": ActionSpec(v.Wait, store.wait, "let simulated time pass (30m, 2h, 3d)", "duration"),
    "verify": ActionSpec(v.NoArgs, store.verify, "the store's invariants hold"),
    "http": ActionSpec(v.Http, store.http, "any request (the escape hatch)"),
    "messaging_consent": ActionSpec(
        v.MessagingConsent, messaging.messaging_consent, "consent per messaging channel"
    ),
    "expect_message": ActionSpec(
        v.ExpectMessage, messaging.expect_message, "the next message to the shopper"
    ),
    "open_link": ActionSpec(v.OpenLink, messaging.open_link, "follow a message's tracked link"),
}
