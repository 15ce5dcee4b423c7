"""What each action does over HTTP: the scenario vocabulary mapped onto omniloom's API.

An action is a small generator: it yields ``Request``s (the journey adds keys and tokens) and
returns the reply its step's expectations are checked against. Most actions are one request;
``find_sku`` walks the catalog and answers with what it found. Arguments arrive already rendered
(placeholders replaced) and checked against the action's Struct in ``vocabulary``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import msgspec

from omniloom.scenarios import vocabulary as v
from omniloom.scenarios.protocol import HttpReply


class Request(msgspec.Struct, frozen=True):
    method: str
    path: str
    json: Any = None
    # Admin-only routes (the clock, stock moves, order moves) go out with the admin key.
    channel: str | None = None
    headers: dict[str, str] = msgspec.field(default_factory=dict)


@dataclass(slots=True)
class Actor:
    """A shopper (or an associate) as the journey knows them: who they are, and the cart, sale,
    order and sign-in they currently have, learned from the answers they got."""

    name: str
    profile: dict[str, Any]
    # Every order the journey's actors saw, by id (shared between them).
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    customer_id: str | None = None
    token: str | None = None
    cart: str | None = None
    sale: str | None = None
    sale_total: int | None = None
    order: str | None = None

    def learn(self, action: str, body: Any) -> None:
        """Remember what this answer makes current (a new cart, a sign-in, a placed order)."""
        if not isinstance(body, dict):
            return
        if action == "sign_in" and "token" in body:
            self.token, self.customer_id = body["token"], body.get("customer_id")
            merged = (body.get("merge") or {}).get("cart")
            if merged:  # the device's cart merged into the customer's: that one is current now
                self.cart = merged["id"]
        elif action == "register" and isinstance(body.get("customer"), dict):
            self.customer_id = body["customer"]["id"]
        elif "register_id" in body and "cart_id" in body and "subtotal" in body:
            self.sale, self.sale_total = body["cart_id"], body.get("total")
        elif "version" in body and "lines" in body and "item_count" in body:
            self.cart = body["id"]
        elif "fulfilment" in body and "total" in body and "id" in body:
            self.order = body["id"]
            self.orders[body["id"]] = body


Plan = Generator[Request, HttpReply, HttpReply]
Builder = Callable[[dict[str, Any], Actor, str | None], Plan]


@dataclass(frozen=True, slots=True)
class ActionSpec:
    args: type[msgspec.Struct]
    build: Builder
    summary: str
    # The argument a bare scalar stands for (``search: boots``, ``wait: 2h``).
    primary: str | None = None


def _one(request: Request) -> Plan:
    reply = yield request
    return reply


def _need(value: str | None, what: str) -> str:
    if not value:
        raise ActionError(f"no {what} yet: name one, or run a step that makes one first")
    return value


class ActionError(Exception):
    """An action that cannot be built from what the journey knows (no cart yet, …)."""


def _query(path: str, params: dict[str, Any]) -> str:
    present = {k: val for k, val in params.items() if val is not None}
    return f"{path}?{urlencode(present)}" if present else path


def _seg(value: Any) -> str:
    return quote(str(value), safe="")


# --- catalog -------------------------------------------------------------------------------------


def browse(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from _one(Request("GET", _query("/v1/products", a))))


def view_product(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from _one(Request("GET", f"/v1/products/{_seg(a['product'])}")))


def find_sku(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    """Page through the catalog in its own order for the first SKU with enough units at ``at``.

    A lookup by the scenario's author, not a shopper's browsing: it goes out with the admin key
    and no device, so it leaves no touchpoint in the journey."""
    need, budget, cursor = int(a.get("min_available", 1)), int(a.get("scan", 60)), None
    filters = {"category": a.get("category"), "q": a.get("q"), "limit": 20}
    while budget > 0:
        page = yield Request(
            "GET", _query("/v1/products", {**filters, "cursor": cursor}), None, "admin"
        )
        if page.status != 200:
            return page
        for item in page.json["items"]:
            budget -= 1
            detail = yield Request("GET", f"/v1/products/{_seg(item['id'])}", None, "admin")
            for sku in detail.json.get("skus", []) if detail.status == 200 else []:
                levels = {level["location_id"]: level["available"] for level in sku["stock"]}
                if levels.get(a.get("not_at"), 0) > 0:
                    continue
                for level in sku["stock"]:
                    if level["location_id"] == a["at"] and level["available"] >= need:
                        found = {"product_id": item["id"], "available": level["available"]}
                        found |= {k: sku[k] for k in ("sku", "barcode", "title", "price")}
                        return HttpReply(200, {}, found)
        cursor = page.json.get("next_cursor")
        if not cursor:
            break
    return HttpReply(404, {}, {"code": "not_found", "detail": f"no SKU with {need} at {a['at']}"})


# --- devices, carts, checkout ---------------------------------------------------------------------


def register_device(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    body = {"id": _need(device, "device (set the step's device)"), **a}
    return (yield from _one(Request("POST", "/v1/devices", body)))


def create_cart(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    body = {k: val for k, val in {"device_id": device, **a}.items() if val is not None}
    return (yield from _one(Request("POST", "/v1/carts", body)))


def _cart(a: dict[str, Any], actor: Actor) -> str:
    return _seg(_need(a.pop("cart", None) or actor.cart, "cart"))


def add_line(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    cart = _cart(a, actor)
    return (yield from _one(Request("POST", f"/v1/carts/{cart}/lines", a)))


def change_line(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    cart, line = _cart(a, actor), _seg(a.pop("line"))
    return (yield from _one(Request("PATCH", f"/v1/carts/{cart}/lines/{line}", a)))


def remove_line(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    cart, line = _cart(a, actor), _seg(a.pop("line"))
    return (yield from _one(Request("DELETE", f"/v1/carts/{cart}/lines/{line}")))


def view_cart(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from _one(Request("GET", f"/v1/carts/{_cart(a, actor)}")))


def share_cart(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    cart = _cart(a, actor)
    return (yield from _one(Request("POST", f"/v1/carts/{cart}/links", a)))


def _address(value: Any, actor: Actor) -> dict[str, Any]:
    if value in (None, "home"):
        return dict(actor.profile["address"])
    if isinstance(value, dict):
        return value
    raise ActionError(f"ship_to is an address or 'home', not {value!r}")


def checkout(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    cart = _cart(a, actor)
    fulfilment: dict[str, Any]
    if a.get("pickup_at"):
        fulfilment = {"type": "pickup", "location_id": a["pickup_at"]}
    else:
        fulfilment = {"type": "ship", "address": _address(a.get("ship_to"), actor)}
    body: dict[str, Any] = {
        "fulfilment": fulfilment,
        "payment": {"method": "card", "card_number": a["card"]},
    }
    if a.get("email"):
        body["email"] = a["email"]
    return (yield from _one(Request("POST", f"/v1/carts/{cart}/checkout", body)))


def view_order(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    order = _seg(_need(a.get("order") or actor.order, "order"))
    return (yield from _one(Request("GET", f"/v1/orders/{order}")))


def _move(move: str) -> Builder:
    def build(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
        order = _seg(_need(a.get("order") or actor.order, "order"))
        return (yield from _one(Request("POST", f"/v1/admin/orders/{order}/{move}", None, "admin")))

    return build


# --- identity -------------------------------------------------------------------------------------


def register(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    fields = ("email", "password", "first_name", "last_name", "phone")
    body = {k: a.get(k) or actor.profile.get(k) for k in fields}
    body = {k: val for k, val in body.items() if val is not None}
    return (yield from _one(Request("POST", "/v1/customers", body)))


def sign_in(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    body = {
        "email": a.get("email") or actor.profile.get("email"),
        "password": a.get("password") or actor.profile.get("password"),
        "cart_id": a.get("cart_id"),
        "device_id": device,
        "merge": a.get("merge"),
    }
    return (yield from _one(Request("POST", "/v1/sessions", _present(body))))


def sign_out(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from _one(Request("DELETE", "/v1/sessions/current")))


def identify(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    body = _present({"device_id": device, **a})
    return (yield from _one(Request("POST", "/v1/identify", body)))


def _customer(a: dict[str, Any], actor: Actor) -> str:
    return _seg(_need(a.pop("customer", None) or actor.customer_id, "signed-in customer"))


def wishlist(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/customers/{_customer(a, actor)}/wishlist"
    return (yield from _one(Request("POST", path, {"product_id": a["product"]})))


def consent(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/customers/{_customer(a, actor)}/consents"
    return (yield from _one(Request("PUT", path, a["purposes"])))


def customer_journey(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    """The customer's touchpoints across devices and channels, read as the back office does."""
    path = f"/v1/customers/{_customer(a, actor)}/journey"
    return (yield from _one(Request("GET", path, None, "admin")))


