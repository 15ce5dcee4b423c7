"""Reading the outbox the way a test mailbox (Mailpit, MailHog) is read: list, search, one, wait,
clear."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import Connection

from omniloom.domain.errors import NotFound
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.messaging.outbox import MessagePage, MessageView, view
from omniloom.store import outbox_queries

# How often a waiting request looks again, in wall-clock seconds (waiting advances nothing).
WAIT_POLL_SECONDS = 0.05
MAX_WAIT_SECONDS = 30.0


async def search(
    runtime: Runtime, *, after: int = 0, limit: int = 100, **filters: str | None
) -> MessagePage:
    def work(conn: Connection) -> MessagePage:
        now = runtime.clock.now()
        rows = outbox_queries.search(conn, after=after, limit=limit, **filters)
        items = [view(row, now) for row in rows]
        return MessagePage(items, items[-1].seq if items else after)

    return await runtime.read(work)


async def read(runtime: Runtime, message_id: str) -> MessageView:
    def work(conn: Connection) -> MessageView:
        row = outbox_queries.message(conn, message_id)
        if row is None:
            raise NotFound(f"There is no message {message_id!r}.")
        return view(row, runtime.clock.now())

    return await runtime.read(work)


async def wait(
    runtime: Runtime, *, after: int, timeout: float, **filters: str | None
) -> MessageView | None:
    """The first message after ``after`` matching the filters, waiting up to ``timeout`` wall
    seconds for one to be written; None when none came. The simulated clock is not moved."""
    deadline = time.monotonic() + min(timeout, MAX_WAIT_SECONDS)
    while True:
        page = await search(runtime, after=after, limit=1, **filters)
        if page.items:
            return page.items[0]
        if time.monotonic() >= deadline:
            return None
        await asyncio.sleep(WAIT_POLL_SECONDS)


def clear(unit: Unit) -> int:
    return outbox_queries.clear(unit.conn)
