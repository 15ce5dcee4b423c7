"""App installs register their platform, version and push token, and can update them: only the
install that registered an id (its device token) can, and nobody reads the push token back."""

from __future__ import annotations

from tests.support.api import Client, events, headers
from tests.support.identity import problem
from tests.support.store import ADMIN_KEY, MOBILE_KEY
from tests.support.wallet import forgetful

ADA_PHONE = {
    "id": "ios-ada-1",
    "platform": "ios",
    "app_version": "4.2.0",
    "push_token": "apns-1a2b3c4d",
}


async def test_an_app_install_registers_and_updates_itself(client: Client) -> None:
    phone = headers(MOBILE_KEY, **{"X-Device-Id": "ios-ada-1"})
    first = await client.post("/v1/devices", json=ADA_PHONE, headers=phone)
    assert first.status_code == 200, first.text
    assert first.json()["channel"] == "mobile"
    assert first.json()["device_token"].startswith("dt_")

    await client.post(
        "/v1/admin/clock/advance", json={"days": 3}, headers=headers("olk_admin_demo")
    )
    # The client sends its X-Device-Token (tests/support/wallet.py remembers it).
    update = await client.post(
        "/v1/devices",
        json={**ADA_PHONE, "app_version": "4.3.0", "push_token": "apns-9z8y7x6w"},
        headers=phone,
    )
    assert update.status_code == 200, update.text
    assert update.json()["device_token"] == first.json()["device_token"]
    device = (await client.get("/v1/devices/ios-ada-1", headers=phone)).json()
    assert device == {**update.json(), "device_token": None}
    assert (device["app_version"], device["has_push_token"]) == ("4.3.0", True)
    assert device["registered_at"] < device["updated_at"]
    kinds = [e["type"] for e in await events(client) if e["type"].startswith("device.")]
    assert kinds == ["device.registered", "device.updated"]


async def test_the_push_token_is_never_shown(client: Client) -> None:
    registered = await client.post("/v1/devices", json=ADA_PHONE, headers=headers(MOBILE_KEY))
    read = await client.get("/v1/devices/ios-ada-1", headers=headers(ADMIN_KEY))
    for answer in (registered, read):
        assert answer.status_code == 200, answer.text
        assert "apns-1a2b3c4d" not in answer.text
        assert "push_token" not in answer.json()
        assert answer.json()["has_push_token"] is True
    without = {"id": "web-ada", "platform": "web"}
    browser = await client.post("/v1/devices", json=without, headers=headers(MOBILE_KEY))
    assert browser.json()["has_push_token"] is False


async def test_a_stranger_who_knows_the_id_can_neither_change_nor_read_the_device(
    client: Client,
) -> None:
    first = await client.post("/v1/devices", json=ADA_PHONE, headers=headers(MOBILE_KEY))
    assert first.status_code == 200, first.text
    stranger = headers(MOBILE_KEY, **{"X-Device-Id": "ios-ada-1"})
    with forgetful(client):
        # Pointing Ada's pushes at the stranger's own phone is refused, and changes nothing.
        hijack = {**ADA_PHONE, "push_token": "apns-stranger-0000"}
        taken = await client.post("/v1/devices", json=hijack, headers=stranger)
        assert problem(taken) == (409, "device_registered")
        assert taken.json()["errors"][0]["field"] == "id"
        wrong_token = {**stranger, "X-Device-Token": "dt_" + "A" * 22}
        assert problem(await client.post("/v1/devices", json=hijack, headers=wrong_token)) == (
            409,
            "device_registered",
        )
        # Reading it: answered as a device that does not exist.
        read = await client.get("/v1/devices/ios-ada-1", headers=stranger)
        missing = await client.get("/v1/devices/nope", headers=stranger)
        assert problem(read) == problem(missing) == (404, "device_not_found")
    # The admin key reads any device; the app itself with its token.
    assert (await client.get("/v1/devices/ios-ada-1", headers=headers(ADMIN_KEY))).is_success
    mine = headers(MOBILE_KEY, **{"X-Device-Token": first.json()["device_token"]})
    device = (await client.get("/v1/devices/ios-ada-1", headers=mine)).json()
    assert (device["app_version"], device["updated_at"]) == ("4.2.0", first.json()["updated_at"])
    assert [e["type"] for e in await events(client) if e["type"].startswith("device.")] == [
        "device.registered"
    ]


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
    assert problem(missing) == (404, "device_not_found")
