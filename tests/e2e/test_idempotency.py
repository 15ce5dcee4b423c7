"""A retried checkout returns the same order and charges once."""

from __future__ import annotations

import asyncio
from typing import cast

from httpx import AsyncClient

from tests.support.api import Client, add, checkout_body, events, headers, new_cart, stock
from tests.support.store import DC


async def test_retried_checkout_returns_the_same_order_and_charges_once(client: Client) -> None:
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-MUG", 2)
    key = headers(**{"Idempotency-Key": "checkout-7f3a"})

    first = await client.post(f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=key)
    again = await client.post(f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=key)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(first.json()["payments"]) == 1
    assert len(await events(client, type="payment.captured")) == 1
    assert (await stock(client, "prd_mug", "SKU-MUG"))[DC] == 37 - 2


async def test_same_key_with_a_different_body_is_refused(client: Client) -> None:
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-MUG", 1)
    key = headers(**{"Idempotency-Key": "checkout-1"})
    first = await client.post(f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=key)
    assert first.status_code == 201

    other = checkout_body(type="pickup", location_id="loc_store_nyc")
    response = await client.post(f"/v1/carts/{cart['id']}/checkout", json=other, headers=key)

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert len(await events(client, type="order.placed")) == 1


async def test_keys_are_per_api_key(client: Client) -> None:
    """Two clients that happen to pick the same key do not see each other's responses."""
    key = {"Idempotency-Key": "same"}
    web = await client.post("/v1/carts", json={}, headers=headers(**key))
    mobile = await client.post("/v1/carts", json={}, headers=headers("olk_mobile_demo", **key))
    assert web.json()["id"] != mobile.json()["id"]


async def test_duplicates_in_flight_replay_the_first_checkout(racing_client: AsyncClient) -> None:
    """A client retrying while its first checkout is still running gets that order, never a
    conflict: 30 checkouts of one cart with one key, all at once, place one order."""
    client = cast(Client, racing_client)  # the helpers take any httpx client
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-MUG", 1)
    key = headers(**{"Idempotency-Key": "checkout-in-flight"})

    responses = await asyncio.gather(
        *(
            racing_client.post(
                f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=key
            )
            for _ in range(30)
        )
    )

    assert [r.status_code for r in responses] == [201] * 30
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 29
    assert len(await events(client, type="payment.captured")) == 1
    assert (await stock(client, "prd_mug", "SKU-MUG"))[DC] == 37 - 1
