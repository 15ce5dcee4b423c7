"""Offline registers: a till's sales reconciled as a batch, oversells flagged, never hidden."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from omniloom.store.database import open_database
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
from tests.support.pos import (
    ADMIN,
    CARD,
    DECLINED,
    POS,
    TILL,
    conflicts,
    server_now,
    taxed,
    upload,
)
from tests.support.pos import offline_line as line
from tests.support.pos import offline_sale as sale
from tests.support.store import NYC, SEA_REGISTER, WEB_KEY

GIFT_CARD = "GC-1000-0001"


async def set_policy(client: Client, allowed: bool, location: str = NYC) -> Any:
    return await client.put(
        f"/v1/admin/locations/{location}/stock-policy",
        json={"negative_stock_allowed": allowed},
        headers=ADMIN,
    )


async def resolve(client: Client, conflict_id: str, counted: int) -> Any:
    return await client.post(
        f"/v1/pos/stock-conflicts/{conflict_id}/resolve",
        json={"counted": counted, "associate_id": "emp_ada"},
        headers=POS,
    )


async def test_an_oversell_while_offline_is_applied_and_flagged(client: Client) -> None:
    now = await server_now(client)
    # New York has 2 lamps; while its till is offline, a web shopper reserves one for pickup.
    cart = await new_cart(client)
    await add(client, cart["id"], "SKU-LAMP")
    placed = await client.post(
        f"/v1/carts/{cart['id']}/checkout",
        json=checkout_body(type="pickup", location_id=NYC),
        headers=headers(WEB_KEY),
    )
    assert placed.status_code == 201, placed.text
    online = placed.json()
    assert (await stock(client, "prd_lamp", "SKU-LAMP"))[NYC] == 1

    # The till sold both lamps an hour ago; it reconnects and uploads.
    sold_at = now - timedelta(hours=1)
    total = taxed(2 * 8900)
    response = await upload(
        client,
        "batch-1",
        sale("till1-0001", sold_at, [line("SKU-LAMP", 2)], {"type": "cash", "tendered": total}),
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert (result["applied"], result["rejected"], result["conflicts"]) == (1, 0, 1)
    [applied] = result["sales"]
    assert (applied["status"], applied["total"]) == ("applied", total)
    [conflict] = applied["conflicts"]
    assert (conflict["kind"], conflict["status"], conflict["sku"]) == (
        "oversold",
        "open",
        "SKU-LAMP",
    )
    assert (conflict["quantity"], conflict["shortfall"], conflict["location_id"]) == (2, 1, NYC)
    assert conflict["order_id"] == applied["order_id"]

    # The sale is an ordinary POS order, dated when the register made it.
    order = (await client.get(f"/v1/orders/{applied['order_id']}", headers=ADMIN)).json()
    assert (order["status"], order["channel"], order["total"]) == ("picked_up", "pos", total)
    assert datetime.fromisoformat(order["placed_at"]) == sold_at
    receipt = await client.get(f"/v1/pos/receipts/{applied['order_id']}", headers=POS)
    assert receipt.status_code == 200 and receipt.json()["register_id"] == TILL

    # Nothing is left to sell online; the shortfall is listed and in the event log.
    assert (await stock(client, "prd_lamp", "SKU-LAMP"))[NYC] == 0
    assert [c["id"] for c in await conflicts(client, status="open")] == [conflict["id"]]
    oversold = await events(client, type="inventory.oversold")
    assert [(e["data"]["sku"], e["data"]["shortfall"]) for e in oversold] == [("SKU-LAMP", 1)]
    await verified(client)

    # The store cannot forbid negative stock while the oversell is open, nor count below the
    # lamp held for the web order.
    refused = await set_policy(client, False)
    assert refused.status_code == 409 and refused.json()["code"] == "open_stock_conflicts"
    too_few = await resolve(client, conflict["id"], 0)
    assert too_few.status_code == 409 and too_few.json()["code"] == "stock_below_reserved"

    # The web shopper collects the lamp the store did not have on its books: now -1 on hand.
    for move in ("ready", "picked-up"):
        moved = await client.post(f"/v1/admin/orders/{online['id']}/{move}", headers=ADMIN)
        assert moved.status_code == 200, moved.text
    await verified(client)

    # With the shelf below zero on the books, the till has nothing to sell: it says 0, not -1.
    shift = await client.post(
        f"/v1/pos/registers/{TILL}/shifts",
        json={"associate_id": "emp_ada", "opening_float": 10000},
        headers=POS,
    )
    assert shift.status_code == 201, shift.text
    till_sale = await client.post(f"/v1/pos/registers/{TILL}/sales", json={}, headers=POS)
    assert till_sale.status_code == 201, till_sale.text
    scanned = await client.post(
        f"/v1/pos/sales/{till_sale.json()['cart_id']}/scan",
        json={"barcode": "4000000000003"},  # the lamp
        headers=POS,
    )
    assert scanned.status_code == 409 and scanned.json()["available"] == 0, scanned.text

    # A count settles it: the ledger adjusts on hand to what is really there.
    counted = await resolve(client, conflict["id"], 0)
    assert counted.status_code == 200, counted.text
    assert (counted.json()["previous_on_hand"], counted.json()["counted"]) == (-1, 0)
    assert [c["status"] for c in counted.json()["resolved"]] == ["resolved"]
    assert await conflicts(client, status="open") == []
    assert (await set_policy(client, False)).status_code == 200
    await verified(client)


async def test_a_store_that_forbids_negative_stock_rejects_that_sale_only(client: Client) -> None:
    assert (await set_policy(client, False)).json() == {
        "location_id": NYC,
        "negative_stock_allowed": False,
    }
    now = await server_now(client)
    tees_before = await stock(client, "prd_tee", "SKU-TEE-L")
    # New York has one large tee; the till sold two, part paid by gift card.
    short = sale(
        "till1-0007",
        now - timedelta(hours=3),
        [line("SKU-TEE-L", 2)],
        {"type": "gift_card", "code": GIFT_CARD, "amount": 1000},
        {"type": "cash", "tendered": taxed(5000) - 1000},
    )
    # Two medium tees at the register's own price (3 in stock), uploaded first, sold later.
    cheap = sale(
        "till1-0008",
        now - timedelta(hours=2),
        [line("SKU-TEE-M", 2, unit_price=2000)],
        {"type": "card", "card_number": CARD, "amount": taxed(4000)},
    )
    declined = sale(
        "till1-0009",
        now - timedelta(hours=1),
        [line("SKU-LAMP", 1)],
        {"type": "card", "card_number": DECLINED, "amount": taxed(8900)},
    )
    response = await upload(client, "batch-7", cheap, short, declined)
    assert response.status_code == 201, response.text
    result = response.json()
    # Applied in the order the register made them, not the order uploaded.
    assert [(s["local_id"], s["status"]) for s in result["sales"]] == [
        ("till1-0007", "rejected"),
        ("till1-0008", "applied"),
        ("till1-0009", "rejected"),
    ]
    rejected, applied, unpaid = result["sales"]
    assert rejected["order_id"] is None and unpaid["order_id"] is None
    [shortage] = rejected["conflicts"]
    assert (shortage["kind"], shortage["status"], shortage["sku"]) == (
        "insufficient_stock",
        "rejected",
        "SKU-TEE-L",
    )
    assert (shortage["quantity"], shortage["shortfall"]) == (2, 1)
    assert [(c["kind"], c["detail"]) for c in unpaid["conflicts"]] == [
        ("payment_declined", "card_declined")
    ]

    # The rejected sales took no stock and no money; the applied one did.
    assert await stock(client, "prd_tee", "SKU-TEE-L") == tees_before
    assert (await stock(client, "prd_lamp", "SKU-LAMP"))[NYC] == 2
    assert (await stock(client, "prd_tee", "SKU-TEE-M"))[NYC] == 1
    gift = await client.get(f"/v1/pos/gift-cards/{GIFT_CARD}", headers=POS)
    assert gift.json()["balance"] == 5000
    orders = (await client.get("/v1/orders", headers=ADMIN)).json()["items"]
    assert [o["id"] for o in orders] == [applied["order_id"]]
    receipt = (await client.get(f"/v1/pos/receipts/{applied['order_id']}", headers=POS)).json()
    assert [(r["list_price"], r["unit_price"], r["override_reason"]) for r in receipt["lines"]] == [
        (2500, 2000, "offline_price")
    ]
    assert receipt["total"] == taxed(4000)

    # Nothing hidden: both rejections are listed for the store, and logged.
    listed = await conflicts(client, status="rejected")
    assert sorted(c["local_id"] for c in listed) == ["till1-0007", "till1-0009"]
    assert await conflicts(client, status="open") == []
    logged = await events(client, type="pos.offline_sale_rejected")
    assert sorted(e["data"]["local_id"] for e in logged) == ["till1-0007", "till1-0009"]
    await verified(client)


BAD_BATCHES = [
    pytest.param(
        lambda at: [sale("s1", at, [{"barcode": "9999999999999", "quantity": 1}], _cash(1))],
        422,
        "unknown_barcode",
        "sales[1].lines[0].barcode",
        id="unknown-barcode",
    ),
    pytest.param(
        lambda at: [
            sale("s1", at, [line("SKU-LAMP", 1)], {"type": "cash", "tendered": taxed(8900) - 1})
        ],
        422,
        "tender_short",
        "sales[1].tenders",
        id="tender-short",
    ),
    pytest.param(
        lambda at: [sale("s1", at, [line("SKU-LAMP", 1)], _card(taxed(8900), "4242424242424241"))],
        422,
        "invalid_input",
        "sales[1].tenders[0].card_number",
        id="bad-card-number",
    ),
    pytest.param(
        lambda at: [{**sale("s1", at, [line("SKU-LAMP", 1)], _cash(8900)), "note": "x"}],
        422,
        "invalid_input",
        "sales[1].note",
        id="unknown-field",
    ),
    pytest.param(
        lambda at: [
            {
                **sale("s1", at, [line("SKU-LAMP", 1)], _cash(taxed(8900))),
                "occurred_at": at.replace(tzinfo=None).isoformat(),
            }
        ],
        422,
        "invalid_input",
        "sales[1].occurred_at",
        id="no-utc-offset",
    ),
    pytest.param(
        lambda at: [sale("s1", at + timedelta(days=1), [line("SKU-LAMP", 1)], _cash(10_000))],
        422,
        "invalid_input",
        "sales[1].occurred_at",
        id="in-the-future",
    ),
    pytest.param(
        lambda at: [sale("s0", at, [line("SKU-LAMP", 1)], _cash(10_000))],
        422,
        "invalid_input",
        "sales[1].local_id",
        id="same-local-id-twice",
    ),
]


def _cash(tendered: int) -> dict[str, Any]:
    return {"type": "cash", "tendered": tendered}


def _card(amount: int, number: str = CARD) -> dict[str, Any]:
    return {"type": "card", "card_number": number, "amount": amount}


async def _books(client: Client) -> tuple[Any, ...]:
    orders = (await client.get("/v1/orders", headers=ADMIN)).json()["items"]
    return (
        await stock(client, "prd_lamp", "SKU-LAMP"),
        await stock(client, "prd_tee", "SKU-TEE-M"),
        len(orders),
        len(await events(client)),
        await conflicts(client),
    )


@pytest.mark.parametrize(("bad_sales", "status", "code", "field"), BAD_BATCHES)
async def test_a_bad_batch_is_refused_whole_and_changes_nothing(
    client: Client, bad_sales: Any, status: int, code: str, field: str
) -> None:
    at = await server_now(client) - timedelta(minutes=30)
    # A good sale first: it must not be applied when a later one in the batch is bad.
    good = sale("s0", at, [line("SKU-TEE-M", 1)], _card(taxed(2500)))
    before = await _books(client)
    refused = await upload(client, "batch-bad", good, *bad_sales(at))
    assert refused.status_code == status, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["code"] == code
    assert [error["field"] for error in problem["errors"]] == [field]
    assert await _books(client) == before
    # The register fixes its data and sends the batch again under the same id.
    fixed = await upload(client, "batch-bad", good)
    assert fixed.status_code == 201 and fixed.json()["applied"] == 1, fixed.text


async def test_malformed_json_changes_nothing(client: Client) -> None:
    before = await _books(client)
    refused = await client.post(
        f"/v1/pos/registers/{TILL}/offline-batches",
        content=b'{"batch_id": "b", "sales": [',
        headers={**POS, "content-type": "application/json"},
    )
    assert refused.status_code == 400 and refused.json()["code"] == "malformed_json"
    assert await _books(client) == before


async def test_a_batch_is_applied_once_however_often_it_arrives(client: Client) -> None:
    at = await server_now(client) - timedelta(minutes=10)
    first_sale = sale("s1", at, [line("SKU-TEE-M", 1)], _card(taxed(2500)))
    keyed = {"Idempotency-Key": "upload-1"}
    first = await upload(client, "batch-9", first_sale, **keyed)
    assert first.status_code == 201, first.text
    again = await upload(client, "batch-9", first_sale, **keyed)
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"

    # A register that lost the response retries without the key: the first result comes back.
    retried = await upload(client, "batch-9", first_sale)
    assert retried.status_code == 201, retried.text
    assert retried.json() == {**first.json(), "replayed": True}
    # The same sale in a new batch is recognised as already reconciled.
    resent = await upload(client, "batch-10", first_sale)
    assert [(s["status"], s["order_id"]) for s in resent.json()["sales"]] == [
        ("duplicate", first.json()["sales"][0]["order_id"])
    ]
    assert (await stock(client, "prd_tee", "SKU-TEE-M"))[NYC] == 2
    assert len((await client.get("/v1/orders", headers=ADMIN)).json()["items"]) == 1

    # The batch id cannot be reused for other sales.
    other = sale("s2", at, [line("SKU-TEE-M", 1)], _card(taxed(2500)))
    reused = await upload(client, "batch-9", other)
    assert reused.status_code == 409 and reused.json()["code"] == "offline_batch_conflict"
    assert (await stock(client, "prd_tee", "SKU-TEE-M"))[NYC] == 2
    await verified(client)


async def test_a_batch_sent_twice_at_once_is_applied_once(client: Client) -> None:
    # A register retrying on a timeout while its first upload is still being applied.
    at = await server_now(client) - timedelta(minutes=10)
    one = sale("s1", at, [line("SKU-TEE-M", 1)], _card(taxed(2500)))
    answers = await asyncio.gather(*(upload(client, "batch-race", one) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [201] * 4, [a.text for a in answers]
    orders = {a.json()["sales"][0]["order_id"] for a in answers}
    assert len(orders) == 1
    assert sum(not a.json().get("replayed", False) for a in answers) == 1
    assert (await stock(client, "prd_tee", "SKU-TEE-M"))[NYC] == 2
    await verified(client)


async def test_a_store_key_reaches_only_its_own_registers_and_conflicts(client: Client) -> None:
    at = await server_now(client) - timedelta(minutes=10)
    one = sale("s1", at, [line("SKU-TEE-L", 2)], _card(taxed(5000)))
    elsewhere = await upload(client, "b1", one, register=SEA_REGISTER)
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "out_of_scope"
    web = await client.post(
        f"/v1/pos/registers/{TILL}/offline-batches",
        json={"batch_id": "b1", "sales": [one]},
        headers=headers(WEB_KEY),
    )
    assert (web.status_code, web.json()["code"]) == (403, "out_of_scope")
    # Seattle's own till (through an admin key) oversells there; New York does not see it.
    seattle = await client.post(
        f"/v1/pos/registers/{SEA_REGISTER}/offline-batches",
        json={"batch_id": "b1", "sales": [sale("s1", at, [line("SKU-LAMP", 2)], _cash(20_000))]},
        headers=ADMIN,
    )
    assert seattle.status_code == 201 and seattle.json()["conflicts"] == 1, seattle.text
    assert await conflicts(client) == []
    [flagged] = await conflicts(client, ADMIN)
    assert (flagged["location_id"], flagged["kind"]) == ("loc_store_seattle", "oversold")
    assert (await resolve(client, flagged["id"], 0)).status_code == 403
    await verified(client)


async def test_negative_stock_needs_the_flag_and_an_open_conflict(
    client: Client, database_url: str
) -> None:
    def tamper(sql: str) -> Any:
        async def change() -> None:
            db = open_database(database_url)
            try:
                await db.write(lambda conn: conn.execute(text(sql)))
            finally:
                await db.close()

        return change()

    # The database itself refuses negative stock on a row no reconciliation flagged.
    with pytest.raises(IntegrityError):
        await tamper(
            "UPDATE inventory SET on_hand = -1 WHERE sku = 'SKU-MUG' AND location_id = "
            "'loc_dc_columbus'"
        )
    # A row flagged behind the server's back, with its ledger kept balanced, still fails verify:
    # no open conflict accounts for it.
    await tamper(
        "UPDATE inventory SET oversold = true, on_hand = on_hand - 5, "
        "opening_on_hand = opening_on_hand - 5 "
        "WHERE sku = 'SKU-TEE-M' AND location_id = 'loc_store_nyc'"
    )
    report = (await client.get("/v1/admin/verify", headers=ADMIN)).json()
    broken = {check["name"]: check for check in report["checks"] if not check["ok"]}
    assert set(broken) == {"stock_never_negative"}
    assert broken["stock_never_negative"]["examples"] == [["SKU-TEE-M", NYC, -2, 0]]
