"""Fulfilment routing: a shipped order comes from the DC, or from the nearest store that has it."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from omniloom.api.app import create_app
from omniloom.config import Settings
from omniloom.store.database import Database
from omniloom.store.tables import inventory
from tests.support.api import (
    SHIP_TO,
    Client,
    add,
    checkout_body,
    events,
    headers,
    new_cart,
    stock,
    verified,
)
from tests.support.app import ClientWith
from tests.support.store import ADMIN_KEY, DC, NYC, SEA

ADMIN = headers(ADMIN_KEY)
# Tacoma, a short drive from the Seattle store and a continent away from New York.
TACOMA = {**SHIP_TO, "city": "Tacoma", "postal_code": "98402"}
TACOMA_POINT = {"latitude": 47.25, "longitude": -122.44}


async def ship(client: Client, items: dict[str, int], address: dict[str, Any]) -> Any:
    """Check out a new web cart holding ``items`` to ``address``; returns the response."""
    cart = await new_cart(client)
    for sku, quantity in items.items():
        await add(client, cart["id"], sku, quantity)
    return await client.post(
        f"/v1/carts/{cart['id']}/checkout",
        json=checkout_body(type="ship", address=address),
        headers=headers(),
    )


async def shipped(client: Client, items: dict[str, int], address: dict[str, Any]) -> Any:
    response = await ship(client, items, address)
    assert response.status_code == 201, response.text
    return response.json()


async def shelf(store_db: Database, sku: str) -> dict[str, tuple[int, int]]:
    """(on hand, reserved) per location, straight from the stock table."""
    stmt = select(inventory.c.location_id, inventory.c.on_hand, inventory.c.reserved).where(
        inventory.c.sku == sku
    )
    # In a thread of its own: the database's engine belongs to the app's event loop.
    rows = await asyncio.to_thread(store_db.run_blocking, lambda conn: conn.execute(stmt).all())
    return {location: (on_hand, reserved) for location, on_hand, reserved in rows}


@pytest.fixture
async def ruled(client_with: ClientWith) -> AsyncIterator[Any]:
    """Clients of the same store, each running one routing rule."""
    async with contextlib.AsyncExitStack() as opened:

        async def client_for(rule: str) -> AsyncTestClient[Any]:
            return await opened.enter_async_context(client_with(routing_rule=rule))

        yield client_for


async def test_the_dc_ships_what_it_has_and_the_order_says_why(client: Client) -> None:
    order = await shipped(client, {"SKU-TEE-M": 2}, {**TACOMA, **TACOMA_POINT})

    assert [(line["sku"], line["location_id"]) for line in order["lines"]] == [("SKU-TEE-M", DC)]
    assert order["routing"] == {"rule": "dc_then_nearest_store", "located_by": "coordinates"}
    assert order["ship_to"]["latitude"] == TACOMA_POINT["latitude"]
    assert await stock(client, "prd_tee", "SKU-TEE-M") == {DC: 8, NYC: 3, SEA: 0}
    routed = [e for e in await events(client, order_id=order["id"]) if e["type"] == "order.routed"]
    assert [e["data"] for e in routed] == [
        {
            "rule": "dc_then_nearest_store",
            "located_by": "coordinates",
            "lines": [{"sku": "SKU-TEE-M", "quantity": 2, "location_id": DC}],
        }
    ]
    await verified(client)


async def test_without_dc_stock_the_nearest_store_ships_not_the_first_ranked(
    client: Client, store_db: Database
) -> None:
    # SKU-TEE-L: none at the DC, one in New York (ranked first of the stores), two in Seattle.
    order = await shipped(client, {"SKU-TEE-L": 1}, {**TACOMA, **TACOMA_POINT})

    assert [line["location_id"] for line in order["lines"]] == [SEA]
    assert (order["status"], order["fulfilment"], order["location_id"]) == ("paid", "ship", None)
    assert await stock(client, "prd_tee", "SKU-TEE-L") == {DC: 0, NYC: 1, SEA: 1}

    # Shipping it from the store consumes that store's units, nobody else's.
    fulfilled = await client.post(f"/v1/admin/orders/{order['id']}/fulfil", headers=ADMIN)
    assert fulfilled.status_code == 200, fulfilled.text
    assert fulfilled.json()["status"] == "fulfilled"
    assert await shelf(store_db, "SKU-TEE-L") == {DC: (0, 0), NYC: (1, 0), SEA: (1, 0)}
    await verified(client)


async def test_a_store_too_short_for_the_line_is_passed_over_for_the_next_nearest(
    client: Client,
) -> None:
    # Two L tees to New York: the DC has none, New York has one, so Seattle ships both.
    order = await shipped(client, {"SKU-TEE-L": 2}, SHIP_TO)

    assert [line["location_id"] for line in order["lines"]] == [SEA]
    assert order["routing"] == {"rule": "dc_then_nearest_store", "located_by": "city"}
    assert await stock(client, "prd_tee", "SKU-TEE-L") == {DC: 0, NYC: 1, SEA: 0}
    await verified(client)


async def test_an_address_without_coordinates_is_placed_by_its_city(client: Client) -> None:
    order = await shipped(client, {"SKU-TEE-L": 1}, {**TACOMA, "city": "Seattle"})

    assert [line["location_id"] for line in order["lines"]] == [SEA]
    assert order["routing"]["located_by"] == "city"
    assert "latitude" not in order["ship_to"]


async def test_an_address_nobody_can_place_falls_back_to_the_channel_rank(client: Client) -> None:
    order = await shipped(client, {"SKU-TEE-L": 1}, {**TACOMA, "city": "Anchorage"})

    assert [line["location_id"] for line in order["lines"]] == [NYC]
    assert order["routing"] == {"rule": "dc_then_nearest_store", "located_by": "unknown"}
    await verified(client)


async def test_nothing_anywhere_is_409_and_changes_nothing(client: Client) -> None:
    late = await new_cart(client)
    await add(client, late["id"], "SKU-TEE-L", 1)
    # Everything the store network had of it ships to other buyers first.
    await shipped(client, {"SKU-TEE-L": 1}, SHIP_TO)  # New York
    await shipped(client, {"SKU-TEE-L": 2}, {**TACOMA, **TACOMA_POINT})  # Seattle
    before = await stock(client, "prd_tee", "SKU-TEE-L")
    assert before == {DC: 0, NYC: 0, SEA: 0}
    mugs_before = await stock(client, "prd_mug", "SKU-MUG")
    await add(client, late["id"], "SKU-MUG", 2)  # a line that would fit, reserved first
    events_before = len(await events(client))

    refused = await client.post(
        f"/v1/carts/{late['id']}/checkout",
        json=checkout_body(type="ship", address=SHIP_TO),
        headers=headers(),
    )

    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (refused.json()["code"], refused.json()["sku"]) == ("insufficient_stock", "SKU-TEE-L")
    assert await stock(client, "prd_tee", "SKU-TEE-L") == before
    assert await stock(client, "prd_mug", "SKU-MUG") == mugs_before
    cart = (await client.get(f"/v1/carts/{late['id']}", headers=headers())).json()
    assert cart["status"] == "active"
    assert len(await events(client)) == events_before
    await verified(client)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("dc_then_nearest_store", DC),  # the DC has the lamp
        ("nearest", SEA),  # Seattle is nearer Tacoma than the DC
        ("channel_rank", DC),  # the web shop's own order: DC, New York, Seattle
    ],
)
async def test_the_rule_is_chosen_by_settings(ruled: Any, rule: str, expected: str) -> None:
    client = await ruled(rule)
    order = await shipped(client, {"SKU-LAMP": 1}, {**TACOMA, **TACOMA_POINT})

    assert [line["location_id"] for line in order["lines"]] == [expected]
    assert order["routing"]["rule"] == rule
    await verified(client)


async def test_channel_rank_keeps_first_fit(ruled: Any) -> None:
    client = await ruled("channel_rank")
    order = await shipped(client, {"SKU-TEE-L": 1}, {**TACOMA, **TACOMA_POINT})

    assert [line["location_id"] for line in order["lines"]] == [NYC]


def test_an_unknown_rule_stops_the_start(store_db: Database, settings: Settings) -> None:
    with pytest.raises(ValueError, match="no routing rule 'cheapest'"):
        create_app(dataclasses.replace(settings, routing_rule="cheapest"), store_db)


async def test_pickup_orders_are_not_routed(client: Client) -> None:
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-LAMP", 1)
    placed = await client.post(
        f"/v1/carts/{cart['id']}/checkout",
        json=checkout_body(type="pickup", location_id=SEA),
        headers=headers(),
    )
    assert placed.status_code == 201, placed.text
    assert (placed.json()["routing"], placed.json()["lines"][0]["location_id"]) == (None, SEA)


@pytest.mark.parametrize(
    ("coordinates", "field"),
    [
        ({"latitude": 47.25}, "fulfilment.address"),
        ({"latitude": 91.0, "longitude": 0.0}, "fulfilment.address.latitude"),
        ({"latitude": 0.0, "longitude": "west"}, "fulfilment.address.longitude"),
    ],
)
async def test_bad_coordinates_are_refused_and_change_nothing(
    client: Client, coordinates: dict[str, Any], field: str
) -> None:
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-LAMP", 1)
    before = await stock(client, "prd_lamp", "SKU-LAMP")

    refused = await client.post(
        f"/v1/carts/{cart['id']}/checkout",
        json=checkout_body(type="ship", address={**SHIP_TO, **coordinates}),
        headers=headers(),
    )

    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_input")
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [error["field"] for error in refused.json()["errors"]] == [field]
    assert await stock(client, "prd_lamp", "SKU-LAMP") == before
    cart_now = (await client.get(f"/v1/carts/{cart['id']}", headers=headers())).json()
    assert (cart_now["status"], cart_now["version"]) == ("active", cart["version"] + 1)
