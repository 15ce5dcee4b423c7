"""The context a unit of work runs in: one connection, one instant, one event buffer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from omniloom.domain.ids import IdFactory
from omniloom.store import event_log


class Unit:
    """Handed to every service function that changes state.

    ``now`` is read from the injected clock once, when the unit starts, so every row and event
    the unit writes carries the same instant. Events are buffered and appended in one statement
    when the unit's work is done, inside the same transaction.
    """

    __slots__ = ("channel", "conn", "events", "ids", "now")

    def __init__(self, conn: Connection, now: datetime, ids: IdFactory, channel: str) -> None:
        self.conn = conn
        self.now = now
        self.ids = ids
        self.channel = channel
        self.events: list[dict[str, Any]] = []

    def emit(
        self,
        event_type: str,
        *,
        customer_id: str | None = None,
        cart_id: str | None = None,
        order_id: str | None = None,
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
            }
        )

    def flush_events(self) -> None:
        event_log.append(self.conn, self.events)
        self.events = []
