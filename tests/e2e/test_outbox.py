"""Every message is kept and inspectable; delivery advances on the simulated clock; magic
recipients fail on purpose; a tracked link opens the cart on the device that clicked."""

from __future__ import annotations

import asyncio

from tests.support.api import Client, headers
from tests.support.identity import as_customer, new_customer, problem
from tests.support.messaging import ADMIN, advance, outbox, send, set_consents
from tests.support.store import MOBILE_KEY, WEB_KEY

PHONE = "+15550123456"
INVALID_NUMBER = "+15005550001"
NO_RCS_NUMBER = "+15005550020"
BOUNCE = "bounce@simulator.amazonses.com"


async def test_a_message_is_queued_sent_then_delivered_on_the_simulated_clock(
    client: Client,
) -> None:
    grace, _ = await new_customer(client, "grace@example.com", phone=PHONE)
    await set_consents(client, grace, sms="subscribed")
    sent = await send(client, grace, "sms", campaign="spring", kind="promo")
    assert (sent["status"], sent["recipient"], sent["channel"]) == ("queued", PHONE, "sms")

    await advance(client, seconds=1)
    assert (await client.get(f"/v1/admin/outbox/{sent['id']}", headers=ADMIN)).json()[
        "status"
    ] == "sent"
    await advance(client, seconds=5)
    read = (await client.get(f"/v1/admin/outbox/{sent['id']}", headers=ADMIN)).json()
    assert [step["status"] for step in read["history"]] == ["queued", "sent", "delivered"]
    assert read["history"][-1]["at"] == "2026-11-02T09:00:03Z"
    missing = await client.get("/v1/admin/outbox/msg_nope", headers=ADMIN)
    assert problem(missing) == (404, "not_found")


async def test_magic_recipients_fail_and_rcs_falls_back_to_sms(client: Client) -> None:
    invalid, _ = await new_customer(client, "invalid@example.com", phone=INVALID_NUMBER)
    bouncing, _ = await new_customer(client, BOUNCE)
    no_rcs, _ = await new_customer(client, "norcs@example.com", phone=NO_RCS_NUMBER)
    await set_consents(client, invalid, sms="subscribed")
    await set_consents(client, bouncing, email="subscribed")
    await set_consents(client, no_rcs, rcs="subscribed", sms="subscribed")
    to_invalid = await send(client, invalid, "sms")
    to_bounce = await send(client, bouncing, "email", subject="Hello")
    fallback = await send(client, no_rcs, "rcs")
    await advance(client, seconds=30)

    failed = (await client.get(f"/v1/admin/outbox/{to_invalid['id']}", headers=ADMIN)).json()
    assert (failed["status"], failed["reason"]) == ("failed", "invalid_number")
    bounced = (await client.get(f"/v1/admin/outbox/{to_bounce['id']}", headers=ADMIN)).json()
    assert (bounced["status"], bounced["reason"]) == ("failed", "bounced")
    assert (fallback["channel"], fallback["fallback_from"]) == ("sms", "rcs")


async def test_a_push_to_a_device_without_a_token_fails_and_no_device_is_no_address(
    client: Client,
) -> None:
    grace, token = await new_customer(client, "grace@example.com")
    await set_consents(client, grace, push="subscribed")
    no_device = await send(client, grace, "push")
    assert (no_device["status"], no_device["reason"]) == ("suppressed", "no_address")

    app = as_customer(token, MOBILE_KEY, **{"X-Device-Id": "ios-grace"})
    registered = await client.post(
        "/v1/devices", json={"id": "ios-grace", "platform": "ios"}, headers=app
    )
    assert registered.status_code == 200, registered.text
    await client.post("/v1/carts", json={}, headers=app)
    tokenless = await send(client, grace, "push")
    await advance(client, seconds=2)
    read = (await client.get(f"/v1/admin/outbox/{tokenless['id']}", headers=ADMIN)).json()
    assert (read["status"], read["reason"]) == ("failed", "no_push_token")

    await client.post(
        "/v1/devices",
        json={"id": "ios-grace", "platform": "ios", "push_token": "apns-123"},
        headers=app,
    )
    pushed = await send(client, grace, "push")
    assert pushed["recipient"] == "device:ios-grace"  # never the push token


