"""Running a sans-IO journey over any transport, and noticing the orders the store acknowledged.

The transport is a callable that makes one call and reports it; the driver hands the reply to the
journey inside that report, so a failed expectation fails the very request it was about.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from omniloom.loadkit.protocol import (
    ExpectationFailed,
    HttpCall,
    HttpReply,
    Journey,
    Pause,
    SoftFailure,
)


class Outcome(Protocol):
    """What the transport lets the driver say about the request it just made."""

    def success(self) -> None: ...

    def failure(self, message: str) -> None: ...


# Makes the call, then calls `judge(reply, outcome)` while the request is still being reported.
Judge = Callable[[HttpReply, Outcome], None]
Transport = Callable[[HttpCall, Judge], None]


def acknowledged_order(call: HttpCall, reply: HttpReply) -> str | None:
    """The id of an order the store said it placed (checkout, a till's payment, a social order)."""
    if call.method != "POST" or not 200 <= reply.status < 300 or not isinstance(reply.json, dict):
        return None
    for field in ("order_id", "id"):
        value: Any = reply.json.get(field)
        if isinstance(value, str) and value.startswith("ord_"):
            return value
    return None


class _Run:
    def __init__(
        self, journey: Journey, on_order: Callable[[str], None], pause: Callable[[float], None]
    ) -> None:
        self.journey = journey
        self.on_order = on_order
        self.pause = pause
        self.call: HttpCall | None = None
        self.ok = True

    def advance(self, reply: HttpReply | None) -> list[str]:
        """Send the reply; keep the journey's next call; return the soft failures it yielded."""
        soft = []
        try:
            item = self.journey.send(reply) if reply is not None else next(self.journey)
            while isinstance(item, SoftFailure | Pause):
                if isinstance(item, Pause):
                    self.pause(item.seconds)
                else:
                    soft.append(item.message)
                item = self.journey.send(None)
        except StopIteration:
            item = None
        self.call = item
        return soft

    def judge(self, reply: HttpReply, outcome: Outcome) -> None:
        assert self.call is not None
        if reply.status == 0 or reply.status >= 500:
            outcome.failure(f"{reply.status or 'no answer'}: {_problem(reply)}")
            self.stop()
            return
        order = acknowledged_order(self.call, reply)
        if order is not None:
            self.on_order(order)
        try:
            soft = self.advance(reply)
        except ExpectationFailed as failed:
            outcome.failure(str(failed))
            self.stop()
            return
        if soft:
            outcome.failure("; ".join(soft))
        else:
            outcome.success()

    def stop(self) -> None:
        self.ok, self.call = False, None
        self.journey.close()


def drive(
    journey: Journey,
    transport: Transport,
    on_order: Callable[[str], None],
    pause: Callable[[float], None] = lambda seconds: None,
) -> bool:
    """Run `journey` to its end; False when a hard failure (or a server error) stopped it.
    `pause(seconds)` lets wall time pass when the journey asks (a load generator sleeps)."""
    run = _Run(journey, on_order, pause)
    run.advance(None)
    while run.call is not None:
        transport(run.call, run.judge)
    return run.ok


def _problem(reply: HttpReply) -> str:
    if isinstance(reply.json, dict):
        return str(reply.json.get("code") or reply.json.get("detail") or reply.json)
    return "no problem document"
