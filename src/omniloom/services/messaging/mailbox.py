"""Reading the outbox the way a test mailbox (Mailpit, MailHog) is read: list, search, one, wait,
follow as a stream, clear."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import msgspec
from sqlalchemy import Connection

from omniloom.domain.errors import NotFound
from omniloom.services.kernel.runtime import Runtime
from omniloom.services.kernel.unit import Unit
from omniloom.services.messaging.outbox import MessagePage, MessageView, view
from omniloom.store import outbox_queries

# How often a waiting request looks again, in wall-clock seconds (waiting advances nothing).
WAIT_POLL_SECONDS = 0.05
MAX_WAIT_SECONDS = 30.0
# As long as a long poll: a client that wants to follow on opens the next stream with ``after``.
MAX_STREAM_SECONDS = 30.0
# Statuses after which a message changes no more.
FINAL = frozenset({"failed", "suppressed", "clicked"})


class MessageFilter(msgspec.Struct, frozen=True):
    """Which messages a list, a wait or a stream is about: every field given must match."""

    recipient: str | None = None
    channel: str | None = None
    campaign: str | None = None
    kind: str | None = None
    customer_id: str | None = None
    cart_id: str | None = None
    product_id: str | None = None
    outcome: str | None = None
    reason: str | None = None


EVERY_MESSAGE = MessageFilter()


class StreamEvent(msgspec.Struct, frozen=True):
    # "message": newly in the outbox; "status": a message seen on this stream moved on.
    event: str
    message: MessageView


async def search(
    runtime: Runtime, filters: MessageFilter = EVERY_MESSAGE, *, after: int = 0, limit: int = 100
) -> MessagePage:
    def work(conn: Connection) -> MessagePage:
        now = runtime.clock.now()
        rows = outbox_queries.search(
            conn, after=after, limit=limit, **msgspec.structs.asdict(filters)
        )
        items = [view(row, now) for row in rows]
        return MessagePage(items, items[-1].seq if items else after)

    return await runtime.read(work)


async def last_seq(runtime: Runtime) -> int:
    return await runtime.read(outbox_queries.last_seq)


async def read(runtime: Runtime, message_id: str) -> MessageView:
    def work(conn: Connection) -> MessageView:
        row = outbox_queries.message(conn, message_id)
        if row is None:
            raise NotFound(f"There is no message {message_id!r}.")
        return view(row, runtime.clock.now())

    return await runtime.read(work)


async def wait(
    runtime: Runtime, filters: MessageFilter, *, after: int, timeout: float
) -> MessageView | None:
    """The first message after ``after`` matching the filters, waiting up to ``timeout`` wall
    seconds for one to be written; None when none came. The simulated clock is not moved."""
    deadline = time.monotonic() + min(timeout, MAX_WAIT_SECONDS)
    while True:
        page = await search(runtime, filters, after=after, limit=1)
        if page.items:
            return page.items[0]
        if time.monotonic() >= deadline:
            return None
        await asyncio.sleep(WAIT_POLL_SECONDS)


async def follow(
    runtime: Runtime, filters: MessageFilter, *, after: int, timeout: float, max_events: int
) -> AsyncIterator[StreamEvent]:
    """Matching messages as they are written after ``after``, then each time one of them moves
    on (sent, delivered, failed, opened, clicked) as the simulated clock advances; ends after
    ``max_events`` events or ``timeout`` wall seconds, so a reader can never hang on it."""
    deadline = time.monotonic() + min(timeout, MAX_STREAM_SECONDS)
    watched: dict[str, str] = {}
    sent = 0
    while sent < max_events:
        page = await search(runtime, filters, after=after, limit=max_events - sent)
        after = page.last_seq
        moved = await _moved(runtime, watched)
        for event in [StreamEvent("message", m) for m in page.items] + moved:
            if event.message.status not in FINAL:
                watched[event.message.id] = event.message.status
            else:
                watched.pop(event.message.id, None)
            yield event
            sent += 1
            if sent >= max_events:
                return
        if time.monotonic() >= deadline:
            return
        await asyncio.sleep(WAIT_POLL_SECONDS)


async def _moved(runtime: Runtime, watched: dict[str, str]) -> list[StreamEvent]:
    """Status events for the watched messages whose status changed since last told."""
    if not watched:
        return []

    def work(conn: Connection) -> list[MessageView]:
        now = runtime.clock.now()
        return [view(row, now) for row in outbox_queries.messages_by_id(conn, sorted(watched))]

    current = await runtime.read(work)
    return [StreamEvent("status", m) for m in current if m.status != watched.get(m.id)]


def clear(unit: Unit) -> int:
    return outbox_queries.clear(unit.conn)
