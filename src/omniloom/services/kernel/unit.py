"""The context a unit of work runs in: one connection, one instant, one event buffer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from omniloom.domain.ids import IdFactory
from omniloom.services.kernel import tracking
from omniloom.services.kernel.context import NO_CONTEXT, SESSION_IDLE, TouchContext
from omniloom.store import customer_data_queries, event_log, session_queries


class Unit:
    """Handed to every service function that changes state.

    ``now`` is read from the injected clock once, when the unit starts, so every row and event
    the unit writes carries the same instant. Events are buffered and appended in one statement
    when the unit's work is done, inside the same transaction; each carries the touchpoint
    fields (device, session, campaign) of the request that caused it.
    """

    __slots__ = ("_session_id", "channel", "conn", "context", "events", "ids", "now")

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
        self.events: list[dict[str, Any]] = []
        self._session_id: str | None = None

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
                "session_id": self.session_id(),
                "product_id": product_id,
                "sku": data.get("sku"),
                "location_id": data.get("location_id"),
                "value": value,
                "campaign": self.context.campaign,
                "consent": None,
            }
        )

    def session_id(self) -> str | None:
        """The device's current visit, starting a new one after 30 idle minutes."""
        device_id = self.context.device_id
        if device_id is None:
            return None
        if self._session_id is None:
            current = session_queries.current(self.conn, device_id)
            if current is not None and self.now - current[1] <= SESSION_IDLE:
                self._session_id = current[0]
                session_queries.seen(self.conn, device_id, self.now)
            else:
                self._session_id = self.ids.new("ses")
                session_queries.start(
                    self.conn, device_id, self._session_id, self.now, known=current is not None
                )
        return self._session_id

    def flush_events(self) -> None:
        self.events = tracking.tracked(self.conn, self.events)
        # Each touchpoint keeps what its customer had agreed to at that moment.
        snapshots: dict[str, dict[str, bool]] = {}
        for event in self.events:
            customer_id = event["customer_id"]
            if customer_id is not None:
                if customer_id not in snapshots:
                    snapshots[customer_id] = customer_data_queries.consents(self.conn, customer_id)
                event["consent"] = snapshots[customer_id] or None
        event_log.append(self.conn, self.events)
        # A device seen with a known customer: its earlier anonymous touchpoints are theirs.
        stitched = {
            (event["device_id"], event["customer_id"])
            for event in self.events
            if event["device_id"] is not None and event["customer_id"] is not None
        }
        for device_id, customer_id in stitched:
            event_log.stitch(self.conn, device_id, customer_id)
        self.events = []
