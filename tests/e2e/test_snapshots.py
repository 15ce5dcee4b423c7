"""Named snapshots over HTTP: take one, run a journey, restore it, and the store is as it was —
rows, clock, id sequence, idempotency memory — on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection

from omniloom.config import Settings
from omniloom.store import store_contents
from omniloom.store.database import Database, open_database
from tests.support.api import Client, checkout_body, events, headers, stock, verified
from tests.support.app import app_client
from tests.support.store import ADMIN_KEY

ADMIN = headers(ADMIN_KEY)
SNAPSHOTS = "/v1/admin/snapshots"


async def _take(client: Client, name: str, **body: Any) -> dict[str, Any]:
    response = await client.post(SNAPSHOTS, json={"name": name, **body}, headers=ADMIN)
    assert response.status_code == 201, response.text
    taken: dict[str, Any] = response.json()
    return taken


async def _restore(client: Client, name: str) -> dict[str, Any]:
    response = await client.post(f"{SNAPSHOTS}/{name}/restore", headers=ADMIN)
    assert response.status_code == 200, response.text
    restored: dict[str, Any] = response.json()
    return restored


async def _journey(client: Client, idempotency_key: str = "checkout-1") -> list[Any]:
    """A shopper's visit (a cart, a line, a paid checkout sent with an Idempotency-Key), then
    what the store recorded of it: every answer, whether it was a replay, every event."""
    device = headers(**{"X-Device-Id": "dev_snapshot"})
    cart = await client.post("/v1/carts", json={}, headers=device)
    cart_id = cart.json()["id"]
    key = {**device, "X-Cart-Token": cart.json()["cart_token"]}
    line = {"sku": "SKU-TEE-M", "quantity": 2}
    added = await client.post(f"/v1/carts/{cart_id}/lines", json=line, headers=key)
    paid = await client.post(
        f"/v1/carts/{cart_id}/checkout",
        json=checkout_body(),
        headers={**key, "Idempotency-Key": idempotency_key},
    )
    advanced = await client.post("/v1/admin/clock/advance", json={"hours": 2}, headers=ADMIN)
    journal = await client.get("/v1/admin/events?limit=1000", headers=ADMIN)
    seen: list[Any] = []
    for response in (cart, added, paid, advanced, journal):
        assert response.status_code < 300, response.text
        seen.append((response.content, response.headers.get("idempotent-replayed")))
    return seen


async def _contents(client: Client) -> dict[str, list[Any]]:
    """Every row of every table of the store but the clock's state (whose wall-clock anchor a
    restore moves on purpose; the clock is compared through the API)."""
    db: Database = client.app.state["runtime"].db

    def read(conn: Connection) -> dict[str, list[Any]]:
        tables = store_contents.STORE_TABLES
        found = {table.name: store_contents.read(conn, table)[1] for table in tables}
        found["settings"] = [row for row in found["settings"] if row[0] != "clock"]
        return found

    # The app's database belongs to the client's event loop: a blocking read, off this loop.
    return await asyncio.to_thread(db.run_blocking, read)


async def test_a_restore_puts_back_every_row_the_clock_and_the_event_numbers(
    client: Client,
) -> None:
    await client.post("/v1/admin/clock/advance", json={"days": 1}, headers=ADMIN)
    before = await _contents(client)
    clock = (await client.get("/v1/admin/clock", headers=ADMIN)).json()
    taken = await _take(client, "start")
    assert taken["clock"] == clock["now"]
    assert taken["rows"] == sum(len(rows) for rows in before.values()) + 1  # and the clock's
    assert taken["counts"]["products"] == 3

    await _journey(client)
    restored = await _restore(client, "start")
    assert restored == taken
    assert await _contents(client) == before
    assert (await client.get("/v1/admin/clock", headers=ADMIN)).json() == clock
    await verified(client)
    # The event log numbers on from where it stood, as before (PostgreSQL's sequence too).
    await _journey(client)
    numbers = [event["seq"] for event in await events(client)]
    assert numbers == list(range(1, len(numbers) + 1))


async def test_after_a_restore_the_same_journey_gives_byte_identical_answers(
    client: Client, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("ids repeat only in seeded mode, which is the embedded store's")
    await _journey(client, "earlier")  # ids, events and a key remembered before the snapshot
    await _take(client, "before-checkout")
    first = await _journey(client)
    await _restore(client, "before-checkout")
    again = await _journey(client)
    assert again == first
    assert first[2][1] is None  # the checkout ran, it was not an Idempotency-Key replay
    await verified(client)


async def test_a_restore_remembers_the_idempotency_keys_of_its_moment(client: Client) -> None:
    async def checkout(key: str, sku: str) -> Any:
        cart = await client.post("/v1/carts", json={}, headers=headers())
        cart_id, token = cart.json()["id"], cart.json()["cart_token"]
        shopper = headers(**{"X-Cart-Token": token})
        line = {"sku": sku, "quantity": 1}
        await client.post(f"/v1/carts/{cart_id}/lines", json=line, headers=shopper)
        return await client.post(
            f"/v1/carts/{cart_id}/checkout",
            json=checkout_body(),
            headers={**shopper, "Idempotency-Key": key},
        )

    assert (await checkout("before", "SKU-MUG")).status_code == 201
    await _take(client, "keys")
    assert (await checkout("after", "SKU-MUG")).status_code == 201
    await _restore(client, "keys")
    # Used before the snapshot: still remembered, so a new request under it is refused.
    assert (await checkout("before", "SKU-LAMP")).json()["code"] == "idempotency_key_reused"
    # Used only after it: forgotten with everything else of that time.
    assert (await checkout("after", "SKU-LAMP")).status_code == 201


async def test_a_restore_forgets_stock_the_server_had_cached(client: Client) -> None:
    before = await stock(client, "prd_tee", "SKU-TEE-M")
    await _take(client, "full-shelves")
    cart = (await client.post("/v1/carts", json={}, headers=headers())).json()
    shopper = headers(**{"X-Cart-Token": cart["cart_token"]})
    line = {"sku": "SKU-TEE-M", "quantity": 3}
    await client.post(f"/v1/carts/{cart['id']}/lines", json=line, headers=shopper)
    paid = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=shopper
    )
    assert paid.status_code == 201, paid.text
    assert await stock(client, "prd_tee", "SKU-TEE-M") != before
    await _restore(client, "full-shelves")
    assert await stock(client, "prd_tee", "SKU-TEE-M") == before


async def test_a_snapshot_of_a_running_clock_runs_again_at_its_pace(client: Client) -> None:
    running = await client.put("/v1/admin/clock", json={"factor": 60}, headers=ADMIN)
    assert running.status_code == 200, running.text
    taken = await _take(client, "running")
    assert taken["clock_factor"] == 60
    await client.put("/v1/admin/clock", json={"factor": 0}, headers=ADMIN)
    await client.post("/v1/admin/clock/advance", json={"days": 30}, headers=ADMIN)
    await _restore(client, "running")
    clock = (await client.get("/v1/admin/clock", headers=ADMIN)).json()
    assert (clock["frozen"], clock["factor"]) == (False, 60)
    since = datetime.fromisoformat(clock["now"]) - datetime.fromisoformat(taken["clock"])
    assert timedelta(0) <= since < timedelta(days=1)  # on from then, not from a month later


async def test_snapshots_outlive_a_restore_and_a_restart(
    client: Client, settings: Settings
) -> None:
    await _take(client, "first")
    await client.post("/v1/carts", json={}, headers=headers())
    await _take(client, "second")
    await _restore(client, "first")
    names = [s["name"] for s in (await client.get(SNAPSHOTS, headers=ADMIN)).json()["items"]]
    assert names == ["first", "second"]
    # Another server process on the same database (or this one restarted) sees them too.
    async with app_client(settings, open_database(settings.database_url)) as other:
        listed = (await other.get(SNAPSHOTS, headers=ADMIN)).json()["items"]
        assert [s["name"] for s in listed] == ["first", "second"]
        assert (await other.get(f"{SNAPSHOTS}/second", headers=ADMIN)).json()["counts"][
            "carts"
        ] == 1


async def test_a_reset_keeps_the_snapshots_and_one_taken_before_brings_the_store_back(
    client: Client,
) -> None:
    taken = await _take(client, "mini")
    reset = await client.post("/v1/admin/reset", headers=ADMIN)
    assert reset.status_code == 200, reset.text
    assert reset.json()["counts"]["products"] != taken["counts"]["products"]
    assert await _restore(client, "mini") == taken
    products = (await client.get("/v1/products", headers=headers())).json()["items"]
    assert sorted(product["id"] for product in products) == ["prd_lamp", "prd_mug", "prd_tee"]
    await verified(client)


async def test_a_name_taken_answers_409_unless_overwrite_is_asked(client: Client) -> None:
    first = await _take(client, "nightly")
    await client.post("/v1/carts", json={}, headers=headers())
    again = await client.post(SNAPSHOTS, json={"name": "nightly"}, headers=ADMIN)
    assert again.status_code == 409
    assert again.json()["code"] == "snapshot_exists"
    assert (await client.get(f"{SNAPSHOTS}/nightly", headers=ADMIN)).json() == first
    replaced = await _take(client, "nightly", overwrite=True)
    assert replaced["counts"]["carts"] == first["counts"]["carts"] + 1
    assert (await client.get(f"{SNAPSHOTS}/nightly", headers=ADMIN)).json() == replaced


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "x" * 65},
        {"name": "before checkout"},
        {"name": "../etc"},
        {"name": ".hidden"},
        {"name": 7},
        {},
    ],
)
async def test_a_bad_name_is_refused_naming_the_field_and_nothing_is_taken(
    client: Client, body: dict[str, Any]
) -> None:
    refused = await client.post(SNAPSHOTS, json=body, headers=ADMIN)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "invalid_input"
    assert [error["field"] for error in refused.json()["errors"]] == ["name"]
    assert (await client.get(SNAPSHOTS, headers=ADMIN)).json()["items"] == []


async def test_an_unknown_snapshot_is_404_and_a_failed_restore_changes_nothing(
    client: Client,
) -> None:
    cart = (await client.post("/v1/carts", json={}, headers=headers())).json()
    for method, path in [
        ("GET", f"{SNAPSHOTS}/nope"),
        ("POST", f"{SNAPSHOTS}/nope/restore"),
        ("DELETE", f"{SNAPSHOTS}/nope"),
    ]:
        answer = await client.request(method, path, headers=ADMIN)
        assert answer.status_code == 404, (method, path)
        assert answer.json()["code"] == "not_found"
    assert (await client.get(f"/v1/carts/{cart['id']}", headers=ADMIN)).status_code == 200


async def test_a_deleted_snapshot_is_gone_and_the_store_untouched(client: Client) -> None:
    await _take(client, "scratch")
    cart = (await client.post("/v1/carts", json={}, headers=headers())).json()
    assert (await client.delete(f"{SNAPSHOTS}/scratch", headers=ADMIN)).status_code == 204
    assert (await client.get(f"{SNAPSHOTS}/scratch", headers=ADMIN)).status_code == 404
    assert (await client.get(f"/v1/carts/{cart['id']}", headers=ADMIN)).status_code == 200


async def test_only_an_admin_key_may_touch_snapshots(client: Client) -> None:
    for method, path in [
        ("POST", SNAPSHOTS),
        ("GET", SNAPSHOTS),
        ("GET", f"{SNAPSHOTS}/any"),
        ("POST", f"{SNAPSHOTS}/any/restore"),
        ("DELETE", f"{SNAPSHOTS}/any"),
    ]:
        refused = await client.request(method, path, json={"name": "any"}, headers=headers())
        assert refused.status_code == 403, (method, path)
        assert refused.json()["code"] == "out_of_scope"
