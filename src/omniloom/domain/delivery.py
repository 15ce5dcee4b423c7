"""The channel simulators: how long each channel takes, and the recipients that fail on purpose.

A message's delivery is planned when it is queued (sent after a moment, delivered or failed a
little later), so its state is simply read against the simulated clock. The magic recipients
follow Twilio's test numbers and Amazon SES's mailbox simulator, so a client's error handling
can be provoked without a real carrier.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

# Twilio's magic "To" numbers.
INVALID_NUMBER = "+15005550001"
UNROUTABLE_NUMBER = "+15005550002"
BLOCKED_NUMBER = "+15005550004"
NO_SMS_NUMBER = "+15005550009"
# A number whose phone has no RCS: an RCS message to it goes out as SMS instead.
NO_RCS_NUMBER = "+15005550020"
# Amazon SES's mailbox simulator.
BOUNCE_EMAIL = "bounce@simulator.amazonses.com"
COMPLAINT_EMAIL = "complaint@simulator.amazonses.com"
# A device registered without a push token has nothing to send to: the push fails.
NO_PUSH_TOKEN = ""

FAILING_RECIPIENTS: dict[str, str] = {
    INVALID_NUMBER: "invalid_number",
    UNROUTABLE_NUMBER: "unroutable_number",
    BLOCKED_NUMBER: "blocked_number",
    NO_SMS_NUMBER: "not_sms_capable",
    BOUNCE_EMAIL: "bounced",
    COMPLAINT_EMAIL: "complained",
    NO_PUSH_TOKEN: "no_push_token",
}

# Seconds from queued to sent and from queued to delivered, per channel.
TIMINGS: dict[str, tuple[int, int]] = {
    "email": (1, 10),
    "sms": (1, 3),
    "rcs": (1, 2),
    "push": (1, 1),
    "social": (1, 60),
}

STATUSES = ("queued", "sent", "delivered", "failed", "opened", "clicked")


class Plan(msgspec.Struct, frozen=True):
    sent_at: datetime
    delivered_at: datetime | None
    failed_at: datetime | None
    reason: str | None


def plan(channel: str, recipient: str, queued_at: datetime) -> Plan:
    sent, delivered = TIMINGS[channel]
    sent_at = queued_at + timedelta(seconds=sent)
    failure = FAILING_RECIPIENTS.get(recipient)
    if failure is not None:
        return Plan(sent_at, None, sent_at, failure)
    return Plan(sent_at, queued_at + timedelta(seconds=delivered), None, None)


def rcs_capable(phone: str) -> bool:
    return phone != NO_RCS_NUMBER


class Moments(msgspec.Struct, frozen=True):
    queued_at: datetime
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    failed_at: datetime | None = None
    opened_at: datetime | None = None
    clicked_at: datetime | None = None


def history(moments: Moments, now: datetime) -> list[tuple[str, datetime]]:
    """The states a message has passed through by ``now``, in order."""
    steps = [
        ("queued", moments.queued_at),
        ("sent", moments.sent_at),
        ("delivered", moments.delivered_at),
        ("failed", moments.failed_at),
        ("opened", moments.opened_at),
        ("clicked", moments.clicked_at),
    ]
    return [(status, at) for status, at in steps if at is not None and at <= now]


def status(moments: Moments, now: datetime) -> str:
    return history(moments, now)[-1][0]
