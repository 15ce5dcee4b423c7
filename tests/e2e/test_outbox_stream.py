"""Following the outbox as Server-Sent Events: a message queued after the stream opened arrives
on it, then its delivery as the simulated clock moves; the stream ends by itself."""

from __future__ import annotations

import json

from tests.support.api import Client
from tests.support.identity import as_customer, new_customer, problem
from tests.support.messaging import ADMIN, REMINDER, advance, define_flow, send, set_consents
from tests.support.sse import EventStream
from tests.support.store import MOBILE_KEY

PHONE = "+15550123456"


async def test_a_reminder_queued_after_the_stream_opened_arrives_then_its_delivery(
    client: Client,
) -> None:
    grace, token = await new_customer(client, "grace@example.com", phone=PHONE)
    ada, _ = await new_customer(client, "ada@example.org", phone="+15550999999")
    await set_consents(client, grace, sms="subscribed")
    await set_consents(client, ada, sms="subscribed")
    before = await send(client, grace, "sms", campaign="before")  # already there: not streamed
    app = as_customer(token, MOBILE_KEY)
    cart = (await client.post("/v1/carts", json={}, headers=app)).json()
    await client.post(f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-MUG"}, headers=app)
    await define_flow(client, steps=[{**REMINDER, "channels": ["sms"]}])

    stream = EventStream(
        client, "/v1/admin/outbox/stream", ADMIN, customer_id=grace, max_events=2, timeout=30
    )
    assert await stream.opened() == f"following the outbox after seq {before['seq']}"
    assert (stream.status, stream.content_type.split(";")[0]) == (200, "text/event-stream")

    await send(client, ada, "sms")  # another shopper's: filtered out
    await advance(client, hours=4)  # the flow queues the reminder
    queued = await stream.frame()
    assert queued is not None
    message = json.loads(queued["data"])
    assert (queued["event"], message["campaign"], message["status"]) == (
        "message",
        "abandoned-cart",
        "queued",
    )
    assert queued["id"] == str(message["seq"])

    await advance(client, seconds=5)
    delivered = await stream.frame()
    assert delivered is not None
    assert delivered["event"] == "status"
    assert json.loads(delivered["data"])["status"] == "delivered"
    assert await stream.frame() is None  # max_events reached: the stream has ended


async def test_a_stream_with_nothing_to_say_ends_at_its_timeout_and_bad_bounds_are_refused(
    client: Client,
) -> None:
    stream = EventStream(client, "/v1/admin/outbox/stream", ADMIN, timeout=0)
    assert await stream.opened() == "following the outbox after seq 0"
    assert await stream.frame() is None
    for params, field in (({"max_events": 0}, "max_events"), ({"channel": "fax"}, "channel")):
        bad = await client.get("/v1/admin/outbox/stream", params=params, headers=ADMIN)
        assert problem(bad) == (422, "invalid_input")
        assert bad.json()["errors"][0]["field"] == field
