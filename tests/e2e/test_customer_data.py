"""A customer's wishlist, consents and cart follow them from device to device."""

from __future__ import annotations

from tests.support.api import Client, headers
from tests.support.identity import as_customer, new_customer, problem, sign_in
from tests.support.store import ADMIN_KEY, MOBILE_KEY, WEB_KEY

ADMIN = headers(ADMIN_KEY)


async def test_wishlist_saved_on_the_app_is_there_on_the_web(client: Client) -> None:
    grace, app_token = await new_customer(client, "grace@example.com")
    app = as_customer(app_token, MOBILE_KEY, **{"X-Device-Id": "app-1"})
    saved = await client.post(
        f"/v1/customers/{grace}/wishlist", json={"product_id": "prd_lamp"}, headers=app
    )
    assert saved.status_code == 200, saved.text
    again = await client.post(
        f"/v1/customers/{grace}/wishlist", json={"product_id": "prd_lamp"}, headers=app
    )
    assert [item["product_id"] for item in again.json()["items"]] == ["prd_lamp"]

    web_token = (await sign_in(client, "grace@example.com", key=WEB_KEY))["token"]
    web = as_customer(web_token, WEB_KEY)
    listed = (await client.get(f"/v1/customers/{grace}/wishlist", headers=web)).json()
    assert [(i["product_id"], i["channel"]) for i in listed["items"]] == [("prd_lamp", "mobile")]
    removed = await client.delete(f"/v1/customers/{grace}/wishlist/prd_lamp", headers=web)
    assert removed.json()["items"] == []
    kinds = [
        t["type"]
        for t in (await client.get(f"/v1/customers/{grace}/journey", headers=web)).json()[
            "touchpoints"
        ]
        if t["type"].startswith("wishlist.")
    ]
    assert kinds == ["wishlist.item_added", "wishlist.item_removed"]
    missing = await client.post(
        f"/v1/customers/{grace}/wishlist", json={"product_id": "prd_nope"}, headers=web
    )
    assert problem(missing) == (404, "not_found")


async def test_every_touchpoint_carries_the_consent_given_at_that_moment(client: Client) -> None:
    grace, token = await new_customer(client, "grace@example.com")
    me = as_customer(token, WEB_KEY)
    await client.post("/v1/carts", json={}, headers=me)
    changed = await client.put(
        f"/v1/customers/{grace}/consents",
        json={"email_marketing": True, "sms_marketing": False},
        headers=me,
    )
    assert changed.json() == {"email_marketing": True, "sms_marketing": False}
    await client.post("/v1/carts", json={}, headers=me)
    bad = await client.put(f"/v1/customers/{grace}/consents", json={"fax": True}, headers=me)
    assert bad.status_code == 422

    touches = (await client.get(f"/v1/customers/{grace}/journey", headers=me)).json()["touchpoints"]
    carts = [t["consent"] for t in touches if t["type"] == "cart.created"]
    assert carts == [None, {"email_marketing": True, "sms_marketing": False}]


async def test_the_customers_cart_is_the_same_on_every_device(client: Client) -> None:
    grace, app_token = await new_customer(client, "grace@example.com")
    app = as_customer(app_token, MOBILE_KEY)
    cart = (await client.post("/v1/carts", json={}, headers=app)).json()
    await client.post(f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-MUG"}, headers=app)

    web_token = (await sign_in(client, "grace@example.com", key=WEB_KEY))["token"]
    on_web = await client.get(f"/v1/customers/{grace}/cart", headers=as_customer(web_token))
    assert on_web.status_code == 200
    assert on_web.json()["id"] == cart["id"]
    assert [line["sku"] for line in on_web.json()["lines"]] == ["SKU-MUG"]
    other, other_token = await new_customer(client, "other@example.com")
    refused = await client.get(f"/v1/customers/{grace}/cart", headers=as_customer(other_token))
    assert problem(refused) == (403, "not_your_data")
    none_yet = await client.get(f"/v1/customers/{other}/cart", headers=as_customer(other_token))
    assert problem(none_yet) == (404, "not_found")
    assert (await client.get(f"/v1/customers/{grace}/cart", headers=ADMIN)).status_code == 200
