"""Small helpers that keep the end-to-end tests about behaviour, not plumbing."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.testing import AsyncTestClient

from omniloom.services.identity.sign_in import token_digest
from omniloom.store import identity_queries
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


async def token_of(client: Client, customer_id: str) -> str:
    """A customer token for ``customer_id``, for tests whose shopper is a seeded customer (who
    has no password to sign in with). Issued straight into the store, so no sign-in event
    joins the journey under test; the same token on every call."""
    runtime = client.app.state["runtime"]
    token = f"test-token-{customer_id}"
    digest = token_digest(token)

    def issue(conn: Any) -> None:
        if identity_queries.token(conn, digest) is None:
            now = runtime.clock.now()
            identity_queries.insert_token(
                conn,
                token_hash=digest,
                customer_id=customer_id,
                issued_at=now,
                expires=now + runtime.settings.customer_token_ttl,
            )

    # The app's database belongs to the test client's own event loop: a blocking unit of work,
    # off this loop, is the one way in that both backends accept from here.
    await asyncio.to_thread(runtime.db.run_blocking, issue)
    return token


async def new_cart(
    client: Client, key: str = WEB_KEY, *, customer_token: str | None = None, **body: Any
) -> dict[str, Any]:
    """A new cart (its ``cart_token`` kept by the client's wallet, tests/support/wallet.py).

    A cart for ``customer_id`` needs that customer's token: ``customer_token``, or one issued
    for the test (token_of) when not given."""
    extra: dict[str, str] = {}
    if body.get("customer_id") is not None:
        customer_token = customer_token or await token_of(client, body["customer_id"])
    if customer_token is not None:
        extra["X-Customer-Token"] = customer_token
    response = await client.post("/v1/carts", json=body, headers=headers(key, **extra))
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
