"""What other server processes changed, heard over PostgreSQL's LISTEN/NOTIFY.

A unit of work that touches cached keys (a SKU's stock, a promotion: store.changes) sends one
NOTIFY with them inside its own transaction, in the statement that carries its held-back writes
(store/pg_lane.py), so PostgreSQL delivers it exactly when the change commits and never for a
change rolled back. Every process LISTENs on one connection of its own and tells its caches to
forget what others changed; its own changes it tells them at once, after COMMIT. Each notice
names the process that sent it (``origin``), so a process skips its own when they come back:
telling its caches twice cost CPU on every write and, by moving the caches' epoch, threw away
reads that overlapped the echo.

Between a commit and the notice reaching another process lies the time PostgreSQL takes to
wake the listener (well under a millisecond on one machine); a read that overlapped a notice is
not kept (the caches compare an epoch before and after they read). If the listening connection
is lost, every cache forgets everything and the next unit of work listens again.

Some changes must be known everywhere before the request that made them answers: the simulated
clock's (a shopper's next request, to any process, is stamped with the time the tester just
set). Every process acknowledges such a notice on its listening connection once its listeners
have taken it in (``ACKNOWLEDGED``), and the process that made the change waits until every
listening connection on the database (pg_stat_activity, by application name) has
(``heard_everywhere``). A process that does not answer within ``ACK_TIMEOUT_SECONDS`` (stopped,
or dead without its connection closing yet) is not waited for any longer.

A notice can still be on its way when a client, told by one process that its purchase went
through, asks another for the product page: under load the listener is woken late. So a read
served from a cache first makes sure it has heard everything committed before it began
(``caught_up``): one round trip on the listening connection, after which PostgreSQL has sent
every pending notice (a listening session delivers them before it reports itself ready for the
next query) and asyncpg has handed them to the caches. Reads that arrive together share a round
trip that was sent after they arrived. A process that has never seen another listen on the
store skips it: it hears of its own changes at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

import asyncpg
import msgspec

from omniloom.store import changes, clock_queries

CHANNEL = "omniloom_changes"
# Where processes acknowledge the notices in ACKNOWLEDGED kinds: the payload is the key heard.
ACK_CHANNEL = "omniloom_heard"
ACKNOWLEDGED = frozenset({clock_queries.CLOCK})
# Every listening connection says what it is, so a process can tell how many must acknowledge.
FEED_NAME = "omniloom change feed"
# The notice a process sends when it starts listening (its key: the listening backend's pid),
# so those already listening learn they are no longer alone.
JOINED = "feed_joined"
ACK_TIMEOUT_SECONDS = 3.0
# Acknowledgements kept for keys nobody has waited for yet (a process hears every one).
_ACKS_KEPT = 64
# NOTIFY payloads must stay under 8,000 bytes; a unit touching more sends several.
_PAYLOAD_BYTES = 7_000
log = logging.getLogger(__name__)


def payloads(touched: changes.Touched, origin: str) -> list[str]:
    """The notices for ``touched`` sent by the process ``origin``: JSON lists of the origin
    followed by [kind, key] pairs, each under the size limit."""
    found: list[str] = []
    batch: list[str | tuple[str, str]] = [origin]
    size = start = len(origin) + 4
    for item in sorted(touched):
        item_size = len(item[0]) + len(item[1]) + 8
        if len(batch) > 1 and size + item_size > _PAYLOAD_BYTES:
            found.append(msgspec.json.encode(batch).decode())
            batch, size = [origin], start
        batch.append(item)
        size += item_size
    if len(batch) > 1:
        found.append(msgspec.json.encode(batch).decode())
    return found


def _heard_from(payload: str) -> tuple[str, changes.Touched]:
    """Who sent the notice and what it touched; a notice that cannot be read touches
    everything (from nobody, so every process forgets)."""
    try:
        origin, *items = msgspec.json.decode(payload)
        return str(origin), {(str(kind), str(key)) for kind, key in items}
    except (msgspec.DecodeError, TypeError, ValueError):
        return "", {(changes.EVERYTHING, "")}


# The listening connections of every process on this database.
_LISTENERS = (
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1"
)


class ChangeFeed:
    """One LISTENing connection per process."""

    def __init__(self, dsn: str, announce: Callable[[changes.Touched], None]) -> None:
        self._dsn = dsn
        self._announce = announce
        self._connection: Any = None
        self._starting: asyncio.Task[None] | None = None
        # One statement at a time on the listening connection (acknowledging, counting).
        self._talking = asyncio.Lock()
        self._acks: dict[str, set[int]] = {}
        self._acked = asyncio.Event()
        self._sending: set[asyncio.Task[None]] = set()
        # Whether another process may have changed what the caches hold (see caught_up).
        self.alone = True
        # Names this process in the notices it sends (payloads), so it can skip their echo.
        self.origin = secrets.token_hex(8)
        # The round trip under way (sent) and the one to send after it, for caught_up.
        self._round: asyncio.Future[None] | None = None
        self._next_round: asyncio.Future[None] | None = None

    async def listening(self) -> None:
        """Make sure this process listens (started once, again after the connection is lost)."""
        if self._connection is not None and not self._connection.is_closed():
            return
        if self._starting is None or self._starting.done():
            self._starting = asyncio.ensure_future(self._listen())
        await asyncio.shield(self._starting)

    async def _listen(self) -> None:
        connection = await asyncpg.connect(
            self._dsn, server_settings={"application_name": FEED_NAME}
        )
        await connection.add_listener(CHANNEL, self._heard)
        await connection.add_listener(ACK_CHANNEL, self._acknowledged)
        connection.add_termination_listener(self._lost)
        self._connection = connection
        (joined,) = payloads({(JOINED, str(connection.get_server_pid()))}, self.origin)
        await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, joined)
        # Whoever listened before this connection did is counted here; whoever starts later
        # says so (JOINED).
        if len(await connection.fetch(_LISTENERS, FEED_NAME)) > 1:
            self.alone = False

    def _heard(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        origin, touched = _heard_from(payload)
        if origin != self.origin:
            # Its own changes this process's caches heard of after COMMIT (PostgresDatabase).
            if any(kind == JOINED for kind, _key in touched):
                self.alone = False
            self._announce(touched)
        for kind, key in touched:
            # Acknowledged by every process, this one included (heard_everywhere waits for it).
            if kind in ACKNOWLEDGED:
                sending = asyncio.ensure_future(self._acknowledge(key))
                self._sending.add(sending)
                sending.add_done_callback(self._sending.discard)

    async def _acknowledge(self, key: str) -> None:
        with contextlib.suppress(Exception):  # a lost connection makes every cache forget
            async with self._talking:
                await self._connection.execute("SELECT pg_notify($1, $2)", ACK_CHANNEL, key)

    def _acknowledged(self, _connection: Any, pid: int, _channel: str, key: str) -> None:
        if key not in self._acks and len(self._acks) >= _ACKS_KEPT:
            del self._acks[next(iter(self._acks))]
        self._acks.setdefault(key, set()).add(pid)
        self._acked.set()

    async def heard_everywhere(self, key: str, timeout: float = ACK_TIMEOUT_SECONDS) -> bool:
        """Wait until every listening process has acknowledged the committed notice of ``key``
        (this one included); False if some did not within ``timeout`` seconds."""
        await self.listening()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        # Who listened when the change had committed; one that connects later reads it itself
        # (a process reads what its caches need after it starts to listen).
        waited_for: set[int] | None = None
        try:
            while True:
                self._acked.clear()
                async with self._talking:
                    rows = await self._connection.fetch(_LISTENERS, FEED_NAME)
                listening = {row[0] for row in rows}
                waited_for = listening if waited_for is None else waited_for & listening
                if waited_for <= self._acks.get(key, set()):
                    return True
                left = deadline - loop.time()
                if left <= 0:
                    log.warning("not every process acknowledged a change within %ss", timeout)
                    return False
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._acked.wait(), min(left, 0.1))
        finally:
            self._acks.pop(key, None)

    async def caught_up(self) -> None:
        """Return once every notice committed before the call has reached the caches."""
        await self.listening()
        if self.alone:
            return
        if self._round is None:
            self._round = round_trip = asyncio.get_running_loop().create_future()
            self._start(round_trip)
        else:
            # The round trip under way may have been sent before this read began: wait for
            # the next one, which every read arriving meanwhile shares.
            if self._next_round is None:
                self._next_round = asyncio.get_running_loop().create_future()
            round_trip = self._next_round
        await asyncio.shield(round_trip)

    def _start(self, round_trip: asyncio.Future[None]) -> None:
        task = asyncio.ensure_future(self._round_trip(round_trip))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _round_trip(self, round_trip: asyncio.Future[None]) -> None:
        try:
            async with self._talking:
                await self._connection.fetchval("SELECT 1")
            # asyncpg queued the notices that came before the answer (call_soon) ahead of
            # this task's wake-up: the caches have taken them in.
        except Exception:  # whatever failed, nothing cached is trusted any more
            self._announce({(changes.EVERYTHING, "")})
        finally:
            round_trip.set_result(None)
            self._round, self._next_round = self._next_round, None
            if self._round is not None:
                self._start(self._round)

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
