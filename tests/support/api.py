"""Small helpers that keep the end-to-end tests about behaviour, not plumbing."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.support.store import ADMIN_KEY, WEB_KEY

Client = AsyncTestClient

SHIP_TO = {
    "name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "New York",
    "postal_code": "10001",
    "country": "US",
}
# The same address with coordinates, for routing by distance.
HOME = {**SHIP_TO, "latitude": 40.75, "longitude": -73.99}
APPROVED_CARD = "4242424242424242"


def headers(key: str = WEB_KEY, **extra: str) -> dict[str, str]:
    return {"X-API-Key": key, **extra}


def checkout_body(card: str = APPROVED_CARD, **fulfilment: Any) -> dict[str, Any]:
    return {
        "fulfilment": fulfilment or {"type": "ship", "address": SHIP_TO},
        "payment": {"method": "card", "card_number": card},
    }


async def new_cart(client: Client, key: str = WEB_KEY, **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/carts", json=body, headers=headers(key))
    assert response.status_code == 201, response.text
    cart: dict[str, Any] = response.json()
    return cart


async def add(
    client: Client, cart_id: str, sku: str, quantity: int = 1, key: str = WEB_KEY
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/carts/{cart_id}/lines", json={"sku": sku, "quantity": quantity}, headers=headers(key)
    )
    assert response.status_code == 200, response.text
    cart: dict[str, Any] = response.json()
    return cart


async def placed_order(
    client: Client, sku: str, quantity: int = 1, key: str = WEB_KEY, **fulfilment: Any
) -> dict[str, Any]:
    """A paid order for one line, placed through a cart of its own (shipped unless told)."""
    cart = await new_cart(client, key)
    await add(client, cart["id"], sku, quantity, key)
    response = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=checkout_body(**fulfilment), headers=headers(key)
    )
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order


async def stock(client: Client, product_id: str, sku: str) -> dict[str, int]:
    """Available units of ``sku`` per location, as the storefront shows them."""
    response = await client.get(f"/v1/products/{product_id}", headers=headers(ADMIN_KEY))
    assert response.status_code == 200, response.text
    for entry in response.json()["skus"]:
        if entry["sku"] == sku:
            return {level["location_id"]: level["available"] for level in entry["stock"]}
    raise AssertionError(f"{sku} not on {product_id}")


async def events(client: Client, **filters: str) -> list[dict[str, Any]]:
    response = await client.get(
        "/v1/admin/events", params={"limit": 1000, **filters}, headers=headers(ADMIN_KEY)
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def verified(client: Client) -> dict[str, Any]:
    """The store's invariant report; fails the test, naming the broken checks, unless all hold."""
    response = await client.get("/v1/admin/verify", headers=headers(ADMIN_KEY))
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    broken = [check for check in report["checks"] if not check["ok"]]
    assert report["ok"] and not broken, broken
    return report
