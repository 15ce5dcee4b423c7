"""What clients send to messaging: consent changes, replies, messages, webhook endpoints."""

from __future__ import annotations

from typing import Annotated

import msgspec

from omniloom.domain.flows import Name
from omniloom.domain.messaging import ConsentState, MessagingChannel

Source = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
ZoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
EventPattern = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]


class ConsentChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    state: ConsentState
    # Where the shopper said so (a checkout box, a till, a preference centre); the door otherwise.
    source: Source | None = None


class MessagingChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    consents: dict[MessagingChannel, ConsentChange] = {}
    timezone: ZoneName | None = None


class InboundMessage(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A reply a shopper sent to one of our numbers or addresses (as a carrier would post it)."""

    channel: Annotated[MessagingChannel, msgspec.Meta(description="sms, rcs or email")]
    sender: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] = msgspec.field(name="from")
    text: Annotated[str, msgspec.Meta(max_length=1600)]


class SendMessage(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    customer_id: str
    channel: MessagingChannel
    body: Text
    kind: Name = "manual"
    campaign: Name | None = None
    subject: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    # A cart to bring the shopper back to: the message then carries a tracked link to it.
    cart_id: str | None = None
    # Or a product to show (one browsed, one bought): the tracked link then opens it.
    product_id: Annotated[str, msgspec.Meta(min_length=1, max_length=40)] | None = None


class NewEndpoint(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    url: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    # ``*``, exact types (``order.placed``) or prefixes (``order.*``).
    event_types: Annotated[list[EventPattern], msgspec.Meta(min_length=1, max_length=50)]
    description: Annotated[str, msgspec.Meta(max_length=200)] | None = None
