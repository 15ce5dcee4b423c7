"""Touchpoints: interactions that change nothing (views, searches), and reading them back.

Changes record their own touchpoints as events in the same transaction. Looking and searching
change nothing, so they are recorded here, and only when the request can ever be placed on a
journey (it names a device): anonymous, device-less traffic would only fill the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection

from omniloom.services.insight.events import EventView
from omniloom.services.kernel.context import TouchContext
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.store import event_log


async def record_view(
    runtime: Runtime, channel: str, context: TouchContext, product_id: str
) -> None:
    if context.attributable:
        await runtime.write(
            lambda unit: unit.emit("catalog.product_viewed", product_id=product_id),
            channel,
            context,
        )


async def record_search(
    runtime: Runtime,
    channel: str,
    context: TouchContext,
    query: str | None,
    category_id: str | None,
    results: int,
) -> None:
    if context.attributable and (query or category_id):

        def work(unit: Unit) -> None:
            unit.emit("catalog.searched", query=query, category_id=category_id, results=results)

        await runtime.write(work, channel, context)


class Journey(msgspec.Struct, frozen=True):
    customer_id: str
    touchpoints: list[EventView]
    channels: list[str]
    devices: list[str]


class TouchpointPage(msgspec.Struct, frozen=True):
    items: list[EventView]
    next_cursor: int | None


async def journey(runtime: Runtime, customer_id: str, limit: int = 10_000) -> Journey:
    """Every touchpoint of one customer across devices and channels, in the order they came."""

    def work(conn: Connection) -> Journey:
        events = [EventView(**row) for row in event_log.for_customer(conn, customer_id, limit)]
        return Journey(
            customer_id=customer_id,
            touchpoints=events,
            channels=sorted({e.channel for e in events if e.channel}),
            devices=sorted({e.device_id for e in events if e.device_id}),
        )

    return await runtime.read(work)


async def list_touchpoints(
    runtime: Runtime,
    *,
    after: int,
    limit: int,
    customer_id: str | None,
    channel: str | None,
    event_type: str | None,
    since: datetime | None,
    until: datetime | None,
) -> TouchpointPage:
    def work(conn: Connection) -> TouchpointPage:
        rows = event_log.touchpoints(
            conn,
            after_seq=after,
            limit=limit + 1,
            customer_id=customer_id,
            channel=channel,
            event_type=event_type,
            since=since,
            until=until,
        )
        items = [EventView(**row) for row in rows[:limit]]
        return TouchpointPage(items, items[-1].seq if len(rows) > limit else None)

    return await runtime.read(work)


def export_rows(conn: Connection, page_size: int = 5_000) -> Iterator[list[dict[str, Any]]]:
    """The whole journal in pages, oldest first, for exports."""
    after = 0
    while True:
        rows = event_log.touchpoints(conn, after_seq=after, limit=page_size)
        if not rows:
            return
        yield [dict(row) for row in rows]
        after = rows[-1]["seq"]
