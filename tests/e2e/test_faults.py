"""Faults on purpose (issue 15, item 6): an admin's fault rules make chosen routes slow, fail or
drop, as often as asked and the same way on every run, and a faulted request changes nothing,
so a client team can test its retries against them."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from omniloom.api.app import create_app
from omniloom.api.faults import FAULTS_KEY
from omniloom.config import Settings
from omniloom.domain.faults import draw
from omniloom.store.database import Database
from tests.support.api import (
    Client,
    add,
    checkout_body,
    events,
    headers,
    new_cart,
    stock,
    verified,
)
from tests.support.app import app_client
from tests.support.identity import problem
from tests.support.server import omniloom, running_server
from tests.support.store import ADMIN_KEY, DC, MOBILE_KEY
from tests.support.wallet import ShopperClient

ADMIN = headers(ADMIN_KEY)
FAULTS = "/v1/admin/faults"
CHECKOUT_503 = {"operation_id": "checkoutCart", "kind": "status", "status": 503}


class Delays(list[float]):
    """Stands in for asyncio.sleep: notes each delay instead of waiting it out."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
async def shop(store_db: Database, settings: Settings) -> AsyncIterator[ShopperClient]:
    async with app_client(settings, store_db) as client:
        client.app.state[FAULTS_KEY].sleep = Delays()
        yield client


def delays(client: Client) -> Delays:
    found: Delays = client.app.state[FAULTS_KEY].sleep
    return found


async def add_rule(client: Client, **rule: Any) -> dict[str, Any]:
    added = await client.post(FAULTS, json=rule, headers=ADMIN)
    assert added.status_code == 201, added.text
    body: dict[str, Any] = added.json()
    return body


async def rule_view(client: Client, rule_id: str) -> dict[str, Any]:
    read = await client.get(f"{FAULTS}/{rule_id}", headers=ADMIN)
    assert read.status_code == 200, read.text
    body: dict[str, Any] = read.json()
    return body


async def active_faults(client: Client) -> int:
    count: int = (await client.get("/health")).json()["faults"]
    return count


async def cart_with_a_mug(client: Client) -> str:
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-MUG")
    cart_id: str = cart["id"]
    return cart_id


async def checkout(client: Client, cart_id: str, key: str | None = None) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key else {}
    return await client.post(
        f"/v1/carts/{cart_id}/checkout", json=checkout_body(), headers=headers(**extra)
    )


async def test_a_30_percent_503_on_checkout_is_honoured_over_1000_requests_and_changes_nothing(
    shop: Client,
) -> None:
    restock = {"sku": "SKU-MUG", "location": DC, "reason": "fault test", "delta": 1000}
    stocked = await shop.post("/v1/admin/stock/adjustments", json=restock, headers=ADMIN)
    assert stocked.status_code == 201, stocked.text
    before = (await stock(shop, "prd_mug", "SKU-MUG"))[DC]
    assert await active_faults(shop) == 0
    rule = await add_rule(shop, **CHECKOUT_503, probability=0.3, seed=7)
    assert await active_faults(shop) == 1

    # A client that retries a 503 with the same Idempotency-Key until the order is placed.
    faulted, orders, cart_id = [], [], None
    for attempt in range(1, 1001):
        cart_id = cart_id or await cart_with_a_mug(shop)
        answer = await checkout(shop, cart_id, key=f"checkout-{cart_id}")
        if answer.status_code == 503:
            assert problem(answer) == (503, "fault_injected")
            assert answer.headers["Retry-After"] == "1"
            assert answer.headers["Omniloom-Fault"] == rule["id"]
            faulted.append(attempt)
            continue
        assert answer.status_code == 201, answer.text
        assert "Idempotent-Replayed" not in answer.headers  # the first time it ran
        orders.append(answer.json()["id"])
        cart_id = None

    # Within 4 standard deviations of 300, and exactly the requests the seed picks.
    spread = 4 * math.sqrt(1000 * 0.3 * 0.7)
    assert abs(len(faulted) - 300) <= spread, len(faulted)
    assert faulted == [n for n in range(1, 1001) if draw(7, n) < 0.3]
    counted = await rule_view(shop, rule["id"])
    assert (counted["matched"], counted["injected"]) == (1000, len(faulted))

    # No faulted checkout left anything behind: one order and one unit per successful one.
    assert len(set(orders)) == len(orders) == 1000 - len(faulted)
    placed = await events(shop, type="order.placed")
    assert sorted(event["order_id"] for event in placed) == sorted(orders)
    assert (await stock(shop, "prd_mug", "SKU-MUG"))[DC] == before - len(orders)

    removed = await shop.delete(f"{FAULTS}/{rule['id']}", headers=ADMIN)
    assert removed.status_code == 200 and removed.json()["injected"] == len(faulted)
    assert await active_faults(shop) == 0
    for _ in range(20):
        assert (await checkout(shop, await cart_with_a_mug(shop))).status_code == 201
    await verified(shop)


