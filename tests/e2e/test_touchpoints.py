"""One shopper, two devices, two channels: every touch lands in one journal, in order."""

from __future__ import annotations

from typing import Any

from tests.support.api import Client, checkout_body, headers, token_of
from tests.support.store import ADMIN_KEY, MOBILE_KEY, WEB_KEY

ADMIN = headers(ADMIN_KEY)
PHONE = "dev-phone-01"
LAPTOP = "dev-laptop-07"
ADA = "cus_000001"


def on(device: str, key: str, **extra: str) -> dict[str, str]:
    return headers(key, **{"X-Device-Id": device}, **extra)


async def advance(client: Client, minutes: int) -> None:
    response = await client.post(
        "/v1/admin/clock/advance", json={"minutes": minutes}, headers=ADMIN
    )
    assert response.status_code == 200


async def test_journey_across_devices_and_channels(client: Client) -> None:
    # The app, anonymously: a click from a social ad, a search, a look, a cart.
    viewed = await client.get(
        "/v1/products/prd_mug",
        params={"utm_source": "instagram", "utm_medium": "paid_social", "click_id": "ig-77"},
        headers=on(PHONE, MOBILE_KEY),
    )
    assert viewed.status_code == 200
    await advance(client, 1)
    await client.get("/v1/products", params={"q": "lamp"}, headers=on(PHONE, MOBILE_KEY))
    guest = (await client.post("/v1/carts", json={}, headers=on(PHONE, MOBILE_KEY))).json()
    assert guest["device_id"] == PHONE
    await client.post(
        f"/v1/carts/{guest['id']}/lines", json={"sku": "SKU-MUG"}, headers=on(PHONE, MOBILE_KEY)
    )

    # An hour later on the laptop, signed in as Ada: a cart and an order on the web.
    await advance(client, 60)
    cart = (
        await client.post(
            "/v1/carts",
            json={"customer_id": ADA},
            headers=on(LAPTOP, WEB_KEY, **{"X-Customer-Token": await token_of(client, ADA)}),
        )
    ).json()
    await client.post(
        f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-LAMP"}, headers=on(LAPTOP, WEB_KEY)
    )
    order = await client.post(
        f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=on(LAPTOP, WEB_KEY)
    )
    assert order.status_code == 201

    # Back on the phone, now known as Ada: the app's anonymous touches become hers.
    await advance(client, 10)
    await client.post(
        "/v1/carts",
        json={"customer_id": ADA},
        headers=on(PHONE, MOBILE_KEY, **{"X-Customer-Token": await token_of(client, ADA)}),
    )

    journey = (await client.get(f"/v1/customers/{ADA}/journey", headers=ADMIN)).json()
    touches: list[dict[str, Any]] = journey["touchpoints"]
    assert [(t["type"], t["channel"], t["device_id"]) for t in touches] == [
        ("catalog.product_viewed", "mobile", PHONE),
        ("catalog.searched", "mobile", PHONE),
        ("cart.created", "mobile", PHONE),
        ("cart.item_added", "mobile", PHONE),
        ("cart.created", "web", LAPTOP),
        ("cart.item_added", "web", LAPTOP),
        ("order.placed", "web", LAPTOP),
        ("cart.created", "mobile", PHONE),
    ]
    assert journey["channels"] == ["mobile", "web"]
    assert journey["devices"] == [LAPTOP, PHONE]
    times = [t["occurred_at"] for t in touches]
    assert times == sorted(times)
    first = touches[0]
    assert first["product_id"] == "prd_mug"
    assert first["campaign"] == {
        "source": "instagram",
        "medium": "paid_social",
        "click_id": "ig-77",
    }
    assert touches[3]["sku"] == "SKU-MUG" and touches[3]["cart_id"] == guest["id"]
    # The phone's first visit (three touches a minute apart) is one session; after 70 idle
    # minutes the phone is on a new one.
    phone_sessions = [t["session_id"] for t in touches if t["device_id"] == PHONE]
    assert phone_sessions[0] == phone_sessions[1] == phone_sessions[3] != phone_sessions[4]
    assert all(t["customer_id"] == ADA for t in touches)

    # The same journal feeds attribution: first touch to the app, last touch to the web.
    attribution = (
        await client.get(
            "/v1/analytics/attribution",
            params={"model": "first_touch,last_touch", "key": "channel_source_medium"},
            headers=ADMIN,
        )
    ).json()
    credited = {
        model["model"]: {
            c["channel"]: c["conversions"] for c in model["channels"] if c["conversions"]
        }
        for model in attribution["models"]
    }
    assert credited["first_touch"] == {"mobile:instagram/paid_social": 1.0}
    assert credited["last_touch"] == {"web": 1.0}


async def test_touchpoints_filter_and_page(client: Client) -> None:
    for _ in range(3):
        await client.get("/v1/products/prd_tee", headers=on(PHONE, MOBILE_KEY))
    await client.get("/v1/products/prd_tee", headers=on(LAPTOP, WEB_KEY))
    await client.get("/v1/products/prd_tee", headers=headers(WEB_KEY))  # no device: not recorded

    first = (
        await client.get(
            "/v1/touchpoints",
            params={"type": "catalog.product_viewed", "limit": 2},
            headers=ADMIN,
        )
    ).json()
    assert len(first["items"]) == 2 and first["next_cursor"] is not None
    rest = (
        await client.get(
            "/v1/touchpoints",
            params={"type": "catalog.product_viewed", "cursor": first["next_cursor"]},
            headers=ADMIN,
        )
    ).json()
    assert len(first["items"]) + len(rest["items"]) == 4
    assert rest["next_cursor"] is None
    web = (await client.get("/v1/touchpoints", params={"channel": "web"}, headers=ADMIN)).json()
    assert [t["device_id"] for t in web["items"]] == [LAPTOP]


async def test_bad_device_ids_and_campaign_fields_are_refused(client: Client) -> None:
    bad_device = await client.get(
        "/v1/products/prd_tee", headers=headers(WEB_KEY, **{"X-Device-Id": "bad id!"})
    )
    assert (bad_device.status_code, bad_device.json()["errors"][0]["field"]) == (422, "X-Device-Id")
    long_source = await client.get(
        "/v1/products/prd_tee", params={"utm_source": "x" * 201}, headers=headers()
    )
    assert (long_source.status_code, long_source.json()["errors"][0]["field"]) == (
        422,
        "utm_source",
    )


async def test_a_journey_needs_the_customers_token_or_an_admin_key(client: Client) -> None:
    response = await client.get(f"/v1/customers/{ADA}/journey", headers=headers(WEB_KEY))
    assert (response.status_code, response.json()["code"]) == (401, "customer_token_required")
    listing = await client.get("/v1/touchpoints", headers=headers(WEB_KEY))
    assert (listing.status_code, listing.json()["code"]) == (403, "out_of_scope")
