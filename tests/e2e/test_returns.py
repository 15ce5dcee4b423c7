"""Returns anywhere: an online order back at a store, a split-tender refund, store credit,
the return window on the simulated clock, and bad returns that change nothing."""

from __future__ import annotations

from typing import Any

from tests.support.api import (
    APPROVED_CARD,
    Client,
    add,
    checkout_body,
    headers,
    new_cart,
    placed_order,
    stock,
    verified,
)
from tests.support.pos import TILL, gift_balance, new_sale, open_shift, order, pay, scan
from tests.support.store import ADMIN_KEY, DC, NYC, POS_KEY, WEB_KEY

POS = headers(POS_KEY)
ADMIN = headers(ADMIN_KEY)
CARD = APPROVED_CARD


async def shipped_web_order(client: Client, sku: str = "SKU-MUG", quantity: int = 2) -> Any:
    placed = await placed_order(client, sku, quantity)
    fulfilled = await client.post(f"/v1/admin/orders/{placed['id']}/fulfil", headers=ADMIN)
    assert fulfilled.status_code == 200
    return fulfilled.json()


async def give_back(client: Client, key: dict[str, str], **body: Any) -> Any:
    return await client.post("/v1/returns", json=body, headers=key)


async def test_an_online_order_comes_back_at_a_store_and_is_restocked_there(
    client: Client,
) -> None:
    shipped = await shipped_web_order(client)
    line = shipped["lines"][0]
    assert line["location_id"] == DC
    before = await stock(client, "prd_mug", "SKU-MUG")

    back = await give_back(
        client,
        POS,
        order_id=shipped["id"],
        lines=[{"order_line_id": line["id"], "quantity": 1}],
    )

    assert back.status_code == 201, back.text
    returned = back.json()
    assert returned["location_id"] == NYC
    assert returned["amount"] == (line["line_total"] + line["tax"]) // 2
    assert [(r["method"], r["amount"]) for r in returned["refunds"]] == [
        ("card", returned["amount"])
    ]
    after = await stock(client, "prd_mug", "SKU-MUG")
    assert (after[NYC], after[DC]) == (before[NYC] + 1, before[DC])
    payments = (await order(client, shipped["id"]))["payments"]
    assert sorted((p["status"], p["amount"]) for p in payments) == [
        ("captured", shipped["total"]),
        ("refunded", returned["amount"]),
    ]
    await verified(client)


async def test_a_split_tender_sale_is_refunded_to_its_tenders_in_proportion(
    client: Client,
) -> None:
    await open_shift(client)
    sale = await new_sale(client)
    view = await scan(client, sale["cart_id"], "SKU-LAMP", 2)
    gift_part = 5_000
    paid = await pay(
        client,
        sale["cart_id"],
        {"type": "gift_card", "code": "GC-1000-0001", "amount": gift_part},
        {"type": "card", "card_number": CARD, "amount": view["total"] - gift_part},
    )
    assert paid.status_code == 201, paid.text
    sold = await order(client, paid.json()["order_id"])
    lamp = sold["lines"][0]

    back = await give_back(
        client, POS, order_id=sold["id"], lines=[{"order_line_id": lamp["id"], "quantity": 2}]
    )

    assert back.status_code == 201, back.text
    refunds = {r["method"]: r["amount"] for r in back.json()["refunds"]}
    assert sum(refunds.values()) == sold["total"]
    assert refunds["gift_card"] == gift_part
    assert await gift_balance(client, "GC-1000-0001") == 5_000  # credited back in full
    await verified(client)


