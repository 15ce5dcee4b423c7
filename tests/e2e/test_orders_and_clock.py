"""Order moves, pickup, and stock holds that expire when the simulated clock passes them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient

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
from tests.support.app import ClientWith
from tests.support.store import ADMIN_KEY, DC, NYC, SEA

ADMIN = headers(ADMIN_KEY)


async def test_pickup_order_is_held_at_the_store_then_handed_over(client: Client) -> None:
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-LAMP", 2)
    placed = await client.post(
        f"/v1/carts/{cart['id']}/checkout",
        json=checkout_body(type="pickup", location_id=NYC),
        headers=headers(),
    )
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert (order["fulfilment"], order["location_id"], order["shipping"]) == ("pickup", NYC, 0)
    assert order["tax"] == 2 * 8900 * 888 // 10_000 + 1  # 8.88 % of 178.00, half up
    assert order["total"] == order["subtotal"] + order["tax"]
    assert (await stock(client, "prd_lamp", "SKU-LAMP"))[NYC] == 0

    shipped = await client.post(f"/v1/admin/orders/{order['id']}/fulfil", headers=ADMIN)
    assert shipped.status_code == 409
    assert shipped.json()["code"] == "invalid_state_transition"

    ready = await client.post(f"/v1/admin/orders/{order['id']}/ready", headers=ADMIN)
    assert ready.json()["status"] == "ready_for_pickup"
    done = await client.post(f"/v1/admin/orders/{order['id']}/picked-up", headers=ADMIN)
    assert done.json()["status"] == "picked_up"
    assert (await stock(client, "prd_lamp", "SKU-LAMP"))[NYC] == 0
    assert [e["type"] for e in await events(client, order_id=order["id"])][-2:] == [
        "order.ready_for_pickup",
        "order.picked_up",
    ]


async def test_cancelling_a_paid_order_releases_stock_and_refunds(client: Client) -> None:
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-MUG", 5)
    order = (
        await client.post(
            f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=headers()
        )
    ).json()
    assert (await stock(client, "prd_mug", "SKU-MUG"))[DC] == 32

    cancelled = await client.post(f"/v1/admin/orders/{order['id']}/cancel", headers=ADMIN)

    assert cancelled.json()["status"] == "cancelled"
    assert [p["status"] for p in cancelled.json()["payments"]] == ["refunded"]
    assert (await stock(client, "prd_mug", "SKU-MUG"))[DC] == 37
    again = await client.post(f"/v1/admin/orders/{order['id']}/cancel", headers=ADMIN)
    assert again.status_code == 409


async def test_an_ordered_cart_cannot_change_or_check_out_again(client: Client) -> None:
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-MUG", 1)
    first = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=headers()
    )
    assert first.status_code == 201
    second = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=headers()
    )
    assert (second.status_code, second.json()["code"]) == (409, "cart_not_active")
    late = await client.post(
        f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-MUG"}, headers=headers()
    )
    assert late.json()["code"] == "cart_not_active"
    assert len(await events(client, type="order.placed")) == 1


async def test_empty_cart_cannot_check_out(client: Client) -> None:
    cart = await new_cart(client)
    response = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=headers()
    )
    assert (response.status_code, response.json()["code"]) == (422, "cart_empty")


@pytest.fixture
async def holding_client(client_with: ClientWith) -> AsyncIterator[AsyncTestClient]:
    held = client_with(reservation_policy="add_to_cart", reservation_ttl=timedelta(minutes=15))
    async with held as test_client:
        yield test_client


async def test_add_to_cart_holds_expire_when_the_clock_passes_them(holding_client: Client) -> None:
    client = holding_client
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-TEE-L", 2)  # DC has none: the hold lands in a store
    assert await stock(client, "prd_tee", "SKU-TEE-L") == {DC: 0, NYC: 1, SEA: 0}

    early = await client.post("/v1/admin/clock/advance", json={"minutes": 14}, headers=ADMIN)
    assert early.json()["reservations_expired"] == 0
    assert await stock(client, "prd_tee", "SKU-TEE-L") == {DC: 0, NYC: 1, SEA: 0}

    late = await client.post("/v1/admin/clock/advance", json={"minutes": 2}, headers=ADMIN)
    assert late.json()["reservations_expired"] == 1
    assert await stock(client, "prd_tee", "SKU-TEE-L") == {DC: 0, NYC: 1, SEA: 2}
    assert len(await events(client, type="inventory.reservation_expired")) == 1

    # The cart still lists the line; checkout takes the stock again if it is there.
    order = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=headers()
    )
    assert order.status_code == 201, order.text
    assert await stock(client, "prd_tee", "SKU-TEE-L") == {DC: 0, NYC: 1, SEA: 0}


async def test_clock_refuses_to_go_back(client: Client) -> None:
    now = (await client.get("/v1/admin/clock", headers=ADMIN)).json()["now"]
    response = await client.post(
        "/v1/admin/clock/set", json={"at": "2020-01-01T00:00:00Z"}, headers=ADMIN
    )
    assert response.status_code == 422
    assert (await client.get("/v1/admin/clock", headers=ADMIN)).json()["now"] == now


async def test_an_uncollected_pickup_is_cancelled_and_refunded_when_the_window_passes(
    client: Client,
) -> None:
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-LAMP", 1)
    order = (
        await client.post(
            f"/v1/carts/{cart['id']}/checkout",
            json=checkout_body(type="pickup", location_id=NYC),
            headers=headers(),
        )
    ).json()
    await client.post(f"/v1/admin/orders/{order['id']}/ready", headers=ADMIN)
    assert (await stock(client, "prd_lamp", "SKU-LAMP"))[NYC] == 1

    six_days = await client.post("/v1/admin/clock/advance", json={"days": 6}, headers=ADMIN)
    assert six_days.json()["pickups_cancelled"] == 0
    late = await client.post("/v1/admin/clock/advance", json={"days": 2}, headers=ADMIN)
    assert late.json()["pickups_cancelled"] == 1

    after = (await client.get(f"/v1/orders/{order['id']}", headers=ADMIN)).json()
    assert after["status"] == "cancelled"
    assert [p["status"] for p in after["payments"]] == ["refunded"]
    assert (await stock(client, "prd_lamp", "SKU-LAMP"))[NYC] == 2
    assert [e["type"] for e in await events(client, order_id=order["id"])][-1] == (
        "order.pickup_no_show"
    )
    await verified(client)
