"""`verify` finds what is wrong, and a random mix of shopping leaves nothing wrong."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, text

from omniloom.store.database import open_database
from omniloom.store.verify_queries import CHECKS
from tests.support.api import (
    Client,
    add,
    checkout_body,
    headers,
    new_cart,
    verified,
)
from tests.support.app import ClientWith
from tests.support.store import ADMIN_KEY, MOBILE_KEY, NYC, SEA, SKUS, WEB_KEY

ADMIN = headers(ADMIN_KEY)


async def _tamper(database_url: str, sql: str) -> None:
    """Change the store behind the server's back, the way a faulty tool or bug would."""
    db = open_database(database_url)

    def change(conn: Connection) -> None:
        conn.execute(text(sql))

    await db.write(change)
    await db.close()


async def _broken(client: Client) -> dict[str, Any]:
    report = (await client.get("/v1/admin/verify", headers=ADMIN)).json()
    return {check["name"]: check for check in report["checks"] if not check["ok"]}


async def test_a_unit_that_appears_from_nowhere_breaks_the_ledger(
    client: Client, database_url: str
) -> None:
    await verified(client)

    await _tamper(
        database_url,
        "UPDATE inventory SET on_hand = on_hand + 1 "
        "WHERE sku = 'SKU-MUG' AND location_id = 'loc_dc_columbus'",
    )
    broken = await _broken(client)
    assert set(broken) == {"ledger_balanced"}
    assert broken["ledger_balanced"]["violations"] == 1
    assert broken["ledger_balanced"]["examples"][0][:2] == ["SKU-MUG", "loc_dc_columbus"]


async def test_an_underpaid_order_is_found(client: Client, database_url: str) -> None:
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-MUG", 1)
    order = (
        await client.post(
            f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=headers()
        )
    ).json()
    await verified(client)

    await _tamper(database_url, "UPDATE payments SET amount = amount - 1")
    broken = await _broken(client)
    assert set(broken) == {"paid_orders_fully_paid"}
    assert broken["paid_orders_fully_paid"]["examples"][0][0] == order["id"]


@pytest.fixture
async def holding_client(client_with: ClientWith) -> AsyncIterator[Client]:
    async with client_with(reservation_policy="add_to_cart") as test_client:
        yield test_client


@pytest.mark.parametrize("seed", [7, 2026])
async def test_a_random_mix_of_shopping_keeps_every_invariant(
    holding_client: Client, seed: int
) -> None:
    """300 seeded operations across web and mobile: carts, lines, checkouts (some declined,
    some for pickup), cancellations, fulfilment, hand-overs and clock jumps that expire holds."""
    client = holding_client
    rng = random.Random(seed)
    carts: list[str] = []
    orders: list[dict[str, Any]] = []
    outcomes: dict[str, int] = {}
    for _ in range(300):
        key = rng.choice([WEB_KEY, MOBILE_KEY])
        action = rng.choice(
            ["cart", "add", "add", "add", "change", "checkout", "checkout", "move", "clock"]
        )
        status = 0
        if action == "cart" or not carts:
            carts.append((await new_cart(client, key))["id"])
            status = 201
        elif action == "add":
            response = await client.post(
                f"/v1/carts/{rng.choice(carts)}/lines",
                json={"sku": rng.choice(list(SKUS)), "quantity": rng.randint(1, 3)},
                headers=headers(key),
            )
            status = response.status_code
        elif action == "change":
            cart = (await client.get(f"/v1/carts/{rng.choice(carts)}", headers=headers(key))).json()
            if cart["lines"]:
                line = rng.choice(cart["lines"])
                response = await client.patch(
                    f"/v1/carts/{cart['id']}/lines/{line['id']}",
                    json={"quantity": rng.randint(1, 2)},
                    headers=headers(key),
                )
                status = response.status_code
        elif action == "checkout":
            card = rng.choice(["4242424242424242"] * 4 + ["4000000000000002"])
            body = (
                checkout_body(card=card, type="pickup", location_id=rng.choice([NYC, SEA]))
                if rng.random() < 0.3
                else checkout_body(card=card)
            )
            response = await client.post(
                f"/v1/carts/{rng.choice(carts)}/checkout", json=body, headers=headers(key)
            )
            status = response.status_code
            if status == 201:
                orders.append(response.json())
        elif action == "move" and orders:
            order = rng.choice(orders)
            move = rng.choice(
                ["cancel", "fulfil"] if order["fulfilment"] == "ship" else ["cancel", "ready"]
            )
            response = await client.post(f"/v1/admin/orders/{order['id']}/{move}", headers=ADMIN)
            status = response.status_code
            if status == 200 and move == "ready":
                await client.post(f"/v1/admin/orders/{order['id']}/picked-up", headers=ADMIN)
        elif action == "clock":
            response = await client.post(
                "/v1/admin/clock/advance", json={"minutes": rng.randint(1, 20)}, headers=ADMIN
            )
            status = response.status_code
        assert status < 500, (action, status)
        outcomes[action] = outcomes.get(action, 0) + 1

    assert len(orders) >= 5  # the mix did place orders, not only refusals
    await verified(client)


async def test_tracing_order_lines_looks_each_line_up_by_its_order(tmp_path: Path) -> None:
    # Every order of a best-selling SKU shares its (sku, location); found through those, each
    # line's trace scanned all of them, and verify took minutes on a store of 80,000 orders.
    db = open_database(f"sqlite:///{tmp_path / 'plan.db'}")
    db.create_schema()
    plan = db.run_blocking(
        lambda conn: [
            row[-1]
            for row in conn.execute(text("EXPLAIN QUERY PLAN " + CHECKS["order_lines_traced"][1]))
        ]
    )
    await db.close()
    assert any("ix_stock_movements_order_line (order_id=? AND sku=?" in step for step in plan)
