"""At the till: even exchanges (no money moves, stock swaps through the ledger) and returns
without a receipt (store credit at the lowest price the SKU recently sold for)."""

from __future__ import annotations

from typing import Any

from tests.support.api import APPROVED_CARD, Client, events, headers, stock, verified
from tests.support.pos import BARCODE, gift_balance, new_sale, open_shift, order, pay, scan
from tests.support.store import ADMIN_KEY, NYC, POS_KEY, WEB_KEY

POS = headers(POS_KEY)
ADMIN = headers(ADMIN_KEY)
CARD = APPROVED_CARD


async def till_sale(
    client: Client, sku: str, quantity: int = 1, unit_price: int | None = None
) -> dict[str, Any]:
    """A paid sale at the New York till (a shift must be open), at an overridden price if
    one is given; the order it became."""
    sale = await new_sale(client)
    view = await scan(client, sale["cart_id"], sku, quantity)
    if unit_price is not None:
        overridden = await client.post(
            f"/v1/pos/sales/{sale['cart_id']}/lines/{view['lines'][0]['id']}/price",
            json={"unit_price": unit_price, "reason_code": "price_match"},
            headers=POS,
        )
        assert overridden.status_code == 200, overridden.text
        view = overridden.json()
    paid = await pay(
        client, sale["cart_id"], {"type": "card", "card_number": CARD, "amount": view["total"]}
    )
    assert paid.status_code == 201, paid.text
    return await order(client, paid.json()["order_id"])


async def exchange(client: Client, key: dict[str, str] = POS, **body: Any) -> Any:
    return await client.post("/v1/returns/exchanges", json=body, headers=key)


async def without_receipt(client: Client, **body: Any) -> Any:
    body.setdefault("customer_id", "cus_000001")
    return await client.post("/v1/returns/without-receipt", json=body, headers=POS)


async def tees(client: Client) -> tuple[int, int]:
    """Tees available at the New York store: (medium, large)."""
    medium = await stock(client, "prd_tee", "SKU-TEE-M")
    large = await stock(client, "prd_tee", "SKU-TEE-L")
    return medium[NYC], large[NYC]


def money(sold: dict[str, Any]) -> list[tuple[str, int]]:
    return sorted((p["status"], p["amount"]) for p in sold["payments"])


async def test_an_even_exchange_swaps_the_units_and_moves_no_money(client: Client) -> None:
    await open_shift(client)
    sold = await till_sale(client, "SKU-TEE-M")
    line = sold["lines"][0]
    before = await tees(client)

    swapped = await exchange(
        client,
        order_id=sold["id"],
        lines=[{"order_line_id": line["id"]}],
        replacements=[{"barcode": BARCODE["SKU-TEE-L"]}],
    )

    assert swapped.status_code == 201, swapped.text
    view = swapped.json()
    assert (view["location_id"], view["value"]) == (NYC, 2500)
    assert view["replacements"] == [{"sku": "SKU-TEE-L", "quantity": 1, "unit_price": 2500}]
    assert await tees(client) == (before[0] + 1, before[1] - 1)
    assert money(await order(client, sold["id"])) == money(sold) == [("captured", sold["total"])]
    [event] = await events(client, type="order.exchanged")
    assert event["data"]["replacement_skus"] == ["SKU-TEE-L"]
    await verified(client)

    # The medium came back once; it cannot come back again, by exchange or by return.
    again = await client.post(
        "/v1/returns",
        json={"order_id": sold["id"], "lines": [{"order_line_id": line["id"]}]},
        headers=POS,
    )
    assert (again.status_code, again.json()["code"]) == (422, "not_returnable")
    assert again.json()["errors"][0]["field"] == "lines[0].quantity"
    twice = await exchange(
        client,
        order_id=sold["id"],
        lines=[{"order_line_id": line["id"]}],
        replacements=[{"sku": "SKU-TEE-M"}],
    )
    assert (twice.status_code, twice.json()["code"]) == (422, "not_returnable")
    assert await tees(client) == (before[0] + 1, before[1] - 1)


