"""What each customer agreed to per messaging channel, changed by them, an admin, or a reply."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from sqlalchemy import Connection

from omniloom.domain.errors import FieldError, InvalidInput, NotFound
from omniloom.domain.identity import IdentifierKind, normalise
from omniloom.domain.messaging import (
    ConsentState,
    MessagingChannel,
    inbound_consent,
    may_track,
)
from omniloom.services.kernel.unit import Unit
from omniloom.services.messaging.commands import InboundMessage, MessagingChange
from omniloom.store import identity_queries, messaging_queries

# Quiet hours are read in this zone until the shopper names theirs.
DEFAULT_TIMEZONE = "UTC"


class ChannelConsent(msgspec.Struct, frozen=True):
    channel: MessagingChannel
    state: ConsentState
    # Where and when it was given; absent for a channel never answered.
    source: str | None = None
    given_at: datetime | None = None


class MessagingSettings(msgspec.Struct, frozen=True):
    customer_id: str
    timezone: str
    consents: list[ChannelConsent]
    # Whether the shopper's behaviour is recorded: yes unless they answered no for tracking.
    tracked: bool


class InboundResult(msgspec.Struct, frozen=True):
    customer_id: str | None
    channel: MessagingChannel
    # The state the reply set, or None when it was not a keyword (or the sender is unknown).
    state: ConsentState | None


def _known(conn: Connection, customer_id: str) -> None:
    if identity_queries.customer(conn, customer_id) is None:
        raise NotFound(f"There is no customer {customer_id!r}.")


def settings_of(conn: Connection, customer_id: str) -> MessagingSettings:
    stored = {row["channel"]: row for row in messaging_queries.consents(conn, customer_id)}
    consents = []
    for channel in MessagingChannel:
        row = stored.get(channel.value)
        consents.append(
            ChannelConsent(channel, ConsentState.NOT_SUBSCRIBED)
            if row is None
            else ChannelConsent(channel, ConsentState(row["state"]), row["source"], row["given_at"])
        )
    zone = messaging_queries.timezone(conn, customer_id) or DEFAULT_TIMEZONE
    tracking = stored.get(MessagingChannel.TRACKING.value)
    tracked = tracking is None or may_track(ConsentState(tracking["state"]))
    return MessagingSettings(customer_id, zone, consents, tracked)


def read_settings(conn: Connection, customer_id: str) -> MessagingSettings:
    _known(conn, customer_id)
    return settings_of(conn, customer_id)


def _checked_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            f"{name!r} is not an IANA time zone (e.g. America/New_York).",
            errors=[FieldError("timezone", "unknown time zone")],
        ) from exc
    return name


def set_state(
    unit: Unit, customer_id: str, channel: MessagingChannel, state: ConsentState, source: str
) -> None:
    messaging_queries.set_consent(unit.conn, customer_id, channel, state, source, unit.now)
    if channel is MessagingChannel.TRACKING:
        if not may_track(state):
            devices = messaging_queries.devices_of(unit.conn, customer_id)
            messaging_queries.refuse_tracking(unit.conn, customer_id, [customer_id, *devices])
        else:
            messaging_queries.allow_tracking(unit.conn, customer_id)
    unit.emit(
        "messaging.consent_changed",
        customer_id=customer_id,
        messaging_channel=channel.value,
        state=state.value,
        source=source,
    )


def change_settings(unit: Unit, customer_id: str, change: MessagingChange) -> MessagingSettings:
    _known(unit.conn, customer_id)
    zone = None if change.timezone is None else _checked_zone(change.timezone)
    if zone is not None:
        messaging_queries.set_timezone(unit.conn, customer_id, zone)
    for channel, given in change.consents.items():
        set_state(unit, customer_id, channel, given.state, given.source or unit.channel)
    return settings_of(unit.conn, customer_id)


REPLY_CHANNELS = (MessagingChannel.SMS, MessagingChannel.RCS, MessagingChannel.EMAIL)


def apply_inbound(unit: Unit, message: InboundMessage) -> InboundResult:
    """``STOP`` unsubscribes the sender from the channel it replied on; ``START`` resubscribes."""
    if message.channel not in REPLY_CHANNELS:
        raise InvalidInput(
            "Replies come in on sms, rcs or email.",
            errors=[FieldError("channel", "not a channel shoppers reply on")],
        )
    kind = (
        IdentifierKind.EMAIL if message.channel is MessagingChannel.EMAIL else IdentifierKind.PHONE
    )
    sender = normalise(kind, message.sender, "from")
    customer_id = identity_queries.identifier_owner(unit.conn, kind.value, sender)
    state = inbound_consent(message.text)
    if customer_id is None or state is None:
        return InboundResult(customer_id, message.channel, None)
    set_state(unit, customer_id, message.channel, state, f"{message.channel} reply")
    return InboundResult(customer_id, message.channel, state)