async def test_cash_paid_back_at_the_till_leaves_its_drawer(client: Client) -> None:
    shift = await open_shift(client, cash=20_000)
    sale = await new_sale(client)
    view = await scan(client, sale["cart_id"], "SKU-TEE-M", 1)
    paid = await pay(client, sale["cart_id"], {"type": "cash", "tendered": view["total"]})
    assert paid.status_code == 201, paid.text
    sold = await order(client, paid.json()["order_id"])
    tee = {"order_line_id": sold["lines"][0]["id"], "quantity": 1}
    before = await stock(client, "prd_tee", "SKU-TEE-M")

    # Cash has to come out of a drawer: a return that names no register changes nothing.
    refused = await give_back(client, POS, order_id=sold["id"], lines=[tee])
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "register_id"
    assert await stock(client, "prd_tee", "SKU-TEE-M") == before

    back = await give_back(client, POS, order_id=sold["id"], lines=[tee], register_id=TILL)
    assert back.status_code == 201, back.text
    assert [(r["method"], r["amount"]) for r in back.json()["refunds"]] == [("cash", view["total"])]
    closed = await client.post(
        f"/v1/pos/shifts/{shift['id']}/close",
        json={"associate_id": "emp_ada", "counted_cash": 20_000},
        headers=POS,
    )
    assert closed.status_code == 200, closed.text
    # Sold and refunded in cash: the drawer holds the float again, with no variance.
    assert (closed.json()["expected_cash"], closed.json()["variance"]) == (20_000, 0)
    await verified(client)


async def test_store_credit_and_a_damaged_unit_that_is_not_restocked(client: Client) -> None:
    shipped = await shipped_web_order(client)
    line = shipped["lines"][0]
    before = await stock(client, "prd_mug", "SKU-MUG")
    back = await give_back(
        client,
        headers(WEB_KEY),
        order_id=shipped["id"],
        lines=[{"order_line_id": line["id"], "quantity": 1, "condition": "damaged"}],
        refund_to="store_credit",
    )
    assert back.status_code == 201, back.text
    credit = back.json()
    assert credit["location_id"] is None  # by mail
    assert await gift_balance(client, credit["store_credit_code"]) == credit["amount"]
    assert await stock(client, "prd_mug", "SKU-MUG") == before
    await verified(client)


async def test_bad_returns_change_nothing(client: Client) -> None:
    shipped = await shipped_web_order(client)
    line = shipped["lines"][0]
    first = await give_back(
        client, POS, order_id=shipped["id"], lines=[{"order_line_id": line["id"], "quantity": 2}]
    )
    assert first.status_code == 201
    before = (await stock(client, "prd_mug", "SKU-MUG"), await order(client, shipped["id"]))

    again = await give_back(
        client, POS, order_id=shipped["id"], lines=[{"order_line_id": line["id"], "quantity": 1}]
    )
    assert (again.status_code, again.json()["code"]) == (422, "not_returnable")
    assert again.json()["errors"][0]["field"] == "lines[0].quantity"
    never = await give_back(
        client, POS, order_id=shipped["id"], lines=[{"order_line_id": "oline_nope"}]
    )
    assert never.json()["errors"][0]["field"] == "lines[0].order_line_id"

    unshipped_cart = await new_cart(client, WEB_KEY)
    await add(client, unshipped_cart["id"], "SKU-LAMP", 1, WEB_KEY)
    unshipped = (
        await client.post(
            f"/v1/carts/{unshipped_cart['id']}/checkout",
            json=checkout_body(),
            headers=headers(WEB_KEY),
        )
    ).json()
    early = await give_back(
        client,
        POS,
        order_id=unshipped["id"],
        lines=[{"order_line_id": unshipped["lines"][0]["id"]}],
    )
    assert (early.status_code, early.json()["code"]) == (422, "not_returnable")

    await client.post(f"/v1/admin/orders/{unshipped['id']}/fulfil", headers=ADMIN)
    await client.post("/v1/admin/clock/advance", json={"days": 31}, headers=ADMIN)
    late = await give_back(
        client,
        POS,
        order_id=unshipped["id"],
        lines=[{"order_line_id": unshipped["lines"][0]["id"]}],
    )
    assert (late.status_code, late.json()["code"]) == (422, "return_window_closed")
    assert (await stock(client, "prd_mug", "SKU-MUG"), await order(client, shipped["id"])) == before
    await verified(client)
