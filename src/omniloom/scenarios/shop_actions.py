"""Shoppers' actions: the catalog, carts and checkout, accounts and identity, social."""

from __future__ import annotations

from typing import Any

from omniloom.scenarios.actor import (
    Actor,
    Builder,
    Plan,
    Request,
    address,
    need,
    one,
    present,
    query,
    seg,
)
from omniloom.scenarios.protocol import HttpReply

# --- catalog -------------------------------------------------------------------------------------


def browse(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from one(Request("GET", query("/v1/products", a))))


def view_product(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from one(Request("GET", f"/v1/products/{seg(a['product'])}")))


def find_sku(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    """Page through the catalog in its own order for the first SKU with enough units at ``at``.

    A lookup by the scenario's author, not a shopper's browsing: it goes out with the admin key
    and no device, so it leaves no touchpoint in the journey."""
    need, budget, cursor = int(a.get("min_available", 1)), int(a.get("scan", 60)), None
    filters = {"category": a.get("category"), "q": a.get("q"), "limit": 20}
    while budget > 0:
        page = yield Request(
            "GET", query("/v1/products", {**filters, "cursor": cursor}), None, "admin"
        )
        if page.status != 200:
            return page
        for item in page.json["items"]:
            budget -= 1
            detail = yield Request("GET", f"/v1/products/{seg(item['id'])}", None, "admin")
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


def stock_levels(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    """Units available of one SKU per location, as ``{location_id: available}`` (a lookup by
    the scenario's author, for stock deltas: capture before, compare after)."""
    reply = yield Request("GET", f"/v1/products/{seg(a['product'])}", None, "admin")
    if reply.status != 200:
        return reply
    for sku in reply.json.get("skus", []):
        if sku["sku"] == a["sku"]:
            levels = {level["location_id"]: level["available"] for level in sku["stock"]}
            return HttpReply(200, {}, levels)
    return HttpReply(404, {}, {"code": "not_found", "detail": f"no {a['sku']} on {a['product']}"})


# --- devices, carts, checkout ---------------------------------------------------------------------


def register_device(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    body = {"id": need(device, "device (set the step's device)"), **a}
    return (yield from one(Request("POST", "/v1/devices", body)))


def create_cart(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    body = {k: val for k, val in {"device_id": device, **a}.items() if val is not None}
    return (yield from one(Request("POST", "/v1/carts", body)))


def _cart(a: dict[str, Any], actor: Actor) -> str:
    return seg(need(a.pop("cart", None) or actor.cart, "cart"))


def add_line(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    cart = _cart(a, actor)
    return (yield from one(Request("POST", f"/v1/carts/{cart}/lines", a)))


def change_line(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    cart, line = _cart(a, actor), seg(a.pop("line"))
    return (yield from one(Request("PATCH", f"/v1/carts/{cart}/lines/{line}", a)))


def remove_line(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    cart, line = _cart(a, actor), seg(a.pop("line"))
    return (yield from one(Request("DELETE", f"/v1/carts/{cart}/lines/{line}")))


def view_cart(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from one(Request("GET", f"/v1/carts/{_cart(a, actor)}")))


def share_cart(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    cart = _cart(a, actor)
    return (yield from one(Request("POST", f"/v1/carts/{cart}/links", a)))


def checkout(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    cart = _cart(a, actor)
    fulfilment: dict[str, Any]
    if a.get("pickup_at"):
        fulfilment = {"type": "pickup", "location_id": a["pickup_at"]}
    else:
        fulfilment = {"type": "ship", "address": address(a.get("ship_to"), actor)}
    body: dict[str, Any] = {
        "fulfilment": fulfilment,
        "payment": {"method": "card", "card_number": a["card"]},
    }
    if a.get("email"):
        body["email"] = a["email"]
    return (yield from one(Request("POST", f"/v1/carts/{cart}/checkout", body)))


def view_order(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    order = seg(need(a.get("order") or actor.order, "order"))
    return (yield from one(Request("GET", f"/v1/orders/{order}")))


def move(move: str) -> Builder:
    def build(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
        order = seg(need(a.get("order") or actor.order, "order"))
        return (yield from one(Request("POST", f"/v1/admin/orders/{order}/{move}", None, "admin")))

    return build


# --- identity -------------------------------------------------------------------------------------


def register(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    fields = ("email", "password", "first_name", "last_name", "phone")
    body = {k: a.get(k) or actor.profile.get(k) for k in fields}
    body = {k: val for k, val in body.items() if val is not None}
    return (yield from one(Request("POST", "/v1/customers", body)))


def sign_in(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    body = {
        "email": a.get("email") or actor.profile.get("email"),
        "password": a.get("password") or actor.profile.get("password"),
        "cart_id": a.get("cart_id"),
        "device_id": device,
        "merge": a.get("merge"),
    }
    return (yield from one(Request("POST", "/v1/sessions", present(body))))


def sign_out(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from one(Request("DELETE", "/v1/sessions/current")))


def identify(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    body = present({"device_id": device, **a})
    return (yield from one(Request("POST", "/v1/identify", body)))


def _customer(a: dict[str, Any], actor: Actor) -> str:
    return seg(need(a.pop("customer", None) or actor.customer_id, "signed-in customer"))


def wishlist(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/customers/{_customer(a, actor)}/wishlist"
    return (yield from one(Request("POST", path, {"product_id": a["product"]})))


def consent(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/customers/{_customer(a, actor)}/consents"
    return (yield from one(Request("PUT", path, a["purposes"])))


def review(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    """Rate and review a product the shopper bought (their token proves who writes)."""
    path = f"/v1/products/{seg(a.pop('product'))}/reviews"
    return (yield from one(Request("POST", path, present(a))))


def customer_journey(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    """The customer's touchpoints across devices and channels, read as the back office does."""
    path = f"/v1/customers/{_customer(a, actor)}/journey"
    return (yield from one(Request("GET", path, None, "admin")))


# --- social ---------------------------------------------------------------------------------------


def social_post(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    return (yield from one(Request("POST", "/v1/social/posts", a)))


def social_click(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    path = f"/v1/social/posts/{seg(a.pop('post'))}/clicks"
    return (yield from one(Request("POST", path, a)))


def social_order(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    body = {
        **{k: a[k] for k in ("platform", "handle", "items")},
        "ship_to": address(a.get("ship_to"), actor),
        "payment": {"method": "card", "card_number": a["card"]},
        **present({"post_id": a.get("post_id"), "email": a.get("email")}),
    }
    return (yield from one(Request("POST", "/v1/social/orders", body)))
