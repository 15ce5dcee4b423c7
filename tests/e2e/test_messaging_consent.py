"""Consent per messaging channel is enforced: refused tracking leaves no behaviour, STOP stops."""

from __future__ import annotations

from tests.support.api import Client, checkout_body, headers
from tests.support.identity import as_customer, new_customer, problem
from tests.support.messaging import ADMIN, consent_of, outbox, send, set_consents
from tests.support.store import MESSAGING_KEY, MOBILE_KEY, WEB_KEY

PHONE = "+15550123456"


async def test_a_customer_reads_and_changes_consent_per_channel(client: Client) -> None:
    grace, token = await new_customer(client, "grace@example.com")
    me = as_customer(token, MOBILE_KEY)
    first = (await client.get(f"/v1/customers/{grace}/messaging", headers=me)).json()
    assert (first["timezone"], first["tracked"]) == ("UTC", True)
    assert {c["channel"]: c["state"] for c in first["consents"]} == {
        "email": "not_subscribed",
        "sms": "not_subscribed",
        "rcs": "not_subscribed",
        "push": "not_subscribed",
        "social": "not_subscribed",
        "tracking": "not_subscribed",
    }
    changed = await client.put(
        f"/v1/customers/{grace}/messaging",
        json={
            "consents": {
                "sms": {"state": "subscribed", "source": "checkout checkbox"},
                "email": {"state": "pending"},
            },
            "timezone": "Europe/Paris",
        },
        headers=me,
    )
    assert changed.status_code == 200, changed.text
    settings = changed.json()
    assert settings["timezone"] == "Europe/Paris"
    sms = consent_of(settings, "sms")
    assert (sms["state"], sms["source"]) == ("subscribed", "checkout checkbox")
    assert sms["given_at"] == "2026-11-02T09:00:00Z"
    email = consent_of(settings, "email")
    assert (email["state"], email["source"]) == ("pending", "mobile")

    _, other_token = await new_customer(client, "other@example.com")
    refused = await client.get(f"/v1/customers/{grace}/messaging", headers=as_customer(other_token))
    assert problem(refused) == (403, "not_your_data")
    assert (await client.get(f"/v1/customers/{grace}/messaging", headers=ADMIN)).json() == settings


async def test_bad_consent_input_names_the_field_and_changes_nothing(client: Client) -> None:
    grace, _ = await new_customer(client, "grace@example.com")
    before = (await client.get(f"/v1/customers/{grace}/messaging", headers=ADMIN)).json()
    for body, field in (
        ({"consents": {"fax": {"state": "subscribed"}}}, "consents"),
        ({"consents": {"sms": {"state": "maybe"}}}, "consents[...].state"),
        ({"consents": {"sms": {"state": "subscribed"}}, "timezone": "Mars/Olympus"}, "timezone"),
    ):
        response = await client.put(f"/v1/customers/{grace}/messaging", json=body, headers=ADMIN)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert any(e["field"].startswith(field) for e in response.json()["errors"]), response.text
    after = (await client.get(f"/v1/customers/{grace}/messaging", headers=ADMIN)).json()
    assert after == before
    missing = await client.get("/v1/customers/cus_nobody/messaging", headers=ADMIN)
    assert problem(missing) == (404, "not_found")


