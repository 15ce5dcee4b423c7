"""A process remembers carts as it left them (services/carts/seen.py), and what it remembers
never decides an answer: a cart changed elsewhere is checked out as it is in the store.

Two apps on one PostgreSQL store stand for two server processes: each keeps its own memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Connection, update

from omniloom.config import Settings
from omniloom.store.database import Database
from omniloom.store.tables import cart_lines
from tests.support.api import checkout_body, headers, new_cart
from tests.support.app import app_client
from tests.support.wallet import ShopperClient


@pytest.fixture
async def two(
    store_db: Database, settings: Settings, database_url: str
) -> AsyncIterator[tuple[ShopperClient, ShopperClient]]:
    if not database_url.startswith("postgresql"):
        pytest.skip("carts are remembered on PostgreSQL only")
    # Each on a database of its own, as a server process has (store_db has seeded the store).
    async with app_client(settings) as first, app_client(settings) as second:
        yield first, second


def _with_token(cart: dict[str, Any], **extra: str) -> dict[str, str]:
    return headers(**{"X-Cart-Token": cart["cart_token"], **extra})


async def _add(client: ShopperClient, cart: dict[str, Any], sku: str, quantity: int) -> None:
    response = await client.post(
        f"/v1/carts/{cart['id']}/lines",
        json={"sku": sku, "quantity": quantity},
        headers=_with_token(cart),
    )
    assert response.status_code == 200, response.text


async def _ordered(client: ShopperClient, cart: dict[str, Any]) -> dict[str, int]:
    response = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=_with_token(cart)
    )
    assert response.status_code == 201, response.text
    return {line["sku"]: line["quantity"] for line in response.json()["lines"]}


async def _a_mug_in_a_new_cart(client: ShopperClient) -> dict[str, Any]:
    """A cart with one mug, made through ``client``, whose process then remembers it."""
    cart = await new_cart(client)
    await _add(client, cart, "SKU-MUG", 1)
    assert cart["id"] in client.app.state["runtime"].carts_seen
    return cart


async def test_a_line_added_through_another_process_is_in_the_order(
    two: tuple[ShopperClient, ShopperClient],
) -> None:
    first, second = two
    cart = await _a_mug_in_a_new_cart(first)
    await _add(second, cart, "SKU-LAMP", 2)
    assert await _ordered(first, cart) == {"SKU-MUG": 1, "SKU-LAMP": 2}


async def test_lines_changed_underneath_at_the_same_version_are_caught(
    two: tuple[ShopperClient, ShopperClient],
) -> None:
    # A restored snapshot, or any writer that does not move the version, leaves the version as
    # it was: the lines themselves are compared.
    first, _ = two
    cart = await _a_mug_in_a_new_cart(first)

    def more_mugs(conn: Connection) -> None:
        conn.execute(
            update(cart_lines).where(cart_lines.c.cart_id == cart["id"]).values(quantity=3)
        )

    await asyncio.to_thread(first.app.state["runtime"].db.run_blocking, more_mugs)
    assert await _ordered(first, cart) == {"SKU-MUG": 3}


async def test_a_cart_ordered_through_another_process_is_not_ordered_again(
    two: tuple[ShopperClient, ShopperClient],
) -> None:
    first, second = two
    cart = await _a_mug_in_a_new_cart(first)
    assert await _ordered(second, cart) == {"SKU-MUG": 1}
    again = await first.post(
        f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=_with_token(cart)
    )
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "cart_not_active", again.json()


async def test_a_version_moved_on_elsewhere_is_not_a_conflict_for_a_client_that_saw_it(
    two: tuple[ShopperClient, ShopperClient],
) -> None:
    # The first process remembers version 2; the client saw version 3 through the second.
    first, second = two
    cart = await _a_mug_in_a_new_cart(first)
    await _add(second, cart, "SKU-MUG", 1)
    seen = (await second.get(f"/v1/carts/{cart['id']}", headers=_with_token(cart))).json()
    response = await first.post(
        f"/v1/carts/{cart['id']}/lines",
        json={"sku": "SKU-LAMP", "quantity": 1},
        headers=_with_token(cart, **{"If-Match": f'"{seen["version"]}"'}),
    )
    assert response.status_code == 200, response.text
    lines = {line["sku"]: line["quantity"] for line in response.json()["lines"]}
    assert lines == {"SKU-MUG": 2, "SKU-LAMP": 1}
