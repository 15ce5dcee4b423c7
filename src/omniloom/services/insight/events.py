"""Reading the event log back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection

from omniloom.services.kernel.runtime import Runtime
from omniloom.store import event_log


class EventView(msgspec.Struct, frozen=True):
    seq: int
    id: str
    type: str
    occurred_at: datetime
    channel: str | None
    customer_id: str | None
    cart_id: str | None
    order_id: str | None
    data: dict[str, Any]
    device_id: str | None = None
    session_id: str | None = None
    product_id: str | None = None
    sku: str | None = None
    location_id: str | None = None
    value: int | None = None
    campaign: dict[str, str] | None = None
    consent: dict[str, Any] | None = None


class EventPage(msgspec.Struct, frozen=True):
    items: list[EventView]
    next_after: int


async def read_events(
    runtime: Runtime,
    *,
    after: int,
    limit: int,
    event_type: str | None = None,
    cart_id: str | None = None,
    order_id: str | None = None,
) -> EventPage:
    def work(conn: Connection) -> EventPage:
        rows = event_log.read(
            conn,
            after_seq=after,
            limit=limit,
            event_type=event_type,
            cart_id=cart_id,
            order_id=order_id,
        )
        items = [EventView(**dict(row)) for row in rows]
        return EventPage(items=items, next_after=items[-1].seq if items else after)

    return await runtime.read(work)
