"""The single customer view: a shopper who bought on the web and at the till and brought the web
order back to the store, read back in one call — and only by them or the back office."""

from __future__ import annotations

from typing import Any

from tests.support.api import Client, add, headers, new_cart
from tests.support.identity import as_customer, new_customer, problem, sign_in
from tests.support.messaging import send
from tests.support.pos import open_shift
from tests.support.purchases import bought_at_the_till, bought_on_the_web, review
from tests.support.store import ADMIN_KEY, MOBILE_KEY, NYC, POS_KEY, WEB_KEY

ADMIN = headers(ADMIN_KEY)
PUSH_TOKEN = "apns-secret-token-123456"


async def profile(client: Client, customer_id: str, sent: dict[str, str]) -> Any:
    return await client.get(f"/v1/customers/{customer_id}/profile", headers=sent)


async def test_one_call_shows_the_customer_across_every_channel(client: Client) -> None:
    grace, token = await new_customer(client, "grace@example.com", phone="+1 212 555 0199")
    # The phone app introduces itself (with its push token) and Grace signs in on it.
    device = {
        "id": "iphone-grace",
        "platform": "ios",
        "app_version": "3.1",
        "push_token": PUSH_TOKEN,
    }
    registered = await client.post("/v1/devices", json=device, headers=headers(MOBILE_KEY))
    assert registered.status_code == 200, registered.text
    await sign_in(client, "grace@example.com", key=MOBILE_KEY, device_id="iphone-grace")
    # A web order, shipped, then brought back to the New York store.
    web_order = await bought_on_the_web(client, grace, token, "SKU-MUG")
    fulfilled = await client.post(f"/v1/admin/orders/{web_order['id']}/fulfil", headers=ADMIN)
    assert fulfilled.status_code == 200, fulfilled.text
    returned = await client.post(
        "/v1/returns",
        json={
            "order_id": web_order["id"],
            "lines": [{"order_line_id": web_order["lines"][0]["id"], "quantity": 1}],
        },
        headers=headers(POS_KEY),
    )
    assert returned.status_code == 201, returned.text
    # A lamp at the till, reviewed from the app; a tee left in a cart; a message that was not
    # sent (Grace never agreed to SMS).
    await open_shift(client)
    sale = await bought_at_the_till(client, grace, "SKU-LAMP")
    assert (
        await review(client, "prd_lamp", as_customer(token, MOBILE_KEY), rating=5)
    ).status_code == 201
    cart = await new_cart(client, customer_id=grace, customer_token=token)
    await add(client, cart["id"], "SKU-TEE-M")
    await send(client, grace, "sms")

    response = await profile(client, grace, as_customer(token))

    assert response.status_code == 200, response.text
    seen = response.json()
    assert seen["customer"]["id"] == grace and seen["customer"]["stage"] == "advocacy"
    assert seen["stage"] == "advocacy"
    assert {(i["kind"], i["value"]) for i in seen["identifiers"]} >= {
        ("device_id", "iphone-grace"),
        ("phone", "+12125550199"),
    }
    assert [(d["id"], d["platform"], d["app_version"]) for d in seen["devices"]] == [
        ("iphone-grace", "ios", "3.1")
    ]
    assert PUSH_TOKEN not in response.text
    assert {o["id"]: o["channel"] for o in seen["orders"]} == {
        web_order["id"]: "web",
        sale["order_id"]: "pos",
    }
    assert all(o["order_token"] is None for o in seen["orders"])
    assert seen["channels"] == ["pos", "web"]
    [back] = seen["returns"]
    assert (back["order_id"], back["channel"], back["location_id"]) == (web_order["id"], "pos", NYC)
    assert [(line["sku"], line["quantity"]) for line in back["lines"]] == [("SKU-MUG", 1)]
    assert [c["id"] for c in seen["open_carts"]] == [cart["id"]]
    assert seen["open_carts"][0]["cart_token"] is None
    assert [(m["channel"], m["status"], m["reason"]) for m in seen["messages"]] == [
        ("sms", "suppressed", "no_consent")
    ]
    assert [(r["product_id"], r["rating"]) for r in seen["reviews"]] == [("prd_lamp", 5)]
    totals = sum(o["total"] for o in seen["orders"])
    assert seen["lifetime_value"] == {
        "currency": "USD",
        "orders": 2,
        "revenue": totals,
        "refunded": back["amount"],
        "net": totals - back["amount"],
    }
    assert {c["channel"]: c["state"] for c in seen["messaging"]["consents"]}["sms"] == (
        "not_subscribed"
    )


async def test_only_the_customer_and_the_back_office_read_a_profile(client: Client) -> None:
    grace, grace_token = await new_customer(client, "grace@example.com")
    _, lin_token = await new_customer(client, "lin@example.com")

    assert (await profile(client, grace, as_customer(grace_token))).status_code == 200
    assert (await profile(client, grace, ADMIN)).status_code == 200
    assert problem(await profile(client, grace, headers(WEB_KEY))) == (
        401,
        "customer_token_required",
    )
    assert problem(await profile(client, grace, as_customer(lin_token))) == (403, "not_your_data")
    assert problem(await profile(client, grace, headers(POS_KEY))) == (403, "out_of_scope")
    assert problem(await profile(client, "cus_nobody", ADMIN)) == (404, "not_found")


async def test_a_new_customer_has_an_empty_profile(client: Client) -> None:
    grace, token = await new_customer(client, "grace@example.com")

    seen = (await profile(client, grace, as_customer(token))).json()

    assert (seen["stage"], seen["orders"], seen["returns"], seen["open_carts"]) == (
        "awareness",
        [],
        [],
        [],
    )
    assert seen["lifetime_value"] == {
        "currency": "USD",
        "orders": 0,
        "revenue": 0,
        "refunded": 0,
        "net": 0,
    }
