"""The context a unit of work runs in: one connection, one instant, one event buffer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from omniloom.services.kernel import event_policy
from omniloom.services.kernel.context import NO_CONTEXT, TouchContext
from omniloom.services.kernel.ids import IdFactory
from omniloom.store.rows import EventRow


class Unit:
    """Handed to every service function that changes state.

    ``now`` is read from the injected clock once, when the unit starts, so every row and event
    the unit writes carries the same instant. Events are buffered and appended in one statement
    when the unit's work is done, inside the same transaction, under the rules of
    :mod:`omniloom.services.kernel.event_policy`; each carries the touchpoint fields (device,
    session, campaign) of the request that caused it. Emitting does no I/O.

    What the process should remember once the unit's writes have committed (a cart as the unit
    left it) is handed to ``after_commit``; nothing of it happens if the unit fails or runs
    again.
    """

    __slots__ = ("channel", "committed", "conn", "context", "events", "ids", "now")

    def __init__(
        self,
        conn: Connection,
        now: datetime,
        ids: IdFactory,
        channel: str,
        context: TouchContext = NO_CONTEXT,
    ) -> None:
        self.conn = conn
        self.now = now
        self.ids = ids
        self.channel = channel
        self.context = context
        self.events: list[EventRow] = []
        self.committed: list[Callable[[], None]] = []

    def after_commit(self, remember: Callable[[], None]) -> None:
        self.committed.append(remember)

    def emit(
        self,
        event_type: str,
        *,
        customer_id: str | None = None,
        cart_id: str | None = None,
        order_id: str | None = None,
        product_id: str | None = None,
        value: int | None = None,
        **data: Any,
    ) -> None:
        self.events.append(
            {
                "id": self.ids.new("evt"),
                "type": event_type,
                "occurred_at": self.now,
                "channel": self.channel,
                "customer_id": customer_id,
                "cart_id": cart_id,
                "order_id": order_id,
                "data": data,
                "device_id": self.context.device_id,
                "session_id": None,  # the device's visit, stamped by the event policy
                "product_id": product_id,
                "sku": data.get("sku"),
                "location_id": data.get("location_id"),
                "value": value,
                "campaign": self.context.campaign,
                "consent": None,
            }
        )

    def flush_events(self) -> None:
        """Hand the buffered events to the event log's policy; called once the work is done."""
        event_policy.record(self)
        self.events = []
