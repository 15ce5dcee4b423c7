"""The sans-IO journey protocol: a journey is a generator that yields the HTTP calls it wants
made and receives each reply; it never touches a socket, so locust, a test client or the
scenario engine can drive the same journey.

HttpCall and HttpReply are the scenario engine's own (omniloom.scenarios.protocol), so the kit's
driver runs the engine's journeys as they are; the kit adds what a load needs beside them.
"""

from __future__ import annotations

from collections.abc import Generator

import msgspec

from omniloom.scenarios.protocol import HttpCall, HttpReply

__all__ = ["ExpectationFailed", "HttpCall", "HttpReply", "Journey", "Pause", "SoftFailure"]


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