async def test_with_tracking_refused_browsing_leaves_no_behavioural_touchpoints(
    client: Client,
) -> None:
    grace, token = await new_customer(client, "grace@example.com")
    phone = headers(WEB_KEY, **{"X-Device-Id": "grace-phone"})
    # Browsing before the refusal, anonymously, on the phone she later signs in on.
    await client.get("/v1/products", params={"q": "mug"}, headers=phone)
    me = as_customer(token, WEB_KEY, **{"X-Device-Id": "grace-phone"})
    refused = await set_consents(client, grace, me, tracking="unsubscribed")
    assert refused["tracked"] is False

    await client.get("/v1/products", params={"q": "lamp"}, headers=phone)
    await client.get("/v1/products/prd_lamp", headers=phone)
    cart = (await client.post("/v1/carts", json={}, headers=me)).json()
    await client.post(f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-MUG"}, headers=me)
    placed = await client.post(f"/v1/carts/{cart['id']}/checkout", json=checkout_body(), headers=me)
    assert placed.status_code == 201, placed.text

    journey = (await client.get(f"/v1/customers/{grace}/journey", headers=ADMIN)).json()
    kinds = [t["type"] for t in journey["touchpoints"]]
    since_refusal = kinds[kinds.index("messaging.consent_changed") + 1 :]
    assert "order.placed" in since_refusal  # the business record is kept
    assert [k for k in since_refusal if k.startswith(("catalog.", "cart."))] == []
    anonymous = await client.get(
        "/v1/touchpoints", params={"type": "catalog.searched"}, headers=ADMIN
    )
    searches = [(t["data"]["query"], t["customer_id"]) for t in anonymous.json()["items"]]
    assert searches == [("mug", None)]  # before she refused; not stitched to her since

    await set_consents(client, grace, me, tracking="subscribed")
    await client.get("/v1/products", params={"q": "tee"}, headers=phone)
    await client.post("/v1/carts", json={}, headers=me)
    journey = (await client.get(f"/v1/customers/{grace}/journey", headers=ADMIN)).json()
    searched = [t for t in journey["touchpoints"] if t["type"] == "catalog.searched"]
    queries = [t["data"]["query"] for t in searched]
    assert "tee" in queries and "lamp" not in queries


async def test_stop_unsubscribes_and_the_refused_sms_is_recorded_with_why(client: Client) -> None:
    grace, _ = await new_customer(client, "grace@example.com", phone=PHONE)
    await set_consents(client, grace, sms="subscribed")
    assert (await send(client, grace, "sms"))["status"] == "queued"

    reply = await client.post(
        "/v1/messaging/inbound",
        json={"channel": "sms", "from": "+1 (555) 012-3456", "text": " Stop "},
        headers=headers(MESSAGING_KEY),
    )
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"customer_id": grace, "channel": "sms", "state": "unsubscribed"}
    settings = (await client.get(f"/v1/customers/{grace}/messaging", headers=ADMIN)).json()
    assert consent_of(settings, "sms")["state"] == "unsubscribed"
    assert consent_of(settings, "sms")["source"] == "sms reply"

    refused = await send(client, grace, "sms", campaign="winback")
    assert (refused["status"], refused["reason"], refused["recipient"]) == (
        "suppressed",
        "no_consent",
        None,
    )
    assert [m["status"] for m in await outbox(client, customer_id=grace)] == [
        "queued",
        "suppressed",
    ]
    web_reply = await client.post(
        "/v1/messaging/inbound",
        json={"channel": "sms", "from": PHONE, "text": "START"},
        headers=headers(WEB_KEY),
    )
    assert problem(web_reply) == (403, "out_of_scope")
    again = await client.post(
        "/v1/messaging/inbound",
        json={"channel": "sms", "from": PHONE, "text": "START"},
        headers=headers(MESSAGING_KEY),
    )
    assert again.json()["state"] == "subscribed"
    assert (await send(client, grace, "sms"))["status"] == "queued"


async def test_an_unknown_sender_or_word_changes_nothing(client: Client) -> None:
    grace, _ = await new_customer(client, "grace@example.com", phone=PHONE)
    await set_consents(client, grace, sms="subscribed")
    for body in (
        {"channel": "sms", "from": "+15559999999", "text": "STOP"},
        {"channel": "sms", "from": PHONE, "text": "thanks!"},
    ):
        reply = await client.post(
            "/v1/messaging/inbound", json=body, headers=headers(MESSAGING_KEY)
        )
        assert reply.json()["state"] is None
    bad = await client.post(
        "/v1/messaging/inbound",
        json={"channel": "push", "from": PHONE, "text": "STOP"},
        headers=headers(MESSAGING_KEY),
    )
    assert problem(bad) == (422, "invalid_input")
    settings = (await client.get(f"/v1/customers/{grace}/messaging", headers=ADMIN)).json()
    assert consent_of(settings, "sms")["state"] == "subscribed"


async def test_opting_out_of_everything_on_the_consents_route_is_enforced_too(
    client: Client,
) -> None:
    grace, token = await new_customer(client, "grace@example.com", phone=PHONE)
    me = as_customer(token, WEB_KEY, **{"X-Device-Id": "grace-phone"})
    everything = {
        "email_marketing": False,
        "sms_marketing": False,
        "push_notifications": False,
        "personalisation": False,
    }
    answered = await client.put(f"/v1/customers/{grace}/consents", json=everything, headers=me)
    assert answered.status_code == 200, answered.text
    await client.get("/v1/products", params={"q": "lamp"}, headers=me)
    searches = await client.get(
        "/v1/touchpoints", params={"type": "catalog.searched"}, headers=ADMIN
    )
    assert searches.json()["items"] == []
    settings = (await client.get(f"/v1/customers/{grace}/messaging", headers=ADMIN)).json()
    assert settings["tracked"] is False
    assert (consent_of(settings, "sms")["state"], consent_of(settings, "sms")["source"]) == (
        "unsubscribed",
        "web consents",
    )
    assert (await send(client, grace, "sms"))["reason"] == "no_consent"
