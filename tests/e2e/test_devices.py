"""App installs register their platform, version and push token, and can update them."""

from __future__ import annotations

from tests.support.api import Client, events, headers
from tests.support.store import MOBILE_KEY


async def test_an_app_install_registers_and_updates_itself(client: Client) -> None:
    phone = headers(MOBILE_KEY, **{"X-Device-Id": "ios-ada-1"})
    first = await client.post(
        "/v1/devices",
        json={
            "id": "ios-ada-1",
            "platform": "ios",
            "app_version": "4.2.0",
            "push_token": "apns-1a2b3c4d",
        },
        headers=phone,
    )
    assert first.status_code == 200, first.text
    assert first.json()["channel"] == "mobile"

    await client.post(
        "/v1/admin/clock/advance", json={"days": 3}, headers=headers("olk_admin_demo")
    )
    update = await client.post(
        "/v1/devices",
        json={
            "id": "ios-ada-1",
            "platform": "ios",
            "app_version": "4.3.0",
            "push_token": "apns-9z8y7x6w",
        },
        headers=phone,
    )
    device = (await client.get("/v1/devices/ios-ada-1", headers=phone)).json()
    assert device == update.json()
    assert (device["app_version"], device["push_token"]) == ("4.3.0", "apns-9z8y7x6w")
    assert device["registered_at"] < device["updated_at"]
    kinds = [e["type"] for e in await events(client) if e["type"].startswith("device.")]
    assert kinds == ["device.registered", "device.updated"]


async def test_bad_registrations_name_the_field(client: Client) -> None:
    for body, field in [
        ({"id": "x", "platform": "symbian"}, "platform"),
        ({"id": "has space", "platform": "ios"}, "id"),
        ({"id": "ok-1", "platform": "ios", "push_token": "short"}, "push_token"),
    ]:
        response = await client.post("/v1/devices", json=body, headers=headers(MOBILE_KEY))
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == field
    missing = await client.get("/v1/devices/nope", headers=headers(MOBILE_KEY))
    assert missing.status_code == 404
