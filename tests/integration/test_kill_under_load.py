"""kill -9 under load: a serving process dies mid flash sale; nothing a shopper was told is lost.

Buyers check out with Idempotency-Keys while a real `omniloom serve` process is killed (SIGKILL:
no shutdown, no flush) after some orders were acknowledged. Each buyer whose answer never came
retries with the same key, as a client library does: on PostgreSQL against a second process that
was serving all along, on SQLite against the same file reopened by a new process. Afterwards: no
oversell, every acknowledged order is still there and comes back unchanged on a retry, one order per
key, and `verify` holds.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from omniloom.store.database import Database
from tests.support.api import checkout_body
from tests.support.server import ServerProcess, server_process
from tests.support.store import ADMIN_KEY, DC, MOBILE_KEY, NYC, SEA, WEB_KEY

BUYERS = 60
UNITS = 37  # SKU-MUG: 37 at the DC, none in the stores
KILL_AFTER_ACKNOWLEDGED = 8
IN_FLIGHT = 16  # connections open at once, so the kill lands on requests mid-way
CLOCK = {"OMNILOOM_CLOCK": "simulated"}


@contextmanager
def _serving(database_url: str) -> Iterator[ServerProcess]:
    with server_process(database_url, env=CLOCK) as server:
        yield server


async def _cart_ready_to_buy(client: httpx.AsyncClient, key: str) -> dict[str, str]:
    """A cart with one mug, and the headers its checkout needs (the cart's secret among them)."""
    created = await client.post("/v1/carts", json={}, headers={"X-API-Key": key})
    assert created.status_code == 201, created.text
    cart = created.json()
    shopper = {"X-API-Key": key, "X-Cart-Token": cart["cart_token"]}
    added = await client.post(
        f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-MUG", "quantity": 1}, headers=shopper
    )
    assert added.status_code == 200, added.text
    return {"cart_id": cart["id"], **shopper}


async def _checkout(client: httpx.AsyncClient, buyer: dict[str, str], key: str) -> httpx.Response:
    headers = {name: value for name, value in buyer.items() if name != "cart_id"}
    return await client.post(
        f"/v1/carts/{buyer['cart_id']}/checkout",
        json=checkout_body(),
        headers={**headers, "Idempotency-Key": key},
    )


async def _flash_sale_killed_mid_way(
    server: ServerProcess, buyers: list[dict[str, str]], keys: list[str]
) -> dict[str, httpx.Response]:
    """Every buyer checks out at once; the server is killed after the first few acknowledgements.
    Returns the answers that reached their buyer, by Idempotency-Key."""
    answered: dict[str, httpx.Response] = {}
    limits = httpx.Limits(max_connections=IN_FLIGHT)

    async def buy(client: httpx.AsyncClient, buyer: dict[str, str], key: str) -> None:
        try:
            response = await _checkout(client, buyer, key)
        except httpx.TransportError:
            return  # the process died before answering: the buyer does not know the outcome
        answered[key] = response
        acknowledged = sum(1 for r in answered.values() if r.status_code == 201)
        if acknowledged == KILL_AFTER_ACKNOWLEDGED:
            os.kill(server.process.pid, signal.SIGKILL)

    async with httpx.AsyncClient(base_url=server.base, timeout=30, limits=limits) as client:
        await asyncio.gather(*(buy(client, b, k) for b, k in zip(buyers, keys, strict=True)))
    server.process.wait(timeout=10)
    return answered


async def _admin(client: httpx.AsyncClient, path: str, **params: Any) -> Any:
    response = await client.get(path, params=params, headers={"X-API-Key": ADMIN_KEY})
    assert response.status_code == 200, response.text
    return response.json()


async def _after_the_kill(
    base: str,
    buyers: list[dict[str, str]],
    keys: list[str],
    answered: dict[str, httpx.Response],
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        unanswered = [(b, k) for b, k in zip(buyers, keys, strict=True) if k not in answered]
        assert unanswered, "the kill landed after every answer; nothing was tested"
        for buyer, key in unanswered:  # the client's retry, same key, same body
            answered[key] = await _checkout(client, buyer, key)

        placed = {k: r.json()["id"] for k, r in answered.items() if r.status_code == 201}
        refused = [r for r in answered.values() if r.status_code != 201]
        assert len(placed) == UNITS, "as many orders as units: no oversell, no lost sale"
        assert {r.status_code for r in refused} == {409}
        assert {r.json()["code"] for r in refused} == {"insufficient_stock"}
        assert len(set(placed.values())) == UNITS, "one order per Idempotency-Key"

        # Every order acknowledged before or after the kill is stored, and a retry with its key
        # returns that same order rather than a second one.
        for buyer, key in zip(buyers, keys, strict=True):
            if key in placed:
                again = await _checkout(client, buyer, key)
                assert again.status_code == 201, again.text
                assert again.json()["id"] == placed[key]

        product = await _admin(client, "/v1/products/prd_mug")
        (mug,) = [sku for sku in product["skus"] if sku["sku"] == "SKU-MUG"]
        assert {level["location_id"]: level["available"] for level in mug["stock"]} == {
            DC: 0,
            NYC: 0,
            SEA: 0,
        }
        orders = await _admin(client, "/v1/admin/events", type="order.placed", limit=1000)
        assert sorted(e["order_id"] for e in orders["items"]) == sorted(placed.values())
        report = await _admin(client, "/v1/admin/verify")
        assert report["ok"], [check for check in report["checks"] if not check["ok"]]


async def test_a_server_killed_mid_flash_sale_loses_no_acknowledged_order_and_oversells_nothing(
    store_db: Database, database_url: str
) -> None:
    keys = [f"kill-9-{i:03d}" for i in range(BUYERS)]
    with _serving(database_url) as first:
        async with httpx.AsyncClient(base_url=first.base, timeout=30) as client:
            buyers = [
                await _cart_ready_to_buy(client, WEB_KEY if i % 2 else MOBILE_KEY)
                for i in range(BUYERS)
            ]
        if database_url.startswith("postgresql"):
            # Several processes share PostgreSQL: the survivor was serving before the kill.
            with _serving(database_url) as survivor:
                answered = await _flash_sale_killed_mid_way(first, buyers, keys)
                await _after_the_kill(survivor.base, buyers, keys, answered)
            return
        answered = await _flash_sale_killed_mid_way(first, buyers, keys)
    # SQLite has one writing process: a new one opens the same file after the crash.
    with _serving(database_url) as restarted:
        await _after_the_kill(restarted.base, buyers, keys, answered)