async def test_the_next_three_checkouts_fail_then_answers_are_normal(shop: Client) -> None:
    rule = await add_rule(shop, operation_id="checkoutCart", kind="status", status=500, times=3)
    cart_id = await cart_with_a_mug(shop)
    for _ in range(3):
        answer = await checkout(shop, cart_id)
        assert problem(answer) == (500, "fault_injected")
        assert "Retry-After" not in answer.headers
    assert (await checkout(shop, cart_id)).status_code == 201
    assert (await checkout(shop, await cart_with_a_mug(shop))).status_code == 201
    spent = await rule_view(shop, rule["id"])
    assert spent | {"created_at": None} == spent | {
        "matched": 3,
        "injected": 3,
        "remaining": 0,
        "active": False,
        "created_at": None,
    }
    assert await active_faults(shop) == 0
    await verified(shop)


async def test_a_retry_with_the_same_idempotency_key_after_a_fault_is_placed_once(
    shop: Client,
) -> None:
    await add_rule(shop, **CHECKOUT_503, times=1)
    cart_id = await cart_with_a_mug(shop)
    assert (await checkout(shop, cart_id, key="k-1")).status_code == 503
    placed = await checkout(shop, cart_id, key="k-1")
    assert placed.status_code == 201 and "Idempotent-Replayed" not in placed.headers
    again = await checkout(shop, cart_id, key="k-1")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == placed.json()["id"]
    assert [e["order_id"] for e in await events(shop, type="order.placed")] == [placed.json()["id"]]


async def test_a_dropped_add_to_cart_answers_nothing_and_adds_nothing(shop: Client) -> None:
    rule = await add_rule(shop, operation_id="addCartLine", kind="drop")
    cart = await new_cart(shop)
    dropped = await shop.post(
        f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-MUG"}, headers=headers()
    )
    # In-process the unfinished answer shows as its bare head; a real server closes the
    # connection (test_a_real_server_drops_the_connection).
    assert (dropped.content, dropped.headers["Omniloom-Fault"]) == (b"", rule["id"])
    read = (await shop.get(f"/v1/carts/{cart['id']}", headers=headers())).json()
    assert (read["lines"], read["version"]) == ([], cart["version"])


async def test_latency_delays_only_the_chosen_channel_and_the_route_still_answers(
    shop: Client,
) -> None:
    rule = await add_rule(
        shop,
        method="get",
        path="/v1/products/{product_id}",
        channel="mobile",
        kind="latency",
        latency_ms=250,
    )
    web = await shop.get("/v1/products/prd_mug", headers=headers())
    assert web.status_code == 200 and "Omniloom-Fault" not in web.headers
    assert delays(shop) == []
    mobile = await shop.get("/v1/products/prd_mug", headers=headers(MOBILE_KEY))
    assert mobile.status_code == 200 and mobile.json()["id"] == "prd_mug"
    assert mobile.headers["Omniloom-Fault"] == rule["id"]
    assert delays(shop) == [0.25]
    assert (await rule_view(shop, rule["id"]))["matched"] == 1  # the web request did not count