def _present(body: dict[str, Any]) -> dict[str, Any]:
    return {k: val for k, val in body.items() if val is not None}


# --- returns --------------------------------------------------------------------------------------


def _return_lines(a: dict[str, Any], order_id: str, actor: Actor) -> list[Any]:
    lines = a.get("lines")
    if lines is not None:
        return list(lines)
    order = actor.orders.get(order_id)
    if order is None:
        raise ActionError(f"name the lines: order {order_id} was not seen in this journey")
    return [{"order_line_id": line["id"], "quantity": line["quantity"]} for line in order["lines"]]


def return_order(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    order_id = _need(a.get("order") or actor.order, "order")
    body = _present(
        {
            "order_id": order_id,
            "lines": _return_lines(a, order_id, actor),
            "refund_to": a.get("refund_to"),
            "register_id": a.get("register_id"),
        }
    )
    return (yield from _one(Request("POST", "/v1/returns", body)))


def return_without_receipt(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from _one(Request("POST", "/v1/returns/without-receipt", a)))


def exchange(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    order_id = _need(a.get("order") or actor.order, "order")
    body = {
        "order_id": order_id,
        "lines": _return_lines(a, order_id, actor),
        "replacements": a["replacements"],
    }
    return (yield from _one(Request("POST", "/v1/returns/exchanges", body)))


# --- the till -------------------------------------------------------------------------------------


def open_shift(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/pos/registers/{_seg(a.pop('register'))}/shifts"
    return (yield from _one(Request("POST", path, a)))


def close_shift(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/pos/shifts/{_seg(a.pop('shift'))}/close"
    return (yield from _one(Request("POST", path, a)))


def start_sale(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/pos/registers/{_seg(a.pop('register'))}/sales"
    return (yield from _one(Request("POST", path, a)))


def hand_off(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/pos/registers/{_seg(a.pop('register'))}/handoff"
    return (yield from _one(Request("POST", path, a)))


def handoff_code(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    cart = _need(a.get("cart") or actor.cart, "cart")
    return (yield from _one(Request("POST", "/v1/pos/handoff-codes", {"cart_id": cart})))


def _sale(a: dict[str, Any], actor: Actor) -> str:
    return _seg(_need(a.pop("sale", None) or actor.sale, "sale (start_sale or hand_off first)"))


def scan(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from _one(Request("POST", f"/v1/pos/sales/{_sale(a, actor)}/scan", a)))


def pay(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    sale = _sale(a, actor)
    tenders = a.get("tenders")
    if tenders is None:
        total = actor.sale_total
        if total is None:
            raise ActionError("no sale total known: give tenders")
        tenders = [{"type": "card", "card_number": "4242424242424242", "amount": total}]
    return (yield from _one(Request("POST", f"/v1/pos/sales/{sale}/pay", {"tenders": tenders})))


def ship_to_home(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    sale = _sale(a, actor)
    body = {**a, "address": _address(a.get("address"), actor)}
    return (yield from _one(Request("POST", f"/v1/pos/sales/{sale}/ship-to-home", body)))


def offline_batch(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/pos/registers/{_seg(a.pop('register'))}/offline-batches"
    return (yield from _one(Request("POST", path, a)))


# --- social ---------------------------------------------------------------------------------------


def social_post(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from _one(Request("POST", "/v1/social/posts", a)))


def social_click(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/social/posts/{_seg(a.pop('post'))}/clicks"
    return (yield from _one(Request("POST", path, a)))


def social_order(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    body = {
        **{k: a[k] for k in ("platform", "handle", "items")},
        "ship_to": _address(a.get("ship_to"), actor),
        "payment": {"method": "card", "card_number": a["card"]},
        **_present({"post_id": a.get("post_id"), "email": a.get("email")}),
    }
    return (yield from _one(Request("POST", "/v1/social/orders", body)))


# --- the back office ------------------------------------------------------------------------------


def transfer_stock(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from _one(Request("POST", "/v1/admin/stock/transfers", a, "admin")))


def adjust_stock(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from _one(Request("POST", "/v1/admin/stock/adjustments", a, "admin")))


_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")


def parse_duration(text: str) -> int:
    """Seconds in ``30s``, ``15m``, ``2h`` or ``3d``; raises ValueError otherwise."""
    match = DURATION.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30s, 15m, 2h or 3d")
    factor = {"s": 1, "m": 60, "h": 3600, "d": 86_400}[match.group(2)]
    return int(match.group(1)) * factor


def advance_clock(seconds: int) -> Request:
    """The request that lets simulated time pass (also used between retries)."""
    return Request("POST", "/v1/admin/clock/advance", {"seconds": seconds}, "admin")


def wait(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    try:
        seconds = parse_duration(a["duration"])
    except ValueError as exc:
        raise ActionError(str(exc)) from None
    return (yield from _one(advance_clock(seconds)))


def verify(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from _one(Request("GET", "/v1/admin/verify", None, "admin")))


def http(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = _query(a["path"], a.get("query") or {})
    request = Request(a["method"].upper(), path, a.get("json"), None, a.get("headers") or {})
    return (yield from _one(request))


ACTIONS: dict[str, ActionSpec] = {
    "browse": ActionSpec(v.Browse, browse, "list the catalog (category, q, limit)"),
    "search": ActionSpec(v.Search, browse, "search the catalog", "q"),
    "view_product": ActionSpec(v.ViewProduct, view_product, "open a product page", "product"),
    "find_sku": ActionSpec(v.FindSku, find_sku, "catalog lookup: a SKU in stock at a location"),
    "register_device": ActionSpec(v.RegisterDevice, register_device, "register the step's device"),
    "create_cart": ActionSpec(v.CreateCart, create_cart, "start a cart on the step's device"),
    "add_line": ActionSpec(v.AddLine, add_line, "add a SKU to the cart"),
    "change_line": ActionSpec(v.ChangeLine, change_line, "change a line's quantity"),
    "remove_line": ActionSpec(v.RemoveLine, remove_line, "remove a line"),
    "view_cart": ActionSpec(v.CartRef, view_cart, "read the cart"),
    "share_cart": ActionSpec(v.ShareCart, share_cart, "links that open the cart elsewhere"),
    "checkout": ActionSpec(v.Checkout, checkout, "check out: ship_to or pickup_at, card"),
    "view_order": ActionSpec(v.OrderRef, view_order, "read the order", "order"),
    "mark_ready": ActionSpec(v.OrderRef, _move("ready"), "order ready for pickup", "order"),
    "mark_picked_up": ActionSpec(v.OrderRef, _move("picked-up"), "order collected", "order"),
    "mark_fulfilled": ActionSpec(v.OrderRef, _move("fulfil"), "order shipped", "order"),
    "cancel_order": ActionSpec(v.OrderRef, _move("cancel"), "cancel the order", "order"),
    "register": ActionSpec(v.Register, register, "create the shopper's account"),
    "sign_in": ActionSpec(v.SignIn, sign_in, "sign in on the step's device"),
    "sign_out": ActionSpec(v.NoArgs, sign_out, "sign out"),
    "identify": ActionSpec(v.Identify, identify, "recognise the shopper by an identifier"),
    "wishlist": ActionSpec(v.Wishlist, wishlist, "save a product for later", "product"),
    "consent": ActionSpec(v.Consent, consent, "grant or withdraw consents"),
    "customer_journey": ActionSpec(
        v.CustomerRef, customer_journey, "the customer's touchpoints across channels", "customer"
    ),
    "handoff_code": ActionSpec(v.HandoffCode, handoff_code, "a short code to show at the till"),
    "hand_off": ActionSpec(v.HandOff, hand_off, "load the shopper's cart onto a register"),
    "return": ActionSpec(v.Return, return_order, "return an order (whole, unless lines)"),
    "return_without_receipt": ActionSpec(
        v.ReturnWithoutReceipt, return_without_receipt, "store credit for an item, no receipt"
    ),
    "exchange": ActionSpec(v.Exchange, exchange, "even exchange at the till"),
    "open_shift": ActionSpec(v.OpenShift, open_shift, "open a register's shift"),
    "close_shift": ActionSpec(v.CloseShift, close_shift, "count the drawer and close the shift"),
    "start_sale": ActionSpec(v.StartSale, start_sale, "start a sale on a register"),
    "scan": ActionSpec(v.Scan, scan, "scan an item into the sale", "barcode"),
    "pay": ActionSpec(v.Pay, pay, "pay at the till (tenders; default one card)"),
    "ship_to_home": ActionSpec(v.ShipToHome, ship_to_home, "endless aisle: deliver what's missing"),
    "offline_batch": ActionSpec(v.OfflineBatch, offline_batch, "upload an offline till's sales"),
    "social_post": ActionSpec(v.SocialPost, social_post, "publish a shoppable post"),
    "social_click": ActionSpec(v.SocialClick, social_click, "tap a tagged product"),
    "social_order": ActionSpec(v.SocialOrder, social_order, "order inside the platform"),
    "transfer_stock": ActionSpec(v.Transfer, transfer_stock, "move stock between locations"),
    "adjust_stock": ActionSpec(v.Adjustment, adjust_stock, "correct stock by delta or count"),
    "wait": ActionSpec(v.Wait, wait, "let simulated time pass (30m, 2h, 3d)", "duration"),
    "verify": ActionSpec(v.NoArgs, verify, "the store's invariants hold"),
    "http": ActionSpec(v.Http, http, "any request (the escape hatch)"),
}
