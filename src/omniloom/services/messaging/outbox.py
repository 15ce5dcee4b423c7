"""Sending: consent and address checked, the channel simulated, every outcome kept in the outbox.

A message that may not go out is not dropped: it is stored as ``suppressed`` with the reason,
so "why did this shopper get nothing?" has an answer in the outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection

from omniloom.domain import delivery
from omniloom.domain.errors import FieldError, InvalidInput, NotFound
from omniloom.domain.messaging import (
    SENDING_CHANNELS,
    ConsentState,
    MessagingChannel,
    SuppressReason,
    may_send,
)
from omniloom.services.kernel.unit import Unit
from omniloom.services.messaging.commands import SendMessage
from omniloom.store import catalog_queries, identity_queries, messaging_queries, outbox_queries

LINK_PLACEHOLDER = "{link}"


class StatusChange(msgspec.Struct, frozen=True):
    status: str
    at: datetime


class MessageView(msgspec.Struct, frozen=True):
    id: str
    seq: int
    channel: str
    kind: str
    campaign: str | None
    customer_id: str | None
    recipient: str | None
    subject: str | None
    body: str
    cart_id: str | None
    product_id: str | None
    flow_run_id: str | None
    # The tracked link the message carries (open it with the shopper's device and key).
    link: str | None
    # queued → sent → delivered (or failed) → opened → clicked, on the simulated clock; or
    # suppressed, with the reason it was not sent.
    status: str
    reason: str | None
    fallback_from: str | None
    history: list[StatusChange]


class MessagePage(msgspec.Struct, frozen=True):
    items: list[MessageView]
    # Pass as ``after`` to read on (and to wait for the next message).
    last_seq: int


def link_path(token: str) -> str:
    return f"/v1/links/{token}"


def view(row: dict[str, Any], now: datetime) -> MessageView:
    if row["outcome"] == "suppressed":
        status, steps = "suppressed", [StatusChange("suppressed", row["queued_at"])]
    else:
        moments = delivery.Moments(
            row["queued_at"],
            row["sent_at"],
            row["delivered_at"],
            row["failed_at"],
            row["opened_at"],
            row["clicked_at"],
        )
        # A reader may see a message queued "after" its now: it is queued all the same. Not a
        # stale read of the shared clock any more (services/kernel/clocks.py), but a clock move
        # in flight: the moving unit queues what fell due at the new time, and another process
        # tells the old time until the move's notice reaches it (the move answers only after
        # that); and, with a running clock, processes on machines whose walls differ slightly.
        steps = [StatusChange(s, at) for s, at in delivery.history(moments, now)] or [
            StatusChange("queued", row["queued_at"])
        ]
        status = steps[-1].status
    failed = status == "failed" or status == "suppressed"
    return MessageView(
        id=row["id"],
        seq=row["seq"],
        channel=row["channel"],
        kind=row["kind"],
        campaign=row["campaign"],
        customer_id=row["customer_id"],
        recipient=row["recipient"],
        subject=row["subject"],
        body=row["body"],
        cart_id=row["cart_id"],
        product_id=row["product_id"],
        flow_run_id=row["flow_run_id"],
        link=None if row["link_token"] is None else link_path(row["link_token"]),
        status=status,
        reason=row["reason"] if failed else None,
        fallback_from=row["fallback_from"],
        history=steps,
    )


def _recipient(contact: dict[str, Any], channel: MessagingChannel) -> str | None:
    if channel is MessagingChannel.EMAIL:
        email: str | None = contact["email"]
        return email
    if channel in (MessagingChannel.SMS, MessagingChannel.RCS):
        phone: str | None = contact["phone"]
        return phone
    if channel is MessagingChannel.PUSH:
        if contact["push_devices"]:
            # The device the push goes to, by its id: the push token is the device's secret.
            device: str = contact["push_devices"][0]
            return f"device:{device}"
        # A device that never registered a token: the push is tried and fails (magic recipient).
        return delivery.NO_PUSH_TOKEN if contact["devices"] else None
    # A retargeting audience matches the shopper by their (hashed) email.
    return None if contact["email"] is None else f"audience:{contact['email']}"


class Outcome(msgspec.Struct, frozen=True):
    channel: MessagingChannel
    recipient: str | None
    reason: SuppressReason | None
    fallback_from: MessagingChannel | None = None


def route(conn: Connection, customer_id: str, channel: MessagingChannel) -> Outcome:
    """Where a message to this customer on this channel would go, or why it may not."""
    state = messaging_queries.consent_state(conn, customer_id, channel)
    if not may_send(None if state is None else ConsentState(state)):
        return Outcome(channel, None, SuppressReason.NO_CONSENT)
    contact = messaging_queries.contact(conn, customer_id)
    recipient = None if contact is None else _recipient(contact, channel)
    if recipient is None:
        return Outcome(channel, None, SuppressReason.NO_ADDRESS)
    if channel is MessagingChannel.RCS and not delivery.rcs_capable(recipient):
        # The phone cannot take RCS: the message goes out as an SMS, if SMS is allowed.
        sms = route(conn, customer_id, MessagingChannel.SMS)
        return Outcome(sms.channel, sms.recipient, sms.reason, MessagingChannel.RCS)
    return Outcome(channel, recipient, None)


def record(
    unit: Unit,
    command: SendMessage,
    outcome: Outcome,
    *,
    flow_run_id: str | None = None,
    reason: SuppressReason | None = None,
) -> MessageView:
    """Store the message (queued, with its planned delivery) or its suppression."""
    reason = reason or outcome.reason
    message_id = unit.ids.new("msg")
    linked = command.cart_id is not None or command.product_id is not None
    token = unit.ids.new("lnk") if linked and reason is None else None
    body = command.body.replace(LINK_PLACEHOLDER, link_path(token) if token else "")
    row: dict[str, Any] = {
        "id": message_id,
        "channel": outcome.channel.value,
        "kind": command.kind,
        "campaign": command.campaign,
        "customer_id": command.customer_id,
        "recipient": outcome.recipient,
        "subject": command.subject,
        "body": body,
        "cart_id": command.cart_id,
        "product_id": command.product_id,
        "flow_run_id": flow_run_id,
        "link_token": token,
        "outcome": "suppressed" if reason else "queued",
        "reason": reason.value if reason else None,
        "queued_at": unit.now,
        "fallback_from": outcome.fallback_from.value if outcome.fallback_from else None,
    }
    if reason is None:
        assert outcome.recipient is not None
        plan = delivery.plan(outcome.channel, outcome.recipient, unit.now)
        row |= {
            "sent_at": plan.sent_at,
            "delivered_at": plan.delivered_at,
            "failed_at": plan.failed_at,
            "reason": plan.reason,
        }
    outbox_queries.insert_message(unit.conn, row)
    unit.emit(
        "message.suppressed" if reason else "message.queued",
        customer_id=command.customer_id,
        cart_id=command.cart_id,
        message_id=message_id,
        messaging_channel=outcome.channel.value,
        kind=command.kind,
        campaign=command.campaign,
        reason=row["reason"],
    )
    stored = outbox_queries.message(unit.conn, message_id)
    assert stored is not None
    return view(stored, unit.now)


def send(unit: Unit, command: SendMessage) -> MessageView:
    """Send one message now (an operator's or a test's), through the same checks as flows."""
    if command.channel not in SENDING_CHANNELS:
        raise InvalidInput(
            "Messages go out on email, sms, rcs, push or social.",
            errors=[FieldError("channel", "not a sending channel")],
        )
    if identity_queries.customer(unit.conn, command.customer_id) is None:
        raise NotFound(f"There is no customer {command.customer_id!r}.")
    if command.product_id is not None and not catalog_queries.product_channel_names(
        unit.conn, command.product_id
    ):
        raise NotFound(f"There is no product {command.product_id!r}.")
    return record(unit, command, route(unit.conn, command.customer_id, command.channel))
