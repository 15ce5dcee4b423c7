"""Webhooks per the Standard Webhooks spec: signatures, the retry schedule, subscriptions.

A delivery carries ``webhook-id`` (the same on every retry, so receivers can drop duplicates),
``webhook-timestamp`` (Unix seconds of this attempt) and ``webhook-signature``: ``v1,`` and the
base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}`` under the key the ``whsec_`` secret encodes;
while a rotated secret is still honoured, a signature under each, space-separated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import timedelta
from urllib.parse import urlsplit

SECRET_PREFIX = "whsec_"

# When each attempt is made, counted from the one before: immediately, then 5 s, 5 min,
# 30 min, 2 h, 5 h, 10 h, 10 h (the schedule Svix popularised). Bounded: after the last one
# the delivery is ``failed`` and waits for a replay, so a dead receiver never causes a storm.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS)

_EVENT_PATTERN = re.compile(r"^(\*|[a-z_]+(\.[a-z_]+)*(\.\*)?)$")


def secret_text(key: bytes) -> str:
    return SECRET_PREFIX + base64.b64encode(key).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signatures(secrets: list[str], webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header: one ``v1,…`` per secret in use, space-separated."""
    return " ".join(signature(secret, webhook_id, timestamp, body) for secret in secrets)


def verify(secret: str, webhook_id: str, timestamp: int, body: bytes, header: str) -> bool:
    """What a receiver does: any of the header's ``v1`` signatures matches, in constant time."""
    expected = signature(secret, webhook_id, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in header.split(" "))


def next_attempt_delay(attempts_made: int) -> timedelta | None:
    """How long after attempt number ``attempts_made`` the next one is due; None when spent."""
    if attempts_made >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[attempts_made]


def valid_event_pattern(pattern: str) -> bool:
    """``*``, an exact type (``order.placed``) or a prefix (``order.*``)."""
    return bool(_EVENT_PATTERN.match(pattern))


def subscribed(patterns: list[str], event_type: str) -> bool:
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def url_problem(url: str) -> str | None:
    """Why a URL cannot receive webhooks, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "must be an http or https URL"
    if not parts.hostname:
        return "must name a host"
    return None
