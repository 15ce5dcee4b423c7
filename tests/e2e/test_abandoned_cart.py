"""Abandoned-cart recovery on the simulated clock: the reminder, the click, the purchase, and
the reminders that must not be sent (bought elsewhere, capped, at night, unsubscribed)."""

from __future__ import annotations

from typing import Any

from tests.support.api import Client, checkout_body, headers
from tests.support.identity import as_customer, new_customer
from tests.support.messaging import (
    ADMIN,
    REMINDER,
    advance,
    define_flow,
    outbox,
    runs,
    send,
    set_consents,
)
from tests.support.pos import (
    new_sale,
    offline_line,
    offline_sale,
    open_shift,
    pay,
    scan,
    server_now,
    upload,
)
from tests.support.store import MESSAGING_KEY, MOBILE_KEY, WEB_KEY

PHONE = "+15550123456"


async def app_cart(client: Client, email: str = "grace@example.com") -> tuple[str, str, str]:
    """(customer, token, cart) of a shopper who filled a cart in the app and left it."""
    grace, token = await new_customer(client, email, phone=PHONE)
    app = as_customer(token, MOBILE_KEY, **{"X-Device-Id": "grace-app"})
    cart = (await client.post("/v1/carts", json={}, headers=app)).json()
    await client.post(f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-MUG"}, headers=app)
    return grace, token, cart["id"]


def summary(messages: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [(m["channel"], m["status"], m["reason"]) for m in messages]


async def test_reminder_by_sms_is_clicked_on_another_device_and_bought_then_nothing_more(
    client: Client,
) -> None:
    grace, token, cart_id = await app_cart(client)
    await set_consents(client, grace, sms="subscribed", email="subscribed")
    await define_flow(client)

    await advance(client, hours=3, minutes=59)
    assert await outbox(client) == []
    await advance(client, minutes=1)
    sent = await outbox(client, customer_id=grace)
    # No push consent: the push is recorded as refused and the SMS carries the reminder.
    assert summary(sent) == [("push", "suppressed", "no_consent"), ("sms", "queued", None)]
    reminder = sent[1]
    assert (reminder["fallback_from"], reminder["campaign"]) == ("push", "abandoned-cart")

    laptop = as_customer(token, WEB_KEY, **{"X-Device-Id": "grace-laptop"})
    opened = await client.get(reminder["link"], headers=laptop)
    assert opened.json()["cart"]["id"] == cart_id
    bought = await client.post(
        f"/v1/carts/{cart_id}/checkout", json=checkout_body(), headers=laptop
    )
    assert bought.status_code == 201, bought.text

    await advance(client, days=2)
    # The second step is not sent: it is recorded as suppressed because she bought.
    assert summary(await outbox(client, channel="sms")) == [
        ("sms", "clicked", None),
        ("sms", "suppressed", "converted"),
    ]
    [run] = await runs(client, customer_id=grace)
    assert (run["status"], run["exit_reason"]) == ("converted", "converted")
    journey = (await client.get(f"/v1/customers/{grace}/journey", headers=ADMIN)).json()
    kinds = [(t["type"], t["channel"]) for t in journey["touchpoints"]]
    assert kinds.index(("link.clicked", "messaging")) < kinds.index(("order.placed", "web"))
    attribution = await client.get(
        "/v1/analytics/attribution",
        params={"model": "last_touch", "key": "channel_source_medium"},
        headers=ADMIN,
    )
    assert attribution.status_code == 200, attribution.text
    assert "messaging:omniloom/sms" in attribution.text


async def test_a_shopper_who_bought_in_the_store_meanwhile_gets_no_reminder(
    client: Client,
) -> None:
    grace, _, _ = await app_cart(client)
    await set_consents(client, grace, sms="subscribed")
    await define_flow(client)
    await advance(client, hours=1)
    await open_shift(client)
    sale = await new_sale(client, customer_id=grace)
    await scan(client, sale["cart_id"], "SKU-TEE-M")
    paid = await pay(client, sale["cart_id"], {"type": "cash", "tendered": 5000})
    assert paid.status_code == 201, paid.text

    await advance(client, hours=4)
    assert summary(await outbox(client, customer_id=grace)) == [("push", "suppressed", "converted")]
    [run] = await runs(client, customer_id=grace)
    assert run["status"] == "converted"
    await advance(client, days=2)
    assert len(await outbox(client, customer_id=grace)) == 1


async def test_a_purchase_on_another_cart_ends_the_run_however_often_the_clock_ticks(
    client: Client,
) -> None:
    grace, token, app_cart_id = await app_cart(client)
    await set_consents(client, grace, sms="subscribed")
    await define_flow(client, steps=[{**REMINDER, "channels": ["sms"]}])
    web = as_customer(token, WEB_KEY)
    # A second cart, bought on the web an hour later; the app cart stays active.
    await advance(client, hours=1)
    other = (await client.post("/v1/carts", json={}, headers=web)).json()
    assert other["id"] != app_cart_id
    await client.post(f"/v1/carts/{other['id']}/lines", json={"sku": "SKU-LAMP"}, headers=web)
    bought = await client.post(
        f"/v1/carts/{other['id']}/checkout", json=checkout_body(), headers=web
    )
    assert bought.status_code == 201, bought.text
    # The clock ticks several times across the due moment (a duplicate sweep changes nothing).
    for _ in range(3):
        await advance(client, hours=2)
    sent = await outbox(client, customer_id=grace)
    assert summary(sent) == [("sms", "suppressed", "converted")]


async def test_a_capped_reminder_is_recorded_as_suppressed_not_dropped(client: Client) -> None:
    grace, _, _ = await app_cart(client)
    await set_consents(client, grace, sms="subscribed")
    await define_flow(
        client,
        steps=[{**REMINDER, "channels": ["sms"]}],
        frequency_cap={"messages": 1, "hours": 24},
    )
    await send(client, grace, "sms", campaign="newsletter")
    await advance(client, hours=4)
    sent = await outbox(client, customer_id=grace)
    assert summary(sent) == [("sms", "delivered", None), ("sms", "suppressed", "capped")]
    assert sent[1]["campaign"] == "abandoned-cart"
    [run] = await runs(client, customer_id=grace)
    assert run["status"] == "completed"


async def test_after_stop_the_reminder_is_refused_and_says_why(client: Client) -> None:
    grace, _, _ = await app_cart(client)
    await set_consents(client, grace, sms="subscribed")
    await define_flow(client, steps=[{**REMINDER, "channels": ["sms"]}])
    stop = {"channel": "sms", "from": PHONE, "text": "STOP"}
    await client.post("/v1/messaging/inbound", json=stop, headers=headers(MESSAGING_KEY))
    await advance(client, hours=4)
    assert summary(await outbox(client, customer_id=grace)) == [("sms", "suppressed", "no_consent")]


async def test_a_reminder_due_at_23_local_waits_for_the_end_of_quiet_hours(client: Client) -> None:
    grace, _, _ = await app_cart(client)  # 09:00 UTC is 10:00 in Paris
    await client.put(
        f"/v1/customers/{grace}/messaging",
        json={"timezone": "Europe/Paris", "consents": {"sms": {"state": "subscribed"}}},
        headers=ADMIN,
    )
    night = {**REMINDER, "channels": ["sms"], "delay_minutes": 13 * 60}
    await define_flow(client, steps=[night], quiet_hours={"start": "21:00", "end": "08:00"})
    await advance(client, hours=13)  # 23:00 in Paris
    assert await outbox(client) == []
    [run] = await runs(client, customer_id=grace)
    assert run["due_at"] == "2026-11-03T07:00:00Z"  # 08:00 in Paris
    await advance(client, hours=8, minutes=59)
    assert await outbox(client) == []
    await advance(client, minutes=1)
    assert summary(await outbox(client)) == [("sms", "queued", None)]


async def test_a_shopper_back_at_the_cart_restarts_the_wait(client: Client) -> None:
    grace, token, cart_id = await app_cart(client)
    await set_consents(client, grace, sms="subscribed")
    await define_flow(client, steps=[{**REMINDER, "channels": ["sms"]}])
    await advance(client, hours=4)
    await advance(client, minutes=1)
    assert len(await outbox(client)) == 1
    # A second flow enrols the same cart; its first tick finds the cart changed since.
    await define_flow(client, "cart-2", steps=[{**REMINDER, "channels": ["sms"]}])
    app = as_customer(token, MOBILE_KEY)
    await client.post(f"/v1/carts/{cart_id}/lines", json={"sku": "SKU-TEE-M"}, headers=app)
    await advance(client, hours=3)
    assert len(await outbox(client)) == 1
    await advance(client, hours=1)
    assert [m["campaign"] for m in await outbox(client)] == ["abandoned-cart", "abandoned-cart"]


async def test_bad_flows_name_the_field_and_change_nothing(client: Client) -> None:
    base = {"name": "x", "trigger": "cart_abandoned", "steps": [REMINDER]}
    for body, field in (
        ({**base, "trigger": "cart_forgotten"}, "trigger"),
        ({**base, "steps": [{**REMINDER, "delay_minutes": -5}]}, "steps[0].delay_minutes"),
        ({**base, "steps": [{**REMINDER, "channels": ["fax"]}]}, "steps[0].channels[0]"),
        ({**base, "steps": [{**REMINDER, "channels": []}]}, "steps[0].channels"),
        ({**base, "steps": []}, "steps"),
        ({**base, "quiet_hours": {"start": "25:00", "end": "08:00"}}, "quiet_hours.start"),
        ({**base, "steps": [SECOND_FIRST, REMINDER]}, "steps[1].delay_minutes"),
        ({**base, "frequency_cap": {"messages": 0, "hours": 24}}, "frequency_cap.messages"),
    ):
        response = await client.put("/v1/admin/flows/cart", json=body, headers=ADMIN)
        assert response.status_code == 422, (field, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field], response.text
    bad_id = await client.put("/v1/admin/flows/Bad%20Id", json=base, headers=ADMIN)
    assert bad_id.json()["errors"][0]["field"] == "flow_id"
    assert (await client.get("/v1/admin/flows", headers=ADMIN)).json() == {"items": []}
    missing = await client.get("/v1/admin/flows/cart", headers=ADMIN)
    assert missing.status_code == 404
    odd = await client.get("/v1/admin/flow-runs", params={"status": "odd"}, headers=ADMIN)
    assert odd.json()["errors"][0]["field"] == "status"


SECOND_FIRST = {**REMINDER, "delay_minutes": 1440}


async def test_a_sale_uploaded_late_by_an_offline_till_still_stops_the_reminder(
    client: Client,
) -> None:
    grace, _, _ = await app_cart(client)  # 09:00
    await set_consents(client, grace, sms="subscribed")
    await define_flow(client, steps=[{**REMINDER, "channels": ["sms"]}])
    await advance(client, hours=1)
    bought_at = await server_now(client)  # 10:00, at a till that has lost its connection
    await advance(client, hours=2, minutes=30)
    sale = offline_sale(
        "till1-0001",
        bought_at,
        [offline_line("SKU-TEE-M", 1)],
        {"type": "cash", "tendered": 5000},
    )
    uploaded = await upload(client, "batch-1", {**sale, "customer_id": grace})
    assert uploaded.status_code == 201, uploaded.text  # 12:30: the till is back
    await advance(client, hours=1)  # 13:30: the reminder was due at 13:00
    assert summary(await outbox(client, customer_id=grace)) == [("sms", "suppressed", "converted")]