async def test_rules_on_one_route_apply_in_order_delays_first(shop: Client) -> None:
    slow = await add_rule(shop, operation_id="checkoutCart", kind="latency", latency_ms=40)
    failing = await add_rule(shop, **CHECKOUT_503, times=1)
    cart_id = await cart_with_a_mug(shop)
    first = await checkout(shop, cart_id)
    assert problem(first) == (503, "fault_injected")
    assert first.headers["Omniloom-Fault"] == failing["id"]
    second = await checkout(shop, cart_id)
    assert second.status_code == 201 and second.headers["Omniloom-Fault"] == slow["id"]
    assert delays(shop) == [0.04, 0.04]


async def test_rules_are_listed_in_order_and_cleared_together(shop: Client) -> None:
    first = await add_rule(shop, **CHECKOUT_503, probability=0.5)
    second = await add_rule(shop, operation_id="getCart", kind="latency", latency_ms=10)
    assert (first["seed"], second["seed"]) == (1, 2)  # without a seed: the rule's number
    listed = (await shop.get(FAULTS, headers=ADMIN)).json()["items"]
    assert [rule["id"] for rule in listed] == [first["id"], second["id"]]
    assert listed[1]["path"] == "/v1/carts/{cart_id}"
    cleared = await shop.delete(FAULTS, headers=ADMIN)
    assert cleared.json() == {"removed": 2}
    assert (await shop.get(FAULTS, headers=ADMIN)).json()["items"] == []
    assert problem(await shop.get(f"{FAULTS}/{first['id']}", headers=ADMIN)) == (
        404,
        "not_found",
    )
    assert problem(await shop.delete(f"{FAULTS}/{first['id']}", headers=ADMIN)) == (
        404,
        "not_found",
    )
    # Numbers are not reused: a rule added now is not mistaken for one removed.
    assert (await add_rule(shop, **CHECKOUT_503))["id"] == "flt_3"


# A rule that cannot be kept → the field at fault.
REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"method": "POST", "path": "/v1/carts/cart_1/checkout", "kind": "drop"}, "path"),
    ({"method": "DELETE", "path": "/v1/carts/{cart_id}/checkout", "kind": "drop"}, "method"),
    ({"operation_id": "checkoutCartz", "kind": "drop"}, "operation_id"),
    ({"operation_id": "createFaultRule", "kind": "drop"}, "operation_id"),
    ({"method": "POST", "path": "/v1/admin/reset", "kind": "drop"}, "path"),
    ({"method": "GET", "path": "/health", "kind": "drop"}, "path"),
    ({"kind": "drop"}, "method"),
    ({"method": "GET", "kind": "drop"}, "path"),
    ({**CHECKOUT_503, "path": "/v1/carts/{cart_id}/checkout"}, "path"),
    ({**CHECKOUT_503, "probability": 1.5}, "probability"),
    ({**CHECKOUT_503, "probability": -0.1}, "probability"),
    ({"operation_id": "getCart", "kind": "latency", "latency_ms": -5}, "latency_ms"),
    ({"operation_id": "getCart", "kind": "latency"}, "latency_ms"),
    ({"operation_id": "getCart", "kind": "slow"}, "kind"),
    ({"operation_id": "getCart", "kind": "status", "status": 404}, "status"),
    ({"operation_id": "getCart", "kind": "status"}, "status"),
    ({"operation_id": "getCart", "kind": "drop", "latency_ms": 5}, "latency_ms"),
    ({**CHECKOUT_503, "status": 500, "retry_after": 2}, "retry_after"),
    ({**CHECKOUT_503, "times": 0}, "times"),
    ({**CHECKOUT_503, "channel": "fax"}, "channel"),
    ({**CHECKOUT_503, "colour": "red"}, "colour"),
]


