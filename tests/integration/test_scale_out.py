"""Two server processes on one PostgreSQL: what one sells, the other shows at once.

Each process caches product pages and stock levels; a sale through one must reach the other's
caches (NOTIFY, store/pg_changes.py) before its next answer, never a stale availability.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from omniloom.store.database import Database
from tests.support.api import APPROVED_CARD, SHIP_TO
from tests.support.server import running_server
from tests.support.store import ADMIN_KEY, DC, WEB_KEY


@contextmanager
def _server(database_url: str) -> Iterator[httpx.Client]:
    with (
        running_server(database_url, env={"OMNILOOM_CLOCK": "simulated"}) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        yield client


def _mugs_at_dc(client: httpx.Client) -> int:
    response = client.get("/v1/products/prd_mug", headers={"X-API-Key": ADMIN_KEY})
    assert response.status_code == 200, response.text
    (mug,) = [sku for sku in response.json()["skus"] if sku["sku"] == "SKU-MUG"]
    return int({level["location_id"]: level["available"] for level in mug["stock"]}[DC])


def _sell_a_mug(client: httpx.Client) -> None:
    web = {"X-API-Key": WEB_KEY}
    cart = client.post("/v1/carts", json={}, headers=web).json()
    web["X-Cart-Token"] = cart["cart_token"]  # the cart's secret, handed to its creator
    added = client.post(
        f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-MUG", "quantity": 1}, headers=web
    )
    assert added.status_code == 200, added.text
    body = {
        "fulfilment": {"type": "ship", "address": SHIP_TO},
        "payment": {"method": "card", "card_number": APPROVED_CARD},
    }
    placed = client.post(f"/v1/carts/{cart['id']}/checkout", json=body, headers=web)
    assert placed.status_code == 201, placed.text


def test_a_sale_through_one_process_shows_in_the_others_product_page_at_once(
    store_db: Database, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several server processes share PostgreSQL only")
    with _server(database_url) as seller, _server(database_url) as browser:
        before = _mugs_at_dc(browser)  # now cached in the browsing process
        assert _mugs_at_dc(browser) == before
        for sold in range(1, 6):
            _sell_a_mug(seller)
            assert _mugs_at_dc(browser) == before - sold
