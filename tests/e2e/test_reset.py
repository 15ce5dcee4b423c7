"""POST /v1/admin/reset: the seeded store again under a running server, clock and ids included."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from omniloom.api.app import create_app
from omniloom.config import Settings
from omniloom.store.database import open_database
from tests.support.api import Client, headers, verified
from tests.support.server import omniloom
from tests.support.store import ADMIN_KEY
from tests.support.wallet import ShopperClient

ADMIN = headers(ADMIN_KEY)
SKU = "SKU-000001-01"  # the demo store's first SKU


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Client]:
    """A server of the demo store, seeded as `omniloom seed` seeds it."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    seeded = omniloom("seed", "--database-url", url, "--quiet")
    assert seeded.returncode == 0, seeded.stderr
    database = open_database(url)
    async with ShopperClient(app=create_app(Settings(database_url=url), database)) as client:
        yield client


async def _journey(client: Client) -> list[Any]:
    """A shopper's visit, then what the store recorded of it: every answer and every event."""
    key = headers(**{"X-Device-Id": "dev_reset"})
    seen: list[Any] = []
    cart = await client.post("/v1/carts", json={}, headers=key)
    cart_id = cart.json()["id"]
    added = await client.post(f"/v1/carts/{cart_id}/lines", json={"sku": SKU}, headers=key)
    body = {
        "fulfilment": {"type": "pickup", "location_id": "loc_store_nyc"},
        "payment": {"method": "card", "card_number": "4242424242424242"},
    }
    paid = await client.post(f"/v1/carts/{cart_id}/checkout", json=body, headers=key)
    advanced = await client.post("/v1/admin/clock/advance", json={"hours": 2}, headers=ADMIN)
    events = await client.get("/v1/admin/events?limit=1000", headers=ADMIN)
    for response in (cart, added, paid, advanced, events):
        assert response.status_code < 300, response.text
        seen.append(response.content)
    return seen


async def test_after_a_reset_the_same_journey_gives_byte_identical_answers(demo: Client) -> None:
    first = await _journey(demo)
    reset = await demo.post("/v1/admin/reset", headers=ADMIN)
    assert reset.status_code == 200, reset.text
    assert reset.json()["origin"] == "the committed data set"
    again = await _journey(demo)
    assert again == first
    await verified(demo)


async def test_a_reset_takes_the_clock_and_the_ids_back_to_their_start(demo: Client) -> None:
    start = (await demo.get("/v1/admin/clock", headers=ADMIN)).json()["now"]
    first_cart = (await demo.post("/v1/carts", json={}, headers=headers())).json()["id"]
    await demo.post("/v1/admin/clock/advance", json={"days": 3}, headers=ADMIN)
    reset = (await demo.post("/v1/admin/reset", headers=ADMIN)).json()
    assert reset["now"] == start
    assert (await demo.get("/v1/admin/clock", headers=ADMIN)).json()["now"] == start
    assert (await demo.post("/v1/carts", json={}, headers=headers())).json()["id"] == first_cart
    gone = await demo.get(f"/v1/carts/{first_cart}", headers=ADMIN)
    assert gone.status_code == 200  # the id is the first again: the new cart, not the old one
    assert gone.json()["lines"] == []


async def test_a_reset_forgets_stock_the_server_had_cached(demo: Client) -> None:
    async def available() -> int:
        page = (await demo.get("/v1/products/prd_000001", headers=headers())).json()
        return sum(level["available"] for level in page["skus"][0]["stock"])

    before = await available()
    cart = (await demo.post("/v1/carts", json={}, headers=headers())).json()["id"]
    await demo.post(f"/v1/carts/{cart}/lines", json={"sku": SKU, "quantity": 1}, headers=headers())
    body = {
        "fulfilment": {"type": "pickup", "location_id": "loc_store_nyc"},
        "payment": {"method": "card", "card_number": "4242424242424242"},
    }
    assert (await demo.post(f"/v1/carts/{cart}/checkout", json=body, headers=headers())).is_success
    assert await available() == before - 1
    await demo.post("/v1/admin/reset", headers=ADMIN)
    assert await available() == before


async def test_only_an_admin_key_may_reset(demo: Client) -> None:
    refused = await demo.post("/v1/admin/reset", headers=headers())
    assert refused.status_code == 403
    assert refused.json()["code"] == "out_of_scope"