async def test_the_outbox_is_searched_read_waited_on_and_cleared(client: Client) -> None:
    grace, _ = await new_customer(client, "grace@example.com", phone=PHONE)
    ada, _ = await new_customer(client, "ada@example.org")
    await set_consents(client, grace, sms="subscribed", email="subscribed")
    await set_consents(client, ada, email="subscribed")
    await send(client, grace, "sms", campaign="spring")
    await send(client, grace, "email", campaign="autumn", kind="promo")
    last = await send(client, ada, "email", campaign="spring")

    assert [m["channel"] for m in await outbox(client, recipient=PHONE)] == ["sms"]
    assert [m["recipient"] for m in await outbox(client, campaign="spring")] == [
        PHONE,
        "ada@example.org",
    ]
    assert len(await outbox(client, channel="email")) == 2
    assert len(await outbox(client, kind="promo")) == 1
    bad = await client.get("/v1/admin/outbox", params={"channel": "fax"}, headers=ADMIN)
    assert problem(bad) == (422, "invalid_input")
    assert bad.json()["errors"][0]["field"] == "channel"

    # Waiting returns a message already there at once, and the next one when it is written.
    waited = await client.get(
        "/v1/admin/outbox/wait", params={"recipient": PHONE, "timeout": 0}, headers=ADMIN
    )
    assert waited.status_code == 200 and waited.json()["channel"] == "sms"
    nothing = await client.get(
        "/v1/admin/outbox/wait", params={"after": last["seq"], "timeout": 0}, headers=ADMIN
    )
    assert nothing.status_code == 204
    pending = asyncio.ensure_future(
        client.get(
            "/v1/admin/outbox/wait",
            params={"after": last["seq"], "channel": "sms", "timeout": 10},
            headers=ADMIN,
        )
    )
    later = await send(client, grace, "sms", campaign="later")
    assert (await pending).json()["id"] == later["id"]

    cleared = await client.delete("/v1/admin/outbox", headers=ADMIN)
    assert cleared.json() == {"deleted": 4}
    assert await outbox(client) == []
    shopper = await client.get("/v1/admin/outbox", headers=headers(WEB_KEY))
    assert problem(shopper) == (403, "out_of_scope")


async def test_a_tracked_link_opens_the_cart_on_another_device_and_credits_the_message(
    client: Client,
) -> None:
    grace, token = await new_customer(client, "grace@example.com", phone=PHONE)
    await set_consents(client, grace, sms="subscribed")
    app = as_customer(token, MOBILE_KEY, **{"X-Device-Id": "grace-app"})
    cart = (await client.post("/v1/carts", json={}, headers=app)).json()
    await client.post(f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-MUG"}, headers=app)
    message = await send(
        client, grace, "sms", campaign="cart-reminder", cart_id=cart["id"], body="Back? {link}"
    )
    assert message["body"] == f"Back? {message['link']}"

    laptop = headers(WEB_KEY, **{"X-Device-Id": "grace-laptop"})
    opened = await client.get(message["link"], headers=laptop)
    assert opened.status_code == 200, opened.text
    assert opened.json()["cart"]["id"] == cart["id"]
    # The link hands the laptop the cart's secret, which reaches the cart from then on.
    cart_token = opened.json()["cart"]["cart_token"]
    assert cart_token and cart_token != message["link"]
    again = await client.get(
        f"/v1/carts/{cart['id']}", headers={**laptop, "X-Cart-Token": cart_token}
    )
    assert again.status_code == 200, again.text
    assert [line["sku"] for line in opened.json()["cart"]["lines"]] == ["SKU-MUG"]
    await advance(client, seconds=10)
    read = (await client.get(f"/v1/admin/outbox/{message['id']}", headers=ADMIN)).json()
    # Clicked before its planned delivery: the click proves it was delivered, then.
    assert [step["status"] for step in read["history"]] == [
        "queued",
        "sent",
        "delivered",
        "opened",
        "clicked",
    ]

    clicks = await client.get("/v1/touchpoints", params={"type": "link.clicked"}, headers=ADMIN)
    [click] = clicks.json()["items"]
    assert (click["channel"], click["customer_id"], click["device_id"]) == (
        "messaging",
        grace,
        "grace-laptop",
    )
    assert click["campaign"] == {
        "source": "omniloom",
        "medium": "sms",
        "campaign": "cart-reminder",
    }
    unknown = await client.get("/v1/links/lnk_nope", headers=laptop)
    assert problem(unknown) == (404, "not_found")


async def test_list_wait_and_stream_take_the_same_filters(client: Client) -> None:
    grace, _ = await new_customer(client, "grace@example.com", phone=PHONE)
    await set_consents(client, grace, sms="subscribed")
    await send(client, grace, "sms", campaign="spring")
    refused = await send(client, grace, "email", campaign="spring")  # no email consent
    filters = {"customer_id": grace, "outcome": "suppressed", "reason": "no_consent"}
    [listed] = await outbox(client, **filters)
    waited = await client.get(
        "/v1/admin/outbox/wait", params={**filters, "timeout": 0}, headers=ADMIN
    )
    assert listed["id"] == waited.json()["id"] == refused["id"]
    streamed = await client.get(
        "/v1/admin/outbox/stream", params={**filters, "after": 0, "timeout": 0}, headers=ADMIN
    )
    assert streamed.headers["content-type"].startswith("text/event-stream")
    assert f"id: {refused['seq']}" in streamed.text
    assert streamed.text.count("event: message") == 1
    for route in ("/v1/admin/outbox", "/v1/admin/outbox/wait", "/v1/admin/outbox/stream"):
        bad = await client.get(route, params={"outcome": "lost"}, headers=ADMIN)
        assert bad.json()["errors"][0]["field"] == "outcome", route
