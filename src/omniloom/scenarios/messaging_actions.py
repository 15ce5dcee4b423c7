"""Messaging steps: consent per channel, waiting for a message, following its tracked link."""

from __future__ import annotations

from typing import Any

from omniloom.scenarios.actor import ActionError, Actor, Plan, Request, need, one, query, seg


def messaging_consent(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    customer = a.get("customer") or need(actor.customer_id, "signed-in customer")
    if not isinstance(a["channels"], dict):
        raise ActionError("channels maps a channel to a state, e.g. {sms: subscribed}")
    body: dict[str, Any] = {
        "consents": {channel: {"state": state} for channel, state in a["channels"].items()}
    }
    if a.get("timezone"):
        body["timezone"] = a["timezone"]
    return (yield from one(Request("PUT", f"/v1/customers/{seg(customer)}/messaging", body)))


def expect_message(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    to = a.get("to") or "shopper"
    params = {
        "channel": a.get("channel"),
        "campaign": a.get("campaign"),
        "kind": a.get("kind"),
        "after": a.get("after"),
        "timeout": a.get("timeout"),
    }
    if to == "shopper":
        params["customer_id"] = need(actor.customer_id, "signed-in customer")
    else:
        params["recipient"] = to
    return (yield from one(Request("GET", query("/v1/admin/outbox/wait", params), None, "admin")))


def open_link(a: dict[str, Any], actor: Actor, device: str | None) -> Plan:
    link = str(a["link"])
    if not link.startswith("/v1/links/"):
        raise ActionError(f"{link!r} is not a tracked link (/v1/links/…)")
    return (yield from one(Request("GET", link)))
