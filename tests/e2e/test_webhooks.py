"""Signed webhooks: delivered once after retries, verifiable, bounded, durable, replayable."""

from __future__ import annotations

import json
from typing import Any

from litestar.testing import AsyncTestClient

from omniloom.api.app import create_app
from omniloom.config import Settings
from omniloom.domain.webhooks import verify
from omniloom.store.database import open_database
from tests.support.api import Client, add, headers, new_cart, placed_order
from tests.support.messaging import ADMIN, advance
from tests.support.receiver import Received, Receiver
from tests.support.store import WEB_KEY


async def subscribe(client: Client, url: str, *types: str) -> dict[str, Any]:
    body = {"url": url, "event_types": list(types or ["order.placed"])}
    response = await client.post("/v1/admin/webhooks", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    endpoint: dict[str, Any] = response.json()
    return endpoint


async def deliveries(client: Client, endpoint_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/admin/webhooks/{endpoint_id}/deliveries", headers=ADMIN)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def authentic(secret: str, received: Received, body: bytes | None = None) -> bool:
    h = received.headers
    timestamp = int(h["webhook-timestamp"])
    payload = received.body if body is None else body
    return verify(secret, h["webhook-id"], timestamp, payload, h["webhook-signature"])


async def test_a_receiver_failing_twice_gets_the_event_once_delivered_and_signed(
    client: Client,
) -> None:
    async with Receiver(answers=[500, 503]) as receiver:
        endpoint = await subscribe(client, receiver.url)
        assert endpoint["secret"].startswith("whsec_")
        order = await placed_order(client, "SKU-MUG")
        await advance(client)  # the clock's due work fans out and makes the first attempt
        assert [r.answered for r in receiver.requests] == [500]
        await advance(client, seconds=4)
        assert len(receiver.requests) == 1
        await advance(client, seconds=1)
        await advance(client, minutes=5)
        await advance(client, days=3)

    assert [r.answered for r in receiver.requests] == [500, 503, 200]
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert all(authentic(endpoint["secret"], r) for r in receiver.requests)
    event = json.loads(receiver.requests[-1].body)
    assert (event["type"], event["data"]["order_id"]) == ("order.placed", order["id"])
    [delivery] = await deliveries(client, endpoint["id"])
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 3)
    assert [a["http_status"] for a in delivery["log"]] == [500, 503, 200]
    assert [a["at"][11:19] for a in delivery["log"]] == ["09:00:00", "09:00:05", "09:05:05"]
    assert delivery["id"] == receiver.requests[0].headers["webhook-id"]


async def test_a_tampered_body_or_another_secret_fails_verification(client: Client) -> None:
    async with Receiver() as receiver:
        endpoint = await subscribe(client, receiver.url)
        await placed_order(client, "SKU-MUG")
        await advance(client)
    [received] = receiver.requests
    assert authentic(endpoint["secret"], received)
    tampered = received.body.replace(b"order.placed", b"order.refund")
    assert not authentic(endpoint["secret"], received, tampered)
    assert not authentic("whsec_" + "A" * 32, received)


async def test_a_dead_receiver_gets_a_bounded_backoff_not_a_retry_storm(client: Client) -> None:
    async with Receiver(then=500) as receiver:
        endpoint = await subscribe(client, receiver.url)
        await placed_order(client, "SKU-MUG")
        await advance(client)
        # However far the clock jumps, one clock move makes at most one attempt per delivery.
        await advance(client, days=30)
        assert len(receiver.requests) == 2
        for _ in range(20):
            await advance(client, days=1)
        assert len(receiver.requests) == 8
        [delivery] = await deliveries(client, endpoint["id"])
        assert (delivery["status"], delivery["attempts"], delivery["next_attempt_at"]) == (
            "failed",
            8,
            None,
        )
        # Mended, the receiver gets the same webhook-id again when an operator replays it.
        receiver.then = 200
        replay = f"/v1/admin/webhooks/deliveries/{delivery['id']}/replay"
        assert (await client.post(replay, headers=ADMIN)).status_code == 200
    assert len(receiver.requests) == 9
    assert receiver.requests[-1].headers["webhook-id"] == delivery["id"]
    [again] = await deliveries(client, endpoint["id"])
    assert (again["status"], len(again["log"])) == ("delivered", 9)


async def test_only_subscribed_event_types_are_delivered(client: Client) -> None:
    async with Receiver() as receiver:
        await subscribe(client, receiver.url, "cart.*")
        cart = await new_cart(client)
        await add(client, cart["id"], "SKU-MUG")
        await placed_order(client, "SKU-LAMP")
        await advance(client)
    types = [json.loads(r.body)["type"] for r in receiver.requests]
    assert types and all(t.startswith("cart.") for t in types)


async def test_a_rotated_secret_signs_beside_the_old_one_for_a_day(client: Client) -> None:
    async with Receiver() as receiver:
        endpoint = await subscribe(client, receiver.url)
        rotated = await client.post(
            f"/v1/admin/webhooks/{endpoint['id']}/rotate-secret", headers=ADMIN
        )
        new_secret = rotated.json()["secret"]
        assert new_secret != endpoint["secret"]
        await placed_order(client, "SKU-MUG")
        await advance(client)
        await advance(client, hours=25)
        await placed_order(client, "SKU-MUG")
        await advance(client)
    first, second = receiver.requests
    assert len(first.headers["webhook-signature"].split(" ")) == 2
    assert authentic(new_secret, first) and authentic(endpoint["secret"], first)
    assert authentic(new_secret, second) and not authentic(endpoint["secret"], second)


async def test_nothing_is_lost_across_a_restart(client: Client, settings: Settings) -> None:
    async with Receiver() as receiver:
        await subscribe(client, receiver.url)
        order = await placed_order(client, "SKU-MUG")
        # The server stops before any attempt; another one starts on the same database.
        restarted = create_app(settings, open_database(settings.database_url))
        async with AsyncTestClient(app=restarted) as second:
            done = await second.post("/v1/admin/webhooks/dispatch", headers=ADMIN)
            assert done.json() == {"attempted": 1, "delivered": 1}
    [received] = receiver.requests
    assert json.loads(received.body)["data"]["order_id"] == order["id"]


async def test_bad_subscriptions_name_the_field_and_change_nothing(client: Client) -> None:
    for body, field in (
        ({"url": "ftp://example.com/hook", "event_types": ["*"]}, "url"),
        ({"url": "not a url", "event_types": ["*"]}, "url"),
        ({"url": "https://example.com/hook", "event_types": ["Order Placed"]}, "event_types[0]"),
        ({"url": "https://example.com/hook", "event_types": []}, "event_types"),
        ({"url": "https://example.com/hook"}, "event_types"),
    ):
        response = await client.post("/v1/admin/webhooks", json=body, headers=ADMIN)
        assert response.status_code == 422, (field, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field], response.text
    listed = await client.get("/v1/admin/webhooks", headers=ADMIN)
    assert listed.json() == {"items": []}
    shopper = await client.get("/v1/admin/webhooks", headers=headers(WEB_KEY))
    assert shopper.status_code == 403
    missing = await client.get("/v1/admin/webhooks/whe_nope/deliveries", headers=ADMIN)
    assert missing.status_code == 404
    odd = await client.get(
        "/v1/admin/webhooks/whe_nope/deliveries", params={"status": "odd"}, headers=ADMIN
    )
    assert odd.json()["errors"][0]["field"] == "status"
