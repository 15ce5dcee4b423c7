"""The sans-IO journey protocol: a journey is a generator that yields the HTTP calls it wants
made and receives each reply; it never touches a socket, so locust, a test client or the
scenario engine can drive the same journey.

The shapes match ``omniloom.scenarios.journey`` (HttpCall, HttpReply), so the kit's driver runs
the scenario engine's journeys as they are.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import msgspec


class HttpCall(msgspec.Struct, frozen=True):
    method: str
    path: str
    headers: dict[str, str] = {}
    json: Any = None
    # How the call is reported (locust's request name): the route, not the ids in the path.
    name: str | None = None


class HttpReply(msgspec.Struct, frozen=True):
    status: int
    headers: dict[str, str]
    json: Any = None


class ExpectationFailed(Exception):
    """A reply the journey did not expect (a hard expectation): it fails the request it answers
    and ends the journey."""


class SoftFailure(msgspec.Struct, frozen=True):
    """Yielded after a reply that missed a soft expectation: that request counts as failed and
    the journey goes on (the driver sends back None)."""

    message: str


class Pause(msgspec.Struct, frozen=True):
    """Yielded to let wall time pass before the next call (a scenario's `wait` on a clock that
    runs compressed); the driver sends back None."""

    seconds: float


Journey = Generator[HttpCall | SoftFailure | Pause, HttpReply | None, None]
