"""Stock moved by hand: transfers between locations and adjustments, through the ledger."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.support.api import (
    Client,
    events,
    headers,
    placed_order,
    stock,
    verified,
)
from tests.support.pos import conflicts, offline_line, offline_sale, server_now, taxed, upload
from tests.support.store import ADMIN_KEY, DC, NYC, POS_KEY, SEA

ADMIN = headers(ADMIN_KEY)


async def transfer(client: Client, key: dict[str, str] = ADMIN, **body: Any) -> Any:
    return await client.post("/v1/admin/stock/transfers", json=body, headers=key)


async def adjust(client: Client, **body: Any) -> Any:
    return await client.post("/v1/admin/stock/adjustments", json=body, headers=ADMIN)


async def ledger(client: Client, **filters: str) -> list[dict[str, Any]]:
    response = await client.get("/v1/admin/stock/movements", params=filters, headers=ADMIN)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def web_order_held_at_dc(client: Client, sku: str, quantity: int) -> None:
    """A paid web order, not yet shipped: its units stay reserved at the DC."""
    placed = await placed_order(client, sku, quantity)
    assert placed["lines"][0]["location_id"] == DC


async def test_a_transfer_moves_stock_and_the_ledger_balances(client: Client) -> None:
    moved = await transfer(
        client, sku="SKU-MUG", from_location=DC, to_location=NYC, quantity=5, reason="restock"
    )

    assert moved.status_code == 201, moved.text
    view = moved.json()
    assert (view["source"]["on_hand"], view["destination"]["on_hand"]) == (32, 5)
    mugs = await stock(client, "prd_mug", "SKU-MUG")
    assert (mugs[DC], mugs[NYC], mugs[SEA]) == (32, 5, 0)
    rows = await ledger(client, sku="SKU-MUG", kind="transfer")
    assert [(r["location_id"], r["on_hand_delta"], r["reason"]) for r in rows] == [
        (DC, -5, "restock"),
        (NYC, 5, "restock"),
    ]
    [event] = await events(client, type="inventory.transferred")
    assert (event["location_id"], event["data"]["to_location_id"]) == (DC, NYC)
    assert event["data"]["transfer_id"] == view["id"]
    await verified(client)


async def test_a_transfer_beyond_what_is_available_changes_nothing(client: Client) -> None:
    await web_order_held_at_dc(client, "SKU-TEE-M", 4)  # 10 on hand at the DC, 4 of them held
    before = await stock(client, "prd_tee", "SKU-TEE-M")
    assert before[DC] == 6

    too_many = await transfer(
        client, sku="SKU-TEE-M", from_location=DC, to_location=SEA, quantity=7
    )
    assert (too_many.status_code, too_many.json()["code"]) == (409, "insufficient_stock")
    assert too_many.json()["errors"][0]["field"] == "quantity"
    assert too_many.headers["content-type"].startswith("application/problem+json")
    nowhere = await transfer(
        client, sku="SKU-TEE-M", from_location=DC, to_location="loc_moon", quantity=1
    )
    assert nowhere.json()["errors"][0]["field"] == "to_location"
    itself = await transfer(client, sku="SKU-TEE-M", from_location=DC, to_location=DC, quantity=1)
    assert itself.json()["errors"][0]["field"] == "to_location"
    unknown = await transfer(client, sku="SKU-NOPE", from_location=DC, to_location=SEA, quantity=1)
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_sku")
    till = await transfer(
        client, headers(POS_KEY), sku="SKU-TEE-M", from_location=NYC, to_location=SEA, quantity=1
    )
    assert (till.status_code, till.json()["code"]) == (403, "out_of_scope")

    assert await stock(client, "prd_tee", "SKU-TEE-M") == before
    assert await ledger(client, kind="transfer") == []
    assert await events(client, type="inventory.transferred") == []

    # Exactly what is available may go.
    allowed = await transfer(client, sku="SKU-TEE-M", from_location=DC, to_location=SEA, quantity=6)
    assert allowed.status_code == 201, allowed.text
    assert (await stock(client, "prd_tee", "SKU-TEE-M"))[DC] == 0
    await verified(client)


async def test_adjustments_are_recorded_with_their_reason(client: Client) -> None:
    lost = await adjust(client, sku="SKU-MUG", location=DC, delta=-2, reason="broken in storage")
    assert lost.status_code == 201, lost.text
    assert (lost.json()["delta"], lost.json()["level"]["on_hand"]) == (-2, 35)
    counted = await adjust(client, sku="SKU-MUG", location=DC, counted=40, reason="cycle count")
    assert counted.status_code == 201, counted.text
    assert (counted.json()["delta"], counted.json()["level"]["on_hand"]) == (5, 40)

    rows = await ledger(client, sku="SKU-MUG", location_id=DC)
    assert [(r["kind"], r["on_hand_delta"], r["reason"]) for r in rows] == [
        ("adjustment", -2, "broken in storage"),
        ("adjustment", 5, "cycle count"),
    ]
    reasons = [e["data"]["reason"] for e in await events(client, type="inventory.adjusted")]
    assert reasons == ["broken in storage", "cycle count"]
    assert (await stock(client, "prd_mug", "SKU-MUG"))[DC] == 40
    await verified(client)


async def test_an_adjustment_never_takes_stock_below_what_is_reserved(client: Client) -> None:
    await web_order_held_at_dc(client, "SKU-TEE-M", 4)  # 10 on hand at the DC, 4 held
    before = await stock(client, "prd_tee", "SKU-TEE-M")

    under = await adjust(client, sku="SKU-TEE-M", location=DC, counted=3, reason="count")
    assert (under.status_code, under.json()["code"]) == (409, "stock_below_reserved")
    assert under.json()["errors"][0]["field"] == "counted"
    negative = await adjust(client, sku="SKU-TEE-M", location=DC, delta=-7, reason="shrink")
    assert (negative.status_code, negative.json()["code"]) == (409, "stock_below_reserved")
    assert negative.json()["errors"][0]["field"] == "delta"
    neither = await adjust(client, sku="SKU-TEE-M", location=DC, reason="count")
    assert (neither.status_code, neither.json()["code"]) == (422, "invalid_input")
    nothing = await adjust(client, sku="SKU-TEE-M", location=DC, delta=0, reason="count")
    assert nothing.json()["errors"][0]["field"] == "delta"
    no_reason = await adjust(client, sku="SKU-TEE-M", location=DC, delta=-1)
    assert no_reason.json()["errors"][0]["field"] == "reason"
    assert await stock(client, "prd_tee", "SKU-TEE-M") == before
    assert await ledger(client, kind="adjustment") == []

    down_to_held = await adjust(client, sku="SKU-TEE-M", location=DC, counted=4, reason="count")
    assert down_to_held.status_code == 201, down_to_held.text
    assert down_to_held.json()["level"] == {
        "location_id": DC,
        "on_hand": 4,
        "reserved": 4,
        "available": 0,
    }
    await verified(client)


async def _oversold_lamps_at_nyc(client: Client) -> None:
    """New York has 2 lamps; its till, offline, sold 5: the shelf reads -3 and a conflict opens."""
    at = await server_now(client) - timedelta(hours=1)
    five = offline_sale("s1", at, [offline_line("SKU-LAMP", 5)], cash(taxed(5 * 8900)))
    uploaded = await upload(client, "b-oversold", five)
    assert uploaded.status_code == 201 and uploaded.json()["conflicts"] == 1, uploaded.text


def cash(amount: int) -> dict[str, Any]:
    return {"type": "cash", "tendered": amount}


async def test_stock_sent_to_an_oversold_shelf_arrives(client: Client) -> None:
    await _oversold_lamps_at_nyc(client)
    sent = await transfer(client, sku="SKU-LAMP", from_location=DC, to_location=NYC, quantity=2)
    assert sent.status_code == 201, sent.text
    assert sent.json()["destination"]["on_hand"] == -1
    assert [m["on_hand_delta"] for m in await ledger(client, kind="transfer")] == [-2, 2]
    found = await adjust(client, sku="SKU-LAMP", location=NYC, delta=1, reason="back room")
    assert found.status_code == 201, found.text
    assert found.json()["level"]["on_hand"] == 0
    # Adding units squares the books but is not a count: the oversell stays open until counted.
    assert len(await conflicts(client, status="open")) == 1
    await verified(client)


async def test_a_count_by_adjustment_settles_an_oversell(client: Client) -> None:
    await _oversold_lamps_at_nyc(client)
    counted = await adjust(client, sku="SKU-LAMP", location=NYC, counted=4, reason="count")
    assert counted.status_code == 201, counted.text
    assert (counted.json()["delta"], counted.json()["level"]["on_hand"]) == (7, 4)
    assert await conflicts(client, status="open") == []
    [adjusted] = await events(client, type="inventory.adjusted")
    assert len(adjusted["data"]["resolved_conflicts"]) == 1
    policy = await client.put(
        f"/v1/admin/locations/{NYC}/stock-policy",
        json={"negative_stock_allowed": False},
        headers=ADMIN,
    )
    assert policy.status_code == 200, policy.text
    await verified(client)


async def test_a_count_sets_the_shelf_to_what_was_found(client: Client) -> None:
    # Seattle has no mugs on its books; a count that finds two puts them there.
    counted = await adjust(client, sku="SKU-MUG", location=SEA, counted=2, reason="found")
    assert counted.status_code == 201, counted.text
    assert (counted.json()["delta"], counted.json()["level"]["on_hand"]) == (2, 2)
    assert [m["on_hand_delta"] for m in await ledger(client, location_id=SEA, sku="SKU-MUG")] == [2]
    none = await adjust(client, sku="SKU-LAMP", location=SEA, counted=0, reason="empty shelf")
    assert none.status_code == 201 and none.json()["delta"] == -1, none.text
    await verified(client)
