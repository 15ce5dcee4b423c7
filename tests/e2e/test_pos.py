"""The store as a channel: shifts, scanning, hand-off, overrides, voids, tenders and receipts."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.api import Client, add, events, headers, new_cart, stock, verified
from tests.support.pos import (
    ADMIN,
    BARCODE,
    CARD,
    DECLINED,
    POS,
    TILL,
    gift_balance,
    new_sale,
    open_shift,
    order,
    pay,
    scan,
    taxed,
)
from tests.support.store import ADMIN_KEY, DC, MOBILE_KEY, NYC, SEA_REGISTER, WEB_KEY


async def test_a_shift_reconciles_its_cash(client: Client) -> None:
    shift = await open_shift(client, cash=20_000)
    assert (shift["status"], shift["opening_float"], shift["opened_by"]) == (
        "open",
        20_000,
        "emp_ada",
    )
    again = await client.post(
        f"/v1/pos/registers/{TILL}/shifts",
        json={"associate_id": "emp_bob", "opening_float": 0},
        headers=POS,
    )
    assert again.status_code == 409 and again.json()["code"] == "shift_already_open"

    sale = await new_sale(client)
    sale = await scan(client, sale["cart_id"], "SKU-TEE-M", 2)
    total = taxed(2 * 2500)
    assert (sale["subtotal"], sale["total"]) == (5000, total)
    paid = await pay(client, sale["cart_id"], {"type": "cash", "tendered": 6000})
    assert paid.status_code == 201, paid.text
    receipt = paid.json()
    assert (receipt["total"], receipt["change"]) == (total, 6000 - total)
    assert [(t["type"], t["amount"], t["tendered"]) for t in receipt["tenders"]] == [
        ("cash", total, 6000)
    ]
    assert (await stock(client, "prd_tee", "SKU-TEE-M"))[NYC] == 1
    placed = await order(client, receipt["order_id"])
    assert (placed["channel"], placed["status"], placed["location_id"]) == ("pos", "picked_up", NYC)
    assert [(p["method"], p["amount"]) for p in placed["payments"]] == [("cash", total)]

    closed = await client.post(
        f"/v1/pos/shifts/{shift['id']}/close",
        json={"associate_id": "emp_ada", "counted_cash": 25_400},
        headers=POS,
    )
    assert closed.status_code == 200, closed.text
    expected = 20_000 + total  # float + cash taken (tendered minus change)
    result = closed.json()
    assert (result["status"], result["cash_sales"], result["sales_count"]) == ("closed", total, 1)
    assert (result["expected_cash"], result["counted_cash"]) == (expected, 25_400)
    assert result["variance"] == 25_400 - expected
    registers = (await client.get("/v1/pos/registers", headers=POS)).json()
    assert [(r["id"], r["open_shift_id"]) for r in registers] == [
        ("reg_nyc_1", None),
        ("reg_nyc_2", None),
    ]
    types = [e["type"] for e in await events(client)]
    assert {
        "pos.shift_opened",
        "pos.sale_started",
        "pos.sale_completed",
        "pos.shift_closed",
    } <= set(types)
    await verified(client)


async def test_split_tender_card_gift_card_and_cash(client: Client) -> None:
    await open_shift(client)
    sale = await new_sale(client)
    await scan(client, sale["cart_id"], "SKU-LAMP")
    sale = await scan(client, sale["cart_id"], "SKU-TEE-L")
    total = taxed(8900, 2500)
    assert sale["total"] == total
    tenders = (
        {"type": "card", "card_number": CARD, "amount": 5000},
        {"type": "gift_card", "code": "GC-1000-0001", "amount": 5000},
        {"type": "cash", "tendered": 3000},
    )
    key = {"Idempotency-Key": "split-1"}
    paid = await pay(client, sale["cart_id"], *tenders, **key)
    assert paid.status_code == 201, paid.text
    receipt = paid.json()
    cash = total - 10_000
    assert receipt["change"] == 3000 - cash
    assert [(t["type"], t["amount"], t["last4"]) for t in receipt["tenders"]] == [
        ("card", 5000, "4242"),
        ("gift_card", 5000, "0001"),
        ("cash", cash, None),
    ]
    assert receipt["tenders"][1]["balance_after"] == 0
    # The same key replays the receipt; nothing is charged or taken twice.
    replay = await pay(client, sale["cart_id"], *tenders, **key)
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.json() == receipt
    assert await gift_balance(client, "GC-1000-0001") == 0
    assert (await stock(client, "prd_lamp", "SKU-LAMP"))[NYC] == 1
    assert (await stock(client, "prd_tee", "SKU-TEE-L"))[NYC] == 0
    placed = await order(client, receipt["order_id"])
    assert sorted(p["method"] for p in placed["payments"]) == ["card", "cash", "gift_card"]
    assert sum(p["amount"] for p in placed["payments"]) == placed["total"] == total

    # Receipts: data in the store's time zone, and printable text.
    again = await client.get(f"/v1/pos/receipts/{receipt['order_id']}", headers=POS)
    assert again.json() == receipt
    issued = datetime.fromisoformat(receipt["issued_at"])
    assert issued.utcoffset() == issued.astimezone(ZoneInfo("America/New_York")).utcoffset()
    assert (receipt["store"]["id"], receipt["register_id"]) == (NYC, TILL)
    text = await client.get(
        f"/v1/pos/receipts/{receipt['order_id']}", params={"format": "text"}, headers=POS
    )
    assert text.headers["content-type"].startswith("text/plain")
    body = text.text
    assert "SoHo" in body and receipt["order_id"] in body
    assert f"{total // 100}.{total % 100:02d}" in body and "Gift card ****0001" in body
    assert "Change" in body and "Card ****4242" in body
    await verified(client)


async def test_a_mobile_cart_is_handed_off_to_the_register(client: Client) -> None:
    await open_shift(client)
    cart = await new_cart(client, MOBILE_KEY, device_id="phone-1")
    await add(client, cart["id"], "SKU-TEE-M", 1, key=MOBILE_KEY)
    before = await stock(client, "prd_tee", "SKU-TEE-M")

    handed = await client.post(
        f"/v1/pos/registers/{TILL}/handoff", json={"cart_id": cart["id"]}, headers=POS
    )
    assert handed.status_code == 201, handed.text
    sale = handed.json()
    assert (sale["cart_id"], sale["origin"]) == (cart["id"], "handoff")
    assert [(line["sku"], line["quantity"]) for line in sale["lines"]] == [("SKU-TEE-M", 1)]
    twice = await client.post(
        "/v1/pos/registers/reg_nyc_2/handoff", json={"cart_id": cart["id"]}, headers=POS
    )
    assert twice.status_code == 409, twice.text

    sale = await scan(client, cart["id"], "SKU-LAMP")
    paid = await pay(
        client, cart["id"], {"type": "card", "card_number": CARD, "amount": sale["total"]}
    )
    assert paid.status_code == 201, paid.text
    placed = await order(client, paid.json()["order_id"])
    assert (placed["cart_id"], placed["channel"]) == (cart["id"], "pos")
    # The units left this store's shelf, not the distribution centre.
    after = await stock(client, "prd_tee", "SKU-TEE-M")
    assert (after[NYC], after[DC]) == (before[NYC] - 1, before[DC])
    phone = await client.get(f"/v1/carts/{cart['id']}", headers=headers(MOBILE_KEY))
    assert phone.json()["status"] == "ordered"
    handoffs = await events(client, type="pos.cart_handed_off")
    assert handoffs[0]["data"]["from_channel"] == "mobile"
    await verified(client)


async def test_the_app_shows_a_code_and_the_register_loads_that_cart(client: Client) -> None:
    await open_shift(client)
    cart = await new_cart(client, MOBILE_KEY, device_id="phone-2")
    await add(client, cart["id"], "SKU-LAMP", 1, key=MOBILE_KEY)
    issued = await client.post(
        "/v1/pos/handoff-codes", json={"cart_id": cart["id"]}, headers=headers(MOBILE_KEY)
    )
    assert issued.status_code == 201, issued.text
    code = issued.json()["code"]
    assert len(code) == 6
    # The till cannot mint codes, and the shopper's key cannot work the till.
    assert (
        await client.post("/v1/pos/handoff-codes", json={"cart_id": "x"}, headers=POS)
    ).status_code == 403

    both = await client.post(
        f"/v1/pos/registers/{TILL}/handoff", json={"cart_id": cart["id"], "code": code}, headers=POS
    )
    assert both.status_code == 422
    loaded = await client.post(
        f"/v1/pos/registers/{TILL}/handoff", json={"code": code.lower()}, headers=POS
    )
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["cart_id"] == cart["id"]
    used = await client.post(f"/v1/pos/registers/{TILL}/handoff", json={"code": code}, headers=POS)
    assert used.status_code == 422 and used.json()["errors"][0]["field"] == "code"

    other = await new_cart(client, MOBILE_KEY, device_id="phone-3")
    stale = (
        await client.post(
            "/v1/pos/handoff-codes", json={"cart_id": other["id"]}, headers=headers(MOBILE_KEY)
        )
    ).json()["code"]
    advanced = await client.post("/v1/admin/clock/advance", json={"minutes": 16}, headers=ADMIN)
    assert advanced.status_code == 200, advanced.text
    expired = await client.post(
        f"/v1/pos/registers/{TILL}/handoff", json={"code": stale}, headers=POS
    )
    assert expired.status_code == 422 and expired.json()["code"] == "invalid_input"


async def test_scan_override_and_void(client: Client) -> None:
    await open_shift(client)
    sale = await new_sale(client)
    cart_id = sale["cart_id"]
    await scan(client, cart_id, "SKU-TEE-M")
    sale = await scan(client, cart_id, "SKU-TEE-M")
    [line] = sale["lines"]
    assert (line["sku"], line["quantity"], line["unit_price"]) == ("SKU-TEE-M", 2, 2500)

    bad_reason = await client.post(
        f"/v1/pos/sales/{cart_id}/lines/{line['id']}/price",
        json={"unit_price": 2000, "reason_code": "because"},
        headers=POS,
    )
    assert bad_reason.status_code == 422 and bad_reason.json()["code"] == "invalid_input"
    overridden = await client.post(
        f"/v1/pos/sales/{cart_id}/lines/{line['id']}/price",
        json={"unit_price": 2000, "reason_code": "damaged", "associate_id": "emp_ada"},
        headers=POS,
    )
    assert overridden.status_code == 200, overridden.text
    [line] = overridden.json()["lines"]
    assert (line["list_price"], line["unit_price"], line["override_reason"]) == (
        2500,
        2000,
        "damaged",
    )
    [audit] = await events(client, type="pos.price_overridden")
    assert {
        k: audit["data"][k] for k in ("sku", "original_price", "unit_price", "reason_code")
    } == {
        "sku": "SKU-TEE-M",
        "original_price": 2500,
        "unit_price": 2000,
        "reason_code": "damaged",
    }
    assert audit["data"]["associate_id"] == "emp_ada"

    lamp_line = next(
        entry
        for entry in (await scan(client, cart_id, "SKU-LAMP"))["lines"]
        if entry["sku"] == "SKU-LAMP"
    )
    voided = await client.post(f"/v1/pos/sales/{cart_id}/lines/{lamp_line['id']}/void", headers=POS)
    assert voided.status_code == 200, voided.text
    assert [entry["sku"] for entry in voided.json()["lines"]] == ["SKU-TEE-M"]
    assert voided.json()["total"] == taxed(4000)

    paid = await pay(client, cart_id, {"type": "card", "card_number": CARD, "amount": taxed(4000)})
    assert paid.status_code == 201, paid.text
    [receipt_line] = paid.json()["lines"]
    assert (receipt_line["list_price"], receipt_line["unit_price"]) == (2500, 2000)
    assert receipt_line["override_reason"] == "damaged"
    text = await client.get(
        f"/v1/pos/receipts/{paid.json()['order_id']}", params={"format": "text"}, headers=POS
    )
    assert "price override: damaged (was 25.00)" in text.text
    assert (await stock(client, "prd_lamp", "SKU-LAMP"))[NYC] == 2

    # Voiding a whole sale before payment: nothing leaves the shelf, the cart closes.
    other = await new_sale(client)
    await scan(client, other["cart_id"], "SKU-LAMP", 2)
    void = await client.post(
        f"/v1/pos/sales/{other['cart_id']}/void", json={"reason": "changed mind"}, headers=POS
    )
    assert void.status_code == 200 and void.json()["status"] == "voided"
    after = await client.post(
        f"/v1/pos/sales/{other['cart_id']}/scan", json={"barcode": BARCODE["SKU-LAMP"]}, headers=POS
    )
    assert after.status_code == 409 and after.json()["code"] == "sale_not_open"
    cart = await client.get(f"/v1/carts/{other['cart_id']}", headers=headers(ADMIN_KEY))
    assert cart.json()["status"] == "abandoned"
    assert (await stock(client, "prd_lamp", "SKU-LAMP"))[NYC] == 2
    assert [e["type"] for e in await events(client, type="pos.sale_voided")] == ["pos.sale_voided"]
    await verified(client)


async def test_customer_lookup_and_attach(client: Client) -> None:
    await open_shift(client)
    by_phone = await client.get("/v1/pos/customers", params={"phone": "+1 555-0100"}, headers=POS)
    assert [c["id"] for c in by_phone.json()] == ["cus_000001"]
    by_email = await client.get(
        "/v1/pos/customers", params={"email": "ADA@example.com"}, headers=POS
    )
    assert [c["last_name"] for c in by_email.json()] == ["Lovelace"]
    nobody = await client.get("/v1/pos/customers", params={"email": "x@example.com"}, headers=POS)
    assert nobody.json() == []
    neither = await client.get("/v1/pos/customers", headers=POS)
    assert neither.status_code == 422

    sale = await new_sale(client)
    attached = await client.post(
        f"/v1/pos/sales/{sale['cart_id']}/customer", json={"customer_id": "cus_000001"}, headers=POS
    )
    assert attached.json()["customer_id"] == "cus_000001"
    sale = await scan(client, sale["cart_id"], "SKU-TEE-M")
    paid = await pay(
        client, sale["cart_id"], {"type": "card", "card_number": CARD, "amount": sale["total"]}
    )
    placed = await order(client, paid.json()["order_id"])
    assert (placed["customer_id"], placed["email"]) == ("cus_000001", "ada@example.com")


# Bad input at the POS: a clear problem, and stock, money and the sale exactly as they were. ------


async def _snapshot(client: Client, cart_id: str, shift_id: str) -> tuple[Any, ...]:
    sale = (await client.get(f"/v1/pos/sales/{cart_id}", headers=POS)).json()
    orders = (await client.get("/v1/orders", headers=ADMIN)).json()["items"]
    return (
        sale,
        await stock(client, "prd_tee", "SKU-TEE-M"),
        await stock(client, "prd_lamp", "SKU-LAMP"),
        await stock(client, "prd_mug", "SKU-MUG"),
        [await gift_balance(client, code) for code in ("GC-1000-0001", "GC-1000-0002")],
        orders,
        (await client.get(f"/v1/pos/shifts/{shift_id}", headers=POS)).json(),
    )


def _bad_payments(total: int) -> list[Any]:
    return [
        pytest.param(
            [{"type": "cash", "tendered": total - 1}], 422, "tender_short", id="cash-short"
        ),
        pytest.param(
            [{"type": "card", "card_number": CARD, "amount": total - 100}],
            422,
            "tender_short",
            id="card-short",
        ),
        pytest.param(
            [
                {"type": "gift_card", "code": "GC-1000-0002", "amount": 2000},
                {"type": "card", "card_number": CARD, "amount": total - 2000},
            ],
            422,
            "gift_card_insufficient",
            id="gift-card-without-balance",
        ),
        pytest.param(
            [
                {"type": "gift_card", "code": "GC-1000-0003", "amount": 100},
                {"type": "cash", "tendered": total},
            ],
            422,
            "gift_card_insufficient",
            id="empty-gift-card",
        ),
        pytest.param(
            [
                {"type": "gift_card", "code": "GC-1000-0001", "amount": 1000},
                {"type": "card", "card_number": DECLINED, "amount": total - 1000},
            ],
            402,
            "card_declined",
            id="declined-after-gift-card",
        ),
        pytest.param(
            [{"type": "card", "card_number": CARD, "amount": total + 1}],
            422,
            "invalid_input",
            id="card-over-total",
        ),
        pytest.param(
            [{"type": "gift_card", "code": "GC-NOPE-0000", "amount": total}],
            422,
            "invalid_input",
            id="unknown-gift-card",
        ),
    ]


TOTAL = taxed(2500, 8900)


@pytest.mark.parametrize(("tenders", "status", "code"), _bad_payments(TOTAL))
async def test_bad_payment_changes_nothing(
    client: Client, tenders: list[dict[str, Any]], status: int, code: str
) -> None:
    shift = await open_shift(client)
    sale = await new_sale(client)
    await scan(client, sale["cart_id"], "SKU-TEE-M")
    sale = await scan(client, sale["cart_id"], "SKU-LAMP")
    assert sale["total"] == TOTAL
    before = await _snapshot(client, sale["cart_id"], shift["id"])
    refused = await pay(client, sale["cart_id"], *tenders)
    assert refused.status_code == status, refused.text
    assert refused.json()["code"] == code
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert await _snapshot(client, sale["cart_id"], shift["id"]) == before
    # The sale still goes through once the tenders are right.
    fixed = await pay(
        client, sale["cart_id"], {"type": "card", "card_number": CARD, "amount": TOTAL}
    )
    assert fixed.status_code == 201, fixed.text
    await verified(client)


SCAN_CASES = [
    pytest.param({"barcode": "9999999999999"}, 422, "unknown_barcode", "barcode", id="unknown"),
    pytest.param(
        {"barcode": BARCODE["SKU-MUG"]}, 409, "insufficient_stock", "quantity", id="none-here"
    ),
    pytest.param(
        {"barcode": BARCODE["SKU-LAMP"], "quantity": 3},
        409,
        "insufficient_stock",
        "quantity",
        id="too-many",
    ),
    pytest.param(
        {"barcode": BARCODE["SKU-LAMP"], "quantity": 0}, 422, "invalid_input", "quantity", id="zero"
    ),
    pytest.param(
        {"barcode": BARCODE["SKU-LAMP"], "price": 1},
        422,
        "invalid_input",
        "price",
        id="extra-field",
    ),
]


@pytest.mark.parametrize(("body", "status", "code", "field"), SCAN_CASES)
async def test_bad_scan_changes_nothing(
    client: Client, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    shift = await open_shift(client)
    sale = await new_sale(client)
    await scan(client, sale["cart_id"], "SKU-TEE-M")
    before = await _snapshot(client, sale["cart_id"], shift["id"])
    refused = await client.post(f"/v1/pos/sales/{sale['cart_id']}/scan", json=body, headers=POS)
    assert refused.status_code == status, refused.text
    problem = refused.json()
    assert problem["code"] == code
    assert [error["field"] for error in problem["errors"]] == [field]
    assert await _snapshot(client, sale["cart_id"], shift["id"]) == before


async def test_no_sale_without_an_open_shift(client: Client) -> None:
    refused = await client.post("/v1/pos/registers/reg_nyc_2/sales", json={}, headers=POS)
    assert refused.status_code == 409 and refused.json()["code"] == "shift_not_open"
    cart = await new_cart(client)
    handoff = await client.post(
        "/v1/pos/registers/reg_nyc_2/handoff", json={"cart_id": cart["id"]}, headers=POS
    )
    assert handoff.status_code == 409 and handoff.json()["code"] == "shift_not_open"

    # A shift closed mid-sale stops the sale from being paid until a shift is open again.
    shift = await open_shift(client)
    sale = await new_sale(client)
    sale = await scan(client, sale["cart_id"], "SKU-TEE-M")
    closed = await client.post(
        f"/v1/pos/shifts/{shift['id']}/close",
        json={"associate_id": "emp_ada", "counted_cash": 20_000},
        headers=POS,
    )
    assert closed.json()["variance"] == 0
    before = await stock(client, "prd_tee", "SKU-TEE-M")
    unpaid = await pay(client, sale["cart_id"], {"type": "cash", "tendered": 10_000})
    assert unpaid.status_code == 409 and unpaid.json()["code"] == "shift_not_open"
    assert await stock(client, "prd_tee", "SKU-TEE-M") == before
    assert (await client.get("/v1/orders", headers=ADMIN)).json()["items"] == []


async def test_keys_reach_only_their_own_routes_and_store(client: Client) -> None:
    for key in (WEB_KEY, MOBILE_KEY):
        refused = await client.get("/v1/pos/registers", headers=headers(key))
        assert refused.status_code == 403 and refused.json()["code"] == "out_of_scope"
        posted = await client.post(
            f"/v1/pos/registers/{TILL}/shifts",
            json={"associate_id": "x", "opening_float": 0},
            headers=headers(key),
        )
        assert posted.status_code == 403 and posted.json()["code"] == "out_of_scope"
    for path in ("/v1/admin/events", "/v1/admin/clock"):
        admin = await client.get(path, headers=POS)
        assert admin.status_code == 403 and admin.json()["code"] == "out_of_scope"
    carts = await client.post("/v1/carts", json={}, headers=POS)
    assert carts.status_code == 403
    # A New York key cannot work a Seattle till.
    seattle = await client.post(
        f"/v1/pos/registers/{SEA_REGISTER}/shifts",
        json={"associate_id": "emp_ada", "opening_float": 0},
        headers=POS,
    )
    assert seattle.status_code == 403 and seattle.json()["code"] == "out_of_scope"
    # The admin key reaches every store's registers.
    everywhere = (await client.get("/v1/pos/registers", headers=ADMIN)).json()
    assert [r["id"] for r in everywhere] == ["reg_nyc_1", "reg_nyc_2", SEA_REGISTER]


async def test_two_associates_opening_one_register_get_one_shift(client: Client) -> None:
    async def attempt(associate: str) -> Any:
        return await client.post(
            f"/v1/pos/registers/{TILL}/shifts",
            json={"associate_id": associate, "opening_float": 10_000},
            headers=POS,
        )

    results = await asyncio.gather(*(attempt(f"emp_{n}") for n in range(6)))
    assert sorted(r.status_code for r in results) == [201] + [409] * 5
    registers = (await client.get("/v1/pos/registers", headers=POS)).json()
    [winner] = [r.json() for r in results if r.status_code == 201]
    assert registers[0]["open_shift_id"] == winner["id"]
