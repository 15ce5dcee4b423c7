"""What other server processes changed, heard over PostgreSQL's LISTEN/NOTIFY.

A unit of work that touches cached keys (a SKU's stock, a promotion: store.changes) sends one
NOTIFY with them inside its own transaction, in the statement that carries its held-back writes
(store/pg_lane.py), so PostgreSQL delivers it exactly when the change commits and never for a
change rolled back. Every process LISTENs on one connection of its own and tells its caches to
forget what others changed; its own changes it tells them at once, after COMMIT.

Between a commit and the notice reaching another process lies the time PostgreSQL takes to
wake the listener (well under a millisecond on one machine); a read that overlapped a notice is
not kept (the caches compare an epoch before and after they read). If the listening connection
is lost, every cache forgets everything and the next unit of work listens again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg
import msgspec

from omniloom.store import changes

CHANNEL = "omniloom_changes"
# NOTIFY payloads must stay under 8,000 bytes; a unit touching more sends several.
_PAYLOAD_BYTES = 7_000
log = logging.getLogger(__name__)


def payloads(touched: changes.Touched) -> list[str]:
    """The notices for ``touched``: JSON lists of [kind, key], each under the size limit."""
    found: list[str] = []
    batch: list[tuple[str, str]] = []
    size = 2
    for item in sorted(touched):
        item_size = len(item[0]) + len(item[1]) + 8
        if batch and size + item_size > _PAYLOAD_BYTES:
            found.append(msgspec.json.encode(batch).decode())
            batch, size = [], 2
        batch.append(item)
        size += item_size
    if batch:
        found.append(msgspec.json.encode(batch).decode())
    return found


def _touched(payload: str) -> changes.Touched:
    try:
        return {(str(kind), str(key)) for kind, key in msgspec.json.decode(payload)}
    except (msgspec.DecodeError, TypeError, ValueError):
        return {(changes.EVERYTHING, "")}


class ChangeFeed:
    """One LISTENing connection per process."""

    def __init__(self, dsn: str, announce: Callable[[changes.Touched], None]) -> None:
        self._dsn = dsn
        self._announce = announce
        self._connection: Any = None
        self._starting: asyncio.Task[None] | None = None

    async def listening(self) -> None:
        """Make sure this process listens (started once, again after the connection is lost)."""
        if self._connection is not None and not self._connection.is_closed():
            return
        if self._starting is None or self._starting.done():
            self._starting = asyncio.ensure_future(self._listen())
        await asyncio.shield(self._starting)

    async def _listen(self) -> None:
        connection = await asyncpg.connect(self._dsn)
        await connection.add_listener(CHANNEL, self._heard)
        connection.add_termination_listener(self._lost)
        self._connection = connection

    def _heard(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        self._announce(_touched(payload))

    def _lost(self, _connection: Any) -> None:
        # Notices may have been missed: nothing cached can be trusted any more.
        log.warning("lost the change feed's connection; caches start afresh")
        self._connection = None
        self._announce({(changes.EVERYTHING, "")})

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.remove_termination_listener(self._lost)  # closing is not losing
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)