async def test_a_rule_that_cannot_be_kept_is_refused_naming_its_field(shop: Client) -> None:
    for rule, field in REFUSED:
        refused = await shop.post(FAULTS, json=rule, headers=ADMIN)
        assert problem(refused) == (422, "invalid_input"), (rule, refused.text)
        assert refused.json()["errors"][0]["field"] == field, (rule, refused.text)
    assert (await shop.get(FAULTS, headers=ADMIN)).json()["items"] == []
    assert await active_faults(shop) == 0


async def test_only_admin_keys_manage_rules(shop: Client) -> None:
    assert problem(await shop.post(FAULTS, json=CHECKOUT_503, headers=headers())) == (
        403,
        "out_of_scope",
    )
    assert problem(await shop.get(FAULTS)) == (401, "authentication_required")


@pytest.fixture
def demo_store(tmp_path: Path) -> str:
    """The demo store, seeded as `omniloom seed` seeds it."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    seeded = omniloom("seed", "--database-url", url, "--quiet")
    assert seeded.returncode == 0, seeded.stderr
    return url


async def test_a_reset_clears_the_rules(demo_store: str) -> None:
    async with ShopperClient(app=create_app(Settings(database_url=demo_store))) as client:
        await add_rule(client, **CHECKOUT_503)
        assert await active_faults(client) == 1
        reset = await client.post("/v1/admin/reset", headers=ADMIN)
        assert reset.status_code == 200, reset.text
        assert await active_faults(client) == 0
        assert (await client.get(FAULTS, headers=ADMIN)).json()["items"] == []
        assert (await add_rule(client, **CHECKOUT_503))["id"] == "flt_1"


def test_a_real_server_drops_the_connection_without_an_answer(demo_store: str) -> None:
    with running_server(demo_store) as base, httpx.Client(base_url=base) as http:
        rule = {"operation_id": "createCart", "kind": "drop", "times": 1}
        assert http.post(FAULTS, json=rule, headers=ADMIN).status_code == 201
        with pytest.raises(httpx.RemoteProtocolError):
            http.post("/v1/carts", json={}, headers=headers())
        assert http.post("/v1/carts", json={}, headers=headers()).status_code == 201
        counted = http.get(f"{FAULTS}/flt_1", headers=ADMIN).json()
        assert (counted["matched"], counted["injected"]) == (1, 1)


def test_every_server_process_applies_the_same_rules_and_counts_together(
    store_db: Database, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several server processes share PostgreSQL only")
    with (
        running_server(database_url) as first,
        running_server(database_url) as second,
        httpx.Client(base_url=first) as one,
        httpx.Client(base_url=second) as other,
    ):
        assert other.get("/health").json()["faults"] == 0  # the other process read: no rules
        rule = {"operation_id": "getProduct", "kind": "status", "status": 503}
        added = one.post(FAULTS, json={**rule, "probability": 0.5, "seed": 11}, headers=ADMIN)
        assert added.status_code == 201, added.text
        # The other process hears of the rule by NOTIFY, a moment after the commit: waiting
        # for a message between processes, not for simulated time.
        deadline = time.monotonic() + 10
        while other.get("/health").json()["faults"] != 1:
            assert time.monotonic() < deadline, "the other process never heard of the rule"
            time.sleep(0.01)
        faulted = []
        for n in range(1, 41):  # turn about, as a load balancer would send them
            server = one if n % 2 else other
            if server.get("/v1/products/prd_mug", headers=headers()).status_code == 503:
                faulted.append(n)
        assert faulted == [n for n in range(1, 41) if draw(11, n) < 0.5]
        # A removed rule never fires again anywhere, even where a process still had it cached.
        assert other.delete(FAULTS, headers=ADMIN).json() == {"removed": 1}
        assert one.get("/v1/products/prd_mug", headers=headers()).status_code == 200
