"""The omnichannel journey end to end: browse on the app anonymously, add to the cart, sign in on
the web, find the same (merged) cart there, check out — and read it all back as one journey."""

from __future__ import annotations

from tests.support.api import Client, checkout_body, headers, verified
from tests.support.identity import as_customer, register, sign_in
from tests.support.store import ADMIN_KEY, MOBILE_KEY, WEB_KEY

PHONE = {"X-Device-Id": "app-install-42"}
LAPTOP = {"X-Device-Id": "browser-7"}
ADMIN = headers(ADMIN_KEY)


async def test_browse_on_the_app_sign_in_on_the_web_check_out_there(client: Client) -> None:
    grace = (await register(client, "grace@example.com"))["customer"]["id"]

    # On the app, not signed in: a look at the lamp from a newsletter link, a cart, two lines.
    app = headers(MOBILE_KEY, **PHONE)
    await client.get(
        "/v1/products/prd_lamp",
        params={"utm_source": "newsletter", "utm_medium": "email"},
        headers=app,
    )
    cart = (await client.post("/v1/carts", json={}, headers=app)).json()
    await client.post(f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-LAMP"}, headers=app)
    await client.post(f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-MUG"}, headers=app)
    await client.post("/v1/admin/clock/advance", json={"hours": 2}, headers=ADMIN)

    # On the web, signing in with the app's cart: it becomes Grace's cart.
    session = await sign_in(client, "grace@example.com", cart_id=cart["id"], key=WEB_KEY)
    web = as_customer(session["token"], WEB_KEY, **LAPTOP)
    seen = (await client.get(f"/v1/carts/{cart['id']}", headers=web)).json()
    assert seen["customer_id"] == grace
    assert sorted((line["sku"], line["quantity"]) for line in seen["lines"]) == [
        ("SKU-LAMP", 1),
        ("SKU-MUG", 1),
    ]
    order = await client.post(f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=web)
    assert order.status_code == 201, order.text
    assert order.json()["customer_id"] == grace

    # One journey: both devices, both channels, one customer, in the order it happened.
    journey = (
        await client.get(f"/v1/customers/{grace}/journey", headers=as_customer(session["token"]))
    ).json()
    touches = [(t["type"], t["channel"], t["device_id"]) for t in journey["touchpoints"]]
    app_part = [t for t in touches if t[2] == PHONE["X-Device-Id"]]
    assert app_part == [
        ("catalog.product_viewed", "mobile", "app-install-42"),
        ("cart.created", "mobile", "app-install-42"),
        ("cart.item_added", "mobile", "app-install-42"),
        ("cart.item_added", "mobile", "app-install-42"),
    ]
    # Grace had registered before; then the app came first, then the web.
    assert touches[0] == ("customer.registered", "web", None)
    assert touches[1 : 1 + len(app_part)] == app_part
    assert ("order.placed", "web", "browser-7") in touches
    assert touches.index(("order.placed", "web", "browser-7")) == len(touches) - 1
    assert journey["channels"] == ["mobile", "web"]
    assert set(journey["devices"]) >= {"app-install-42", "browser-7"}
    assert all(t["customer_id"] == grace for t in journey["touchpoints"])
    times = [t["occurred_at"] for t in journey["touchpoints"]]
    assert times == sorted(times)
    await verified(client)
