"""Endless aisle: the till sells what its store lacks, shipped home from the DC, in one payment."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import Connection, select

from omniloom.domain.money import tax_on
from omniloom.store import tables as t
from omniloom.store.database import open_database
from tests.support.api import HOME, Client, events, stock, verified
from tests.support.pos import (
    ADMIN,
    CARD,
    DECLINED,
    POS,
    gift_balance,
    new_sale,
    open_shift,
    order,
    pay,
    scan,
    taxed,
)
from tests.support.store import DC, NYC, SEA

MUG_PRICE = 1200  # none on the New York shelf, 37 at the DC
DC_TAX_BPS = 0


async def ship_home(
    client: Client, cart_id: str, sku: str, quantity: int = 1, address: dict[str, Any] = HOME
) -> Any:
    return await client.post(
        f"/v1/pos/sales/{cart_id}/ship-to-home",
        json={"sku": sku, "quantity": quantity, "address": address},
        headers=POS,
    )


async def shipped_home(client: Client, cart_id: str, sku: str, quantity: int = 1) -> Any:
    response = await ship_home(client, cart_id, sku, quantity)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_store_without_the_item_sells_it_for_delivery_from_the_dc(client: Client) -> None:
    shift = await open_shift(client)
    sale = await new_sale(client, customer_id="cus_000001")
    await scan(client, sale["cart_id"], "SKU-TEE-M")
    listed = await shipped_home(client, sale["cart_id"], "SKU-MUG", 2)
    assert [(line["sku"], line["quantity"], line["line_total"]) for line in listed["lines"]] == [
        ("SKU-MUG", 2, 2 * MUG_PRICE)
    ]
    assert (listed["ship_to"]["city"], listed["shipping"]) == ("New York", 0)
    # Nothing has moved yet: the mugs are only promised.
    assert await stock(client, "prd_mug", "SKU-MUG") == {DC: 37, NYC: 0, SEA: 0}

    in_store = taxed(2500)
    at_home = 2 * MUG_PRICE + tax_on(2 * MUG_PRICE, DC_TAX_BPS)
    paid = await pay(
        client,
        sale["cart_id"],
        {"type": "card", "card_number": CARD, "amount": 3000},
        {"type": "cash", "tendered": 3000},
    )
    assert paid.status_code == 201, paid.text
    receipt = paid.json()

    # The counter order left the store; the DC holds the mugs for the shipped order.
    assert await stock(client, "prd_tee", "SKU-TEE-M") == {DC: 10, NYC: 2, SEA: 0}
    assert await stock(client, "prd_mug", "SKU-MUG") == {DC: 35, NYC: 0, SEA: 0}
    counter = await order(client, receipt["order_id"])
    assert (counter["status"], counter["fulfilment"], counter["total"]) == (
        "picked_up",
        "pickup",
        in_store,
    )
    home = receipt["ship_to_home"]
    shipped = await order(client, home["order_id"])
    assert (shipped["channel"], shipped["fulfilment"], shipped["status"]) == ("pos", "ship", "paid")
    assert (shipped["customer_id"], shipped["shipping"], shipped["total"]) == (
        "cus_000001",
        0,
        at_home,
    )
    assert [(line["sku"], line["location_id"]) for line in shipped["lines"]] == [("SKU-MUG", DC)]
    assert shipped["routing"] == {"rule": "dc_then_nearest_store", "located_by": "coordinates"}
    assert shipped["ship_to"] == {**HOME, "line2": None, "region": None}

    # One payment at the till, shared: the shipped order is paid from the first tender.
    assert [(p["method"], p["amount"]) for p in shipped["payments"]] == [("card", at_home)]
    assert sorted((p["method"], p["amount"]) for p in counter["payments"]) == [
        ("card", 3000 - at_home),
        ("cash", in_store - (3000 - at_home)),
    ]
    assert receipt["total"] == in_store + at_home
    assert [(t["type"], t["amount"]) for t in receipt["tenders"]] == [
        ("card", 3000),
        ("cash", in_store + at_home - 3000),
    ]
    assert receipt["change"] == 6000 - (in_store + at_home)
    assert [line["sku"] for line in receipt["lines"]] == ["SKU-TEE-M"]
    assert [(line["sku"], line["quantity"]) for line in home["lines"]] == [("SKU-MUG", 2)]

    # The receipt is the sale's, asked for by either order, and prints both parts.
    again = await client.get(f"/v1/pos/receipts/{home['order_id']}", headers=POS)
    assert again.json() == receipt
    text = (
        await client.get(
            f"/v1/pos/receipts/{receipt['order_id']}", params={"format": "text"}, headers=POS
        )
    ).text
    assert "SKU-TEE-M" in text and "SKU-MUG" in text
    assert "SHIP TO HOME" in text and home["order_id"] in text

    # The DC ships it later; the drawer only counts the cash that stayed.
    fulfilled = await client.post(f"/v1/admin/orders/{home['order_id']}/fulfil", headers=ADMIN)
    assert fulfilled.json()["status"] == "fulfilled"
    closed = await client.post(
        f"/v1/pos/shifts/{shift['id']}/close",
        json={"associate_id": "emp_ada", "counted_cash": 0},
        headers=POS,
    )
    assert closed.json()["cash_sales"] == in_store + at_home - 3000
    assert "order.routed" in [e["type"] for e in await events(client, order_id=home["order_id"])]
    await verified(client)


async def test_a_sale_that_ships_everything_home_is_its_shipped_order(client: Client) -> None:
    await open_shift(client)
    sale = await new_sale(client)
    await shipped_home(client, sale["cart_id"], "SKU-MUG")
    gift = "GC-1000-0001"

    paid = await pay(client, sale["cart_id"], {"type": "gift_card", "code": gift, "amount": 1200})
    assert paid.status_code == 201, paid.text
    receipt = paid.json()

    assert receipt["order_id"] == receipt["ship_to_home"]["order_id"]
    assert (receipt["lines"], receipt["total"], receipt["status"]) == ([], MUG_PRICE, "paid")
    assert [(t["type"], t["amount"], t["balance_after"]) for t in receipt["tenders"]] == [
        ("gift_card", 1200, 3800)
    ]
    assert await gift_balance(client, gift) == 3800
    assert await stock(client, "prd_mug", "SKU-MUG") == {DC: 36, NYC: 0, SEA: 0}
    done = (await client.get(f"/v1/pos/sales/{sale['cart_id']}", headers=POS)).json()
    assert (done["status"], done["order_id"]) == ("completed", receipt["order_id"])
    again = await ship_home(client, sale["cart_id"], "SKU-MUG")
    assert (again.status_code, again.json()["code"]) == (409, "sale_not_open")
    await verified(client)

    # The shopper changes their mind before it ships: the balance goes back on the card.
    cancelled = await client.post(f"/v1/admin/orders/{receipt['order_id']}/cancel", headers=ADMIN)
    assert cancelled.status_code == 200, cancelled.text
    assert await gift_balance(client, gift) == 5000
    assert await stock(client, "prd_mug", "SKU-MUG") == {DC: 37, NYC: 0, SEA: 0}
    await verified(client)


async def test_a_declined_card_leaves_both_orders_unplaced(client: Client) -> None:
    await open_shift(client)
    sale = await new_sale(client)
    await scan(client, sale["cart_id"], "SKU-TEE-M")
    await shipped_home(client, sale["cart_id"], "SKU-MUG")
    before = (
        await stock(client, "prd_mug", "SKU-MUG"),
        await stock(client, "prd_tee", "SKU-TEE-M"),
        len(await events(client)),
    )

    total = taxed(2500) + MUG_PRICE
    declined = await pay(
        client, sale["cart_id"], {"type": "card", "card_number": DECLINED, "amount": total}
    )

    assert (declined.status_code, declined.json()["code"]) == (402, "card_declined")
    after = (
        await stock(client, "prd_mug", "SKU-MUG"),
        await stock(client, "prd_tee", "SKU-TEE-M"),
        len(await events(client)),
    )
    assert after == before
    still = (await client.get(f"/v1/pos/sales/{sale['cart_id']}", headers=POS)).json()
    assert (still["status"], still["order_id"]) == ("open", None)
    paid = await pay(
        client, sale["cart_id"], {"type": "card", "card_number": CARD, "amount": total}
    )
    assert paid.status_code == 201, paid.text
    await verified(client)


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        pytest.param({"sku": "SKU-MUG"}, 422, "invalid_input", "address", id="no-address"),
        pytest.param(
            {"sku": "SKU-NOPE", "address": HOME}, 422, "unknown_sku", "sku", id="unknown-sku"
        ),
        pytest.param(
            {"sku": "SKU-MUG", "address": {**HOME, "city": ""}},
            422,
            "invalid_input",
            "address.city",
            id="blank-city",
        ),
        pytest.param(
            {"sku": "SKU-MUG", "quantity": 38, "address": HOME},
            409,
            "insufficient_stock",
            "quantity",
            id="more-than-anywhere",
        ),
    ],
)
async def test_bad_ship_to_home_requests_change_nothing(
    client: Client, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    await open_shift(client)
    sale = await new_sale(client)
    before = (
        (await client.get(f"/v1/pos/sales/{sale['cart_id']}", headers=POS)).json(),
        await stock(client, "prd_mug", "SKU-MUG"),
        len(await events(client)),
    )

    refused = await client.post(
        f"/v1/pos/sales/{sale['cart_id']}/ship-to-home", json=body, headers=POS
    )

    assert refused.status_code == status, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["code"] == code
    assert [error["field"] for error in problem["errors"]] == [field]
    after = (
        (await client.get(f"/v1/pos/sales/{sale['cart_id']}", headers=POS)).json(),
        await stock(client, "prd_mug", "SKU-MUG"),
        len(await events(client)),
    )
    assert after == before
    # Nothing was put aside to ship either: the sale is still empty.
    empty = await pay(client, sale["cart_id"], {"type": "cash", "tendered": 100})
    assert (empty.status_code, empty.json()["code"]) == (422, "cart_empty")


async def test_voiding_a_sale_drops_what_it_was_to_ship_home(
    client: Client, database_url: str
) -> None:
    await open_shift(client)
    sale = await new_sale(client)
    await shipped_home(client, sale["cart_id"], "SKU-MUG")

    voided = await client.post(f"/v1/pos/sales/{sale['cart_id']}/void", json={}, headers=POS)
    assert voided.status_code == 200, voided.text

    def delivery_status(conn: Connection) -> str:
        found = select(t.carts.c.status).join(
            t.pos_ship_to_home, t.pos_ship_to_home.c.ship_cart_id == t.carts.c.id
        )
        status: str = conn.execute(
            found.where(t.pos_ship_to_home.c.cart_id == sale["cart_id"])
        ).scalar_one()
        return status

    # No open delivery cart is left behind without an owner.
    # Read on a connection of its own, in a thread: the app's engine belongs to the app's loop.
    store = open_database(database_url)
    try:
        assert await asyncio.to_thread(store.run_blocking, delivery_status) == "abandoned"
    finally:
        await store.close()
    assert await stock(client, "prd_mug", "SKU-MUG") == {DC: 37, NYC: 0, SEA: 0}
    await verified(client)


async def test_the_till_reads_and_takes_back_what_a_sale_ships_home(client: Client) -> None:
    await open_shift(client)
    sale = await new_sale(client)
    nothing = await client.get(f"/v1/pos/sales/{sale['cart_id']}/ship-to-home", headers=POS)
    assert (nothing.status_code, nothing.json()["code"]) == (404, "not_found")
    await shipped_home(client, sale["cart_id"], "SKU-MUG", 2)
    both = await shipped_home(client, sale["cart_id"], "SKU-LAMP")
    shown = await client.get(f"/v1/pos/sales/{sale['cart_id']}/ship-to-home", headers=POS)
    assert shown.json() == both
    lamp = next(line for line in both["lines"] if line["sku"] == "SKU-LAMP")

    # The shopper drops the lamp: only the mugs ship, and only the mugs are paid for.
    kept = await client.post(
        f"/v1/pos/sales/{sale['cart_id']}/ship-to-home/{lamp['id']}/void", headers=POS
    )
    assert kept.status_code == 200, kept.text
    assert [(line["sku"], line["quantity"]) for line in kept.json()["lines"]] == [("SKU-MUG", 2)]
    again = await client.post(
        f"/v1/pos/sales/{sale['cart_id']}/ship-to-home/{lamp['id']}/void", headers=POS
    )
    assert (again.status_code, again.json()["code"]) == (404, "not_found")
    mugs = 2 * MUG_PRICE + tax_on(2 * MUG_PRICE, DC_TAX_BPS)
    paid = await pay(client, sale["cart_id"], {"type": "card", "card_number": CARD, "amount": mugs})
    assert paid.status_code == 201, paid.text
    shipped = await order(client, paid.json()["ship_to_home"]["order_id"])
    assert [(line["sku"], line["quantity"]) for line in shipped["lines"]] == [("SKU-MUG", 2)]
    assert shipped["total"] == mugs
    await verified(client)
