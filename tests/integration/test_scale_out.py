"""Two server processes on one PostgreSQL: what one sells, the other shows at once.

Each process caches product pages and stock levels; a sale through one must reach the other's
caches (NOTIFY, store/pg_changes.py) before its next answer, never a stale availability.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from omniloom.store.database import Database
from tests.support.api import APPROVED_CARD, SHIP_TO
from tests.support.store import ADMIN_KEY, DC, WEB_KEY

SERVE = [sys.executable, "-m", "omniloom.cli", "serve"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _server(database_url: str) -> Iterator[httpx.Client]:
    port = _free_port()
    process = subprocess.Popen(
        [*SERVE, "--database-url", database_url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        env={**os.environ, "OMNILOOM_CLOCK": "simulated"},
    )
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        deadline = time.monotonic() + 60
        while True:  # until the process answers (it has to import and start first)
            try:
                client.get("/hello")
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        yield client
    finally:
        process.terminate()
        process.wait(timeout=30)


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
