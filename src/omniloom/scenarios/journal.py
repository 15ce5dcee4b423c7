"""The touchpoint journal a run leaves: the event log's new entries, read back over HTTP.

Reading is sans-IO like the journey (a generator of HttpCalls), so in-process and remote runs
collect the journal the same way. Encoded as JSON Lines with sorted keys, so the same events are
the same bytes, and a journal's sha256 says whether two runs did exactly the same thing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator
from typing import Any

import msgspec

from omniloom.scenarios.access import DEMO_KEYS
from omniloom.scenarios.protocol import HttpCall, HttpReply

PAGE = 1000

Reading = Generator[HttpCall, HttpReply, list[dict[str, Any]]]


class JournalError(Exception):
    """The event log could not be read, or the store reset (an admin key is needed)."""


def read_events(after: int = 0, admin_key: str = DEMO_KEYS["admin"]) -> Reading:
    """Every event after sequence number ``after``, in order."""
    events: list[dict[str, Any]] = []
    while True:
        reply = yield HttpCall(
            "GET",
            f"/v1/admin/events?after={after}&limit={PAGE}",
            {"X-API-Key": admin_key},
            None,
            "journal",
        )
        if reply.status != 200:
            raise JournalError(f"reading the event log answered {reply.status}: {reply.json}")
        items = reply.json["items"]
        events.extend(items)
        if len(items) < PAGE:
            return events
        after = items[-1]["seq"]


def last_seq(admin_key: str = DEMO_KEYS["admin"]) -> Generator[HttpCall, HttpReply, int]:
    """Where the event log stands now, so a run's journal holds only what the run did."""
    events = yield from read_events(0, admin_key)
    return int(events[-1]["seq"]) if events else 0


def reset_store(admin_key: str = DEMO_KEYS["admin"]) -> Generator[HttpCall, HttpReply, None]:
    """Put a running server's store back to its seeded state (data, clock, id sequence)."""
    reply = yield HttpCall("POST", "/v1/admin/reset", {"X-API-Key": admin_key}, None, "reset")
    if reply.status != 200:
        raise JournalError(f"resetting the store answered {reply.status}: {reply.json}")


def encode(events: list[dict[str, Any]]) -> bytes:
    return b"".join(msgspec.json.encode(_sorted(event)) + b"\n" for event in events)


def digest(journal: bytes) -> str:
    return hashlib.sha256(journal).hexdigest()


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value