async def test_bad_exchanges_change_nothing(client: Client) -> None:
    await open_shift(client)
    sold = await till_sale(client, "SKU-TEE-M", 2)
    line = sold["lines"][0]
    before = (await tees(client), await stock(client, "prd_lamp", "SKU-LAMP"))

    async def attempt(key: dict[str, str] = POS, **replacement: Any) -> Any:
        return await exchange(
            client,
            key,
            order_id=sold["id"],
            lines=[{"order_line_id": line["id"]}],
            replacements=[replacement],
        )

    uneven = await attempt(sku="SKU-LAMP")
    assert (uneven.status_code, uneven.json()["code"]) == (422, "exchange_not_even")
    assert uneven.json()["errors"][0]["field"] == "replacements"
    assert uneven.headers["content-type"].startswith("application/problem+json")
    # Two tees back, only one large on the shelf in New York.
    short = await exchange(
        client,
        order_id=sold["id"],
        lines=[{"order_line_id": line["id"], "quantity": 2}],
        replacements=[{"sku": "SKU-TEE-L", "quantity": 2}],
    )
    assert (short.status_code, short.json()["code"]) == (409, "insufficient_stock")
    assert short.json()["errors"][0]["field"] == "replacements[0].quantity"
    unknown = await attempt(barcode="0000000000000")
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_barcode")
    assert unknown.json()["errors"][0]["field"] == "replacements[0].barcode"
    by_mail = await attempt(headers(WEB_KEY), sku="SKU-TEE-L")
    assert (by_mail.status_code, by_mail.json()["code"]) == (403, "out_of_scope")

    assert (await tees(client), await stock(client, "prd_lamp", "SKU-LAMP")) == before
    assert money(await order(client, sold["id"])) == money(sold)
    assert await events(client, type="order.exchanged") == []
    await verified(client)


async def test_without_a_receipt_the_credit_is_the_lowest_recent_price(client: Client) -> None:
    await open_shift(client)
    await till_sale(client, "SKU-TEE-M", unit_price=1500)  # cheapest, but too long ago
    await client.post("/v1/admin/clock/advance", json={"days": 31}, headers=ADMIN)
    await till_sale(client, "SKU-TEE-M", unit_price=2000)  # the lowest in the last 30 days
    await till_sale(client, "SKU-TEE-M")  # at the list price, 2500
    before = await tees(client)

    back = await without_receipt(client, barcode=BARCODE["SKU-TEE-M"], quantity=2)

    assert back.status_code == 201, back.text
    credit = back.json()
    assert (credit["unit_price"], credit["price_basis"], credit["amount"]) == (
        2000,
        "lowest_sold",
        4000,
    )
    assert await gift_balance(client, credit["store_credit_code"]) == 4000
    assert await tees(client) == (before[0] + 2, before[1])

    # A large never sold: credited at its lowest price on any channel; damaged, not restocked.
    damaged = await without_receipt(client, sku="SKU-TEE-L", condition="damaged")
    assert damaged.status_code == 201, damaged.text
    assert (damaged.json()["unit_price"], damaged.json()["price_basis"]) == (2500, "lowest_price")
    assert await tees(client) == (before[0] + 2, before[1])
    [event, _] = await events(client, type="return.without_receipt")
    assert (event["sku"], event["location_id"], event["data"]["amount"]) == (
        "SKU-TEE-M",
        NYC,
        4000,
    )
    await verified(client)


async def test_bad_returns_without_a_receipt_change_nothing(client: Client) -> None:
    before = (await tees(client), await stock(client, "prd_mug", "SKU-MUG"))

    unknown = await without_receipt(client, barcode="0000000000000")
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_barcode")
    assert unknown.json()["errors"][0]["field"] == "barcode"
    assert unknown.headers["content-type"].startswith("application/problem+json")
    both = await without_receipt(client, sku="SKU-MUG", barcode=BARCODE["SKU-MUG"])
    assert (both.status_code, both.json()["code"]) == (422, "invalid_input")
    stranger = await without_receipt(client, sku="SKU-MUG", customer_id="cus_nobody")
    assert stranger.json()["errors"][0]["field"] == "customer_id"
    online = await client.post(
        "/v1/returns/without-receipt", json={"sku": "SKU-MUG"}, headers=headers(WEB_KEY)
    )
    assert (online.status_code, online.json()["code"]) == (403, "out_of_scope")
    assert (await tees(client), await stock(client, "prd_mug", "SKU-MUG")) == before

    # The fraud rule: three per customer in 30 days, the fourth is refused and changes nothing.
    for _ in range(3):
        ok = await without_receipt(client, sku="SKU-MUG", customer_id="cus_000001")
        assert ok.status_code == 201, ok.text
    mugs = await stock(client, "prd_mug", "SKU-MUG")
    fourth = await without_receipt(client, sku="SKU-MUG", customer_id="cus_000001")
    assert (fourth.status_code, fourth.json()["code"]) == (422, "receiptless_limit_reached")
    assert await stock(client, "prd_mug", "SKU-MUG") == mugs
    # Nor can the shopper stay anonymous to get round it.
    anonymous = await client.post(
        "/v1/returns/without-receipt", json={"sku": "SKU-MUG"}, headers=POS
    )
    assert (anonymous.status_code, anonymous.json()["errors"][0]["field"]) == (422, "customer_id")
    assert await stock(client, "prd_mug", "SKU-MUG") == mugs
    await client.post("/v1/admin/clock/advance", json={"days": 31}, headers=ADMIN)
    later = await without_receipt(client, sku="SKU-MUG", customer_id="cus_000001")
    assert later.status_code == 201, later.text
    await verified(client)
