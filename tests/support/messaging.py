"""Messaging as tests drive it: consent, sending, the outbox, the simulated clock."""

from __future__ import annotations

from typing import Any

from tests.support.api import Client, headers
from tests.support.store import ADMIN_KEY

ADMIN = headers(ADMIN_KEY)


async def set_consents(
    client: Client, customer_id: str, auth: dict[str, str] | None = None, **states: str
) -> dict[str, Any]:
    """Set each named channel's consent state (``sms="subscribed"``); admin unless told."""
    body = {"consents": {channel: {"state": state} for channel, state in states.items()}}
    response = await client.put(
        f"/v1/customers/{customer_id}/messaging", json=body, headers=auth or ADMIN
    )
    assert response.status_code == 200, response.text
    settings: dict[str, Any] = response.json()
    return settings


def consent_of(settings: dict[str, Any], channel: str) -> dict[str, Any]:
    return next(c for c in settings["consents"] if c["channel"] == channel)


async def send(client: Client, customer_id: str, channel: str, **body: Any) -> dict[str, Any]:
    response = await client.post(
        "/v1/admin/messages",
        json={"customer_id": customer_id, "channel": channel, "body": "Hello {link}", **body},
        headers=ADMIN,
    )
    assert response.status_code == 201, response.text
    message: dict[str, Any] = response.json()
    return message


async def outbox(client: Client, **filters: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/admin/outbox", params=filters, headers=ADMIN)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def advance(client: Client, **delta: int) -> dict[str, Any]:
    response = await client.post("/v1/admin/clock/advance", json=delta, headers=ADMIN)
    assert response.status_code == 200, response.text
    clock: dict[str, Any] = response.json()
    return clock


REMINDER = {
    "delay_minutes": 240,
    "channels": ["push", "sms"],
    "body": "You left something behind: {link}",
}
SECOND = {
    "delay_minutes": 1440,
    "channels": ["sms", "email"],
    "body": "Still yours, {code} takes 10% off: {link}",
    "code": "COMEBACK10",
}


async def define_flow(client: Client, flow_id: str = "cart", **fields: Any) -> dict[str, Any]:
    """An abandoned-cart flow: a reminder after 4 h (push, else SMS), a second after 24 h."""
    body = {
        "name": "Abandoned cart",
        "trigger": "cart_abandoned",
        "campaign": "abandoned-cart",
        "steps": [REMINDER, SECOND],
        **fields,
    }
    response = await client.put(f"/v1/admin/flows/{flow_id}", json=body, headers=ADMIN)
    assert response.status_code == 200, response.text
    flow: dict[str, Any] = response.json()
    return flow


async def runs(client: Client, **filters: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/admin/flow-runs", params=filters, headers=ADMIN)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
