"""The messages between a journey and whatever carries its HTTP: the sans-IO boundary.

A journey yields ``HttpCall`` and is sent back an ``HttpReply``; it never touches a socket, an
event loop or a clock of its own. Runners (in-process ASGI, remote httpx, a locust user) only
translate these two types, so they stay small and agree by construction.
"""

from __future__ import annotations

from typing import Any

import msgspec


class HttpCall(msgspec.Struct, frozen=True):
    """One request. ``path`` carries its query string already; ``name`` groups calls in load
    statistics (the action, not the URL, so ``/v1/carts/{id}`` is one row, not thousands)."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any = None
    name: str = ""


class HttpReply(msgspec.Struct, frozen=True):
    """One response: its status, headers (lower-case names) and JSON body (None if not JSON)."""

    status: int
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    json: Any = None
