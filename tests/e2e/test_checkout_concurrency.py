"""Many buyers, two channels, one scarce SKU: exactly as many orders as there are units."""

from __future__ import annotations

import asyncio
from typing import cast

from httpx import AsyncClient

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
from tests.support.store import DC, MOBILE_KEY, WEB_KEY

BUYERS = 200
UNITS = 37  # SKU-MUG: 37 at the DC, none in the stores


async def test_200_concurrent_checkouts_for_37_units_yield_37_orders(client: Client) -> None:
    await flash_sale(client)


async def test_the_same_flash_sale_with_every_checkout_in_flight_at_once(
    racing_client: AsyncClient,
) -> None:
    """As above, but on one event loop, so the database sees the checkouts overlap (on
    PostgreSQL: row locks and conditional updates decide, not the order requests arrive in)."""
    await flash_sale(cast(Client, racing_client))


async def flash_sale(client: Client) -> None:
    keys = [WEB_KEY if i % 2 else MOBILE_KEY for i in range(BUYERS)]
    carts = []
    for key in keys:
        cart = await new_cart(client, key)
        await add(client, cart["id"], "SKU-MUG", 1, key)
        carts.append(cart["id"])

    responses = await asyncio.gather(
        *(
            client.post(f"/v1/carts/{cart_id}/checkout", json=checkout_body(), headers=headers(key))
            for cart_id, key in zip(carts, keys, strict=True)
        )
    )

    placed = [r for r in responses if r.status_code == 201]
    refused = [r for r in responses if r.status_code != 201]
    assert len(placed) == UNITS
    assert len(refused) == BUYERS - UNITS
    assert {r.status_code for r in refused} == {409}
    assert {r.headers["content-type"] for r in refused} == {"application/problem+json"}
    assert {r.json()["code"] for r in refused} == {"insufficient_stock"}
    assert {r.json()["channel"] for r in placed} == {"web", "mobile"}
    assert await stock(client, "prd_mug", "SKU-MUG") == {
        DC: 0,
        "loc_store_nyc": 0,
        "loc_store_seattle": 0,
    }
    assert len(await events(client, type="order.placed")) == UNITS
    assert len(await events(client, type="payment.captured")) == UNITS
    await verified(client)
