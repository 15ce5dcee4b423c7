"""Operations of web and app shoppers: carts, checkouts, social orders."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.e2e.random_operations.model import (
    APP_KEYS,
    CARD,
    DECLINES,
    LOCATIONS,
    SOCIAL_KEY,
    AppCart,
    World,
    by_sku,
)
from tests.support.api import SHIP_TO, headers
from tests.support.store import (
    NYC,
    SEA,
    SKUS,
    WEB_KEY,
)


async def create_cart(w: World) -> None:
    key = w.rng.choice(APP_KEYS)
    cart = await w.send("create_cart", "POST", "/v1/carts", key, {})
    w.carts[cart["id"]] = AppCart(key, cart)


def closed_app_carts(w: World) -> list[str]:
    """Closed carts the shopper's app holds the token of (a till's own sales it never saw:
    to the app those are carts that do not exist)."""
    held = getattr(w.client, "wallet").tokens  # noqa: B009  (a ShopperClient's)
    return [cart_id for cart_id in w.closed_carts if cart_id in held]


def _app_key(w: World, cart: AppCart) -> str:
    # The same cart is touched from the other device now and then.
    return cart.key if w.rng.random() < 0.8 else w.rng.choice(APP_KEYS)


async def add_to_cart(w: World) -> None:
    closed_carts = closed_app_carts(w)
    if closed_carts and w.rng.random() < 0.04:
        closed = w.rng.choice(closed_carts)
        body = {"sku": w.rng.choice(list(SKUS)), "quantity": 1}
        await w.send(
            "add_to_cart",
            "POST",
            f"/v1/carts/{closed}/lines",
            WEB_KEY,
            body,
            expect="cart_not_active",
        )
        return
    if not w.carts:
        return await create_cart(w)
    cart_id = w.rng.choice(list(w.carts))
    cart = w.carts[cart_id]
    unknown = w.rng.random() < 0.05
    body = {
        "sku": "SKU-NEVER-MADE" if unknown else w.rng.choice(list(SKUS)),
        "quantity": w.rng.choice((1, 1, 2, 3)),
    }
    view = await w.send(
        "add_to_cart",
        "POST",
        f"/v1/carts/{cart_id}/lines",
        _app_key(w, cart),
        body,
        expect="unknown_sku" if unknown else None,
        may=("insufficient_stock",),
    )
    if view:
        cart.view = view


async def change_line(w: World) -> None:
    with_lines = [cart_id for cart_id, cart in w.carts.items() if cart.view["lines"]]
    if not with_lines:
        return await add_to_cart(w)
    cart_id = w.rng.choice(with_lines)
    cart = w.carts[cart_id]
    key = _app_key(w, cart)
    read = await w.client.get(f"/v1/carts/{cart_id}", headers=headers(key))
    assert read.status_code == 200, read.text
    current = read.json()
    assert current["version"] >= cart.view["version"]
    line = w.rng.choice(by_sku(current["lines"]))
    path = f"/v1/carts/{cart_id}/lines/{line['id']}"
    roll = w.rng.random()
    if roll < 0.25:
        # Another device changed the cart since this one read it.
        stale = {"If-Match": f'"{current["version"] - 1}"'}
        body = {"quantity": 1}
        await w.send(
            "change_line", "PATCH", path, key, body, expect="cart_version_conflict", extra=stale
        )
        return
    fresh = {"If-Match": f'"{current["version"]}"'}
    if roll < 0.4:
        view = await w.send("change_line", "DELETE", path, key, extra=fresh)
    else:
        body = {"quantity": w.rng.randint(1, 3)}
        view = await w.send(
            "change_line", "PATCH", path, key, body, may=("insufficient_stock",), extra=fresh
        )
    cart.view = view or current


async def _pickup_store(w: World, lines: list[dict[str, Any]]) -> str:
    """A store the product pages show has every line in stock, as a shopper would pick; any
    store when none has."""
    stores = w.rng.sample((NYC, SEA), 2)
    available = Counter[tuple[str, str]]()
    for product_id in sorted({line["product_id"] for line in lines}):
        shown = await w.client.get(f"/v1/products/{product_id}", headers=headers(WEB_KEY))
        for entry in shown.json()["skus"]:
            for level in entry["stock"]:
                available[(entry["sku"], level["location_id"])] = level["available"]
    for store in stores:
        if all(available[(line["sku"], store)] >= line["quantity"] for line in lines):
            return store
    return stores[0]


async def checkout(w: World) -> None:
    if not w.carts:
        return await create_cart(w)
    with_lines = [cart_id for cart_id, cart in w.carts.items() if cart.view["lines"]]
    if not with_lines and w.rng.random() < 0.8:
        return await add_to_cart(w)
    cart_id = w.rng.choice(with_lines if with_lines and w.rng.random() < 0.95 else list(w.carts))
    cart = w.carts[cart_id]
    card, expect = CARD, None
    if w.rng.random() < 0.45:
        store = await _pickup_store(w, cart.view["lines"])
        fulfilment: dict[str, Any] = {"type": "pickup", "location_id": store}
    else:
        fulfilment = {"type": "ship", "address": SHIP_TO}
    trouble = w.rng.random()
    if not cart.view["lines"]:
        expect = "cart_empty"
    elif trouble < 0.06:
        fulfilment = {"type": "pickup", "location_id": LOCATIONS[0]}  # a warehouse has no counter
        expect = "pickup_unavailable"
    elif trouble < 0.2:
        card = w.rng.choice(sorted(DECLINES))
        expect = DECLINES[card]
    body = {"fulfilment": fulfilment, "payment": {"method": "card", "card_number": card}}
    order = await w.send(
        "checkout",
        "POST",
        f"/v1/carts/{cart_id}/checkout",
        _app_key(w, cart),
        body,
        expect=expect,
        may=("insufficient_stock",),
    )
    if order:
        assert order["status"] == "paid" and order["cart_id"] == cart_id
        w.place(order)
        del w.carts[cart_id]
        w.closed_carts.append(cart_id)


async def social_order(w: World) -> None:
    skus = w.rng.sample(list(SKUS), w.rng.randint(1, 2))
    items = [{"sku": sku, "quantity": w.rng.randint(1, 2)} for sku in skus]
    card, expect = CARD, None
    roll = w.rng.random()
    if roll < 0.05:
        items.append({"sku": "SKU-NEVER-MADE", "quantity": 1})
        expect = "unknown_sku"
    elif roll < 0.12:
        card = w.rng.choice(sorted(DECLINES))
        expect = DECLINES[card]
    body = {
        "platform": w.rng.choice(("instagram", "tiktok", "facebook", "pinterest")),
        "handle": f"@shopper{w.rng.randint(1, 40)}",
        "items": items,
        "ship_to": SHIP_TO,
        "payment": {"method": "card", "card_number": card},
    }
    order = await w.send(
        "social_order",
        "POST",
        "/v1/social/orders",
        SOCIAL_KEY,
        body,
        expect=expect,
        may=("insufficient_stock",),
    )
    if order:
        assert (order["channel"], order["status"]) == ("social", "paid")
        w.place(order)
