"""PostgreSQL, for scale-out: many server processes (and machines) sharing one database.

Each unit of work runs in its own transaction, in SQLAlchemy's greenlet on an asyncpg
connection, with the lean lane (store/pg_lane.py) sending its statements straight to asyncpg and
its writes together at the end, the hot stock row locked last. Concurrency is resolved by row
locks and conditional updates in the units themselves; serialization failures and deadlocks are
retried. What a unit changed that processes cache (stock, promotions) is announced to this
process's caches after COMMIT and to every other process by NOTIFY (store/pg_changes.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, TypeVar

from sqlalchemy import Connection, event
from sqlalchemy.exc import DBAPIError, EmulatedDBAPIException
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util import greenlet_spawn

from omniloom.domain.errors import DomainError
from omniloom.store import changes
from omniloom.store.database import Database, UnitOfWork, _json_deserializer, _json_serializer
from omniloom.store.pg_changes import CHANNEL, ChangeFeed, payloads
from omniloom.store.pg_lane import LANE, Lane, ReadAfresh, RunEagerly, lane_of

T = TypeVar("T")

# PostgreSQL error codes worth one more try: serialization failure and deadlock.
_RETRYABLE_SQLSTATES = {"40001", "40P01"}
# A unique violation on a unit's first run means another transaction committed the same natural
# key (an uploaded batch's id, a customer's email) a moment earlier; run once more, the unit sees
# that row and answers as for a repeat instead of failing with a 500.
_UNIQUE_VIOLATION = "23505"


class PostgresDatabase(Database):
    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self._listeners = []
        self._feed = ChangeFeed(
            url.replace("postgresql+asyncpg://", "postgresql://"), self._announce
        )
        async_url = url.replace("postgresql://", "postgresql+asyncpg://", 1).replace(
            "postgres://", "postgresql+asyncpg://", 1
        )
        self._async_url = async_url
        self._pool_size = pool_size
        self._engine: AsyncEngine | None = None
        self._turns: asyncio.Semaphore | None = None
        # Connections kept checked out between units (see _in_greenlet).
        self._idle: list[Connection] = []

    @property
    def engine(self) -> AsyncEngine:
        # Created lazily inside the running loop: asyncpg connections belong to one loop.
        if self._engine is None:
            self._engine = _postgres_engine(self._async_url, pool_size=self._pool_size)
        return self._engine

    @property
    def turns(self) -> asyncio.Semaphore:
        """One turn per pooled connection, handed out first come, first served.

        SQLAlchemy's pool lets a request that just arrived take a connection given back while
        older ones wait (they queue anew each time they lose), so with more requests in flight
        than connections some waited out the pool's 30 s and answered 500. asyncio's semaphore
        serves its waiters in order, and a newcomer queues behind them.
        """
        if self._turns is None:
            self._turns = asyncio.Semaphore(self._pool_size)
        return self._turns

    async def write(self, unit: UnitOfWork[T]) -> T:
        if self._listeners:
            await self._feed.listening()
        hold_back = True
        for attempt in range(5):
            try:
                async with self.turns:
                    result, touched = await greenlet_spawn(self._in_greenlet, unit, hold_back)
                if touched:
                    # This process's caches hear of its own change at once, after COMMIT.
                    self._announce(touched)
                return result
            except ReadAfresh:
                # Remembered rows had changed elsewhere; forgotten when used, so the next run
                # reads them, still holding writes back: one round trip more, not a locking run.
                hold_back = attempt == 0
            except RunEagerly:
                # A held-back write did not go as assumed; the same unit, holding nothing back,
                # finds out why and answers exactly as it would have from the start.
                hold_back = False
            except (DBAPIError, EmulatedDBAPIException) as exc:
                # Through SQLAlchemy (DBAPIError) or the lane (the driver's own, emulated).
                state = _sqlstate(exc)
                lost_race = state == _UNIQUE_VIOLATION and attempt == 0
                retry = state in _RETRYABLE_SQLSTATES or lost_race
                if not retry or attempt == 4:
                    raise
        raise AssertionError("unreachable")

    async def read(self, unit: UnitOfWork[T]) -> T:
        if self._listeners:
            await self._feed.listening()
        async with self.turns:
            result, _ = await greenlet_spawn(self._in_greenlet, unit, False)
        return result

    async def heard_everywhere(self, key: str) -> None:
        await self._feed.heard_everywhere(key)

    async def caught_up(self) -> None:
        if self._listeners:
            await self._feed.caught_up()

    # The whole unit runs in one greenlet through the engine's synchronous face: SQLAlchemy's
    # async face spawns a greenlet for each step (connect, begin, run, commit, close), which
    # cost a unit about five of them. The connection stays checked out from one unit to the
    # next (self._idle, at most one per turn): checking it out and back in for every unit
    # (engine.begin(): the pool's events, a Connection and a transaction object built and torn
    # down) was about 8 % of a checkout's Python time. A unit that raises gives its connection
    # back to the pool, which rolls it back or, if it broke, replaces it.

    def _in_greenlet(self, unit: UnitOfWork[T], hold_back: bool) -> tuple[T, changes.Touched]:
        conn = self._idle.pop() if self._idle else self.engine.sync_engine.connect()
        try:
            result, touched, lane = self._in_lane(conn, unit, hold_back)
        except BaseException:
            conn.close()
            raise
        try:
            lane.flush(last=True)
            _commit(conn)
        except BaseException:
            # The writes may have committed before the connection failed, and this process
            # skips its own notices (store/pg_changes.py): its caches forget what the unit
            # touched (forgetting too much only costs a read).
            conn.close()
            self._announce(touched)
            raise
        self._idle.append(conn)
        return result, touched

    def _close_idle(self) -> None:
        while self._idle:
            self._idle.pop().close()

    def _in_lane(
        self, conn: Connection, unit: UnitOfWork[T], hold_back: bool
    ) -> tuple[T, changes.Touched, Lane]:
        """Run ``unit`` with the lean lane on its connection (store/pg_lane.py); returns what
        it touched that caches keep, which the lane's last statement NOTIFYs to other
        processes, and the lane, holding that statement for the caller to send."""
        lane = Lane(conn, defer=hold_back)
        conn.info[LANE] = lane
        if self._listeners:
            # Caches in this process forget at once what the unit writes, as on SQLite.
            changes.watch(conn, self._announce)
        try:
            changes.take(conn)
            try:
                result = unit(conn)
            except DomainError as refusal:
                if lane.read_unlocked:
                    # Decided on rows read without a lock: confirmed by a run that locks them.
                    raise lane.again(f"a refusal on unlocked reads: {refusal}") from refusal
                raise
            touched = changes.take(conn)
            for payload in payloads(touched, self._feed.origin):
                lane.notify(CHANNEL, payload)
            return result, touched, lane
        finally:
            del conn.info[LANE]

    def run_blocking(self, unit: UnitOfWork[T]) -> T:
        async def run() -> T:
            engine = _postgres_engine(self._async_url, pool_size=1)
            try:
                async with engine.begin() as conn:
                    return await conn.run_sync(unit)
            finally:
                await engine.dispose()

        return asyncio.run(run())

    async def close(self) -> None:
        await self._feed.close()
        if self._engine is not None:
            with contextlib.suppress(Exception):
                await greenlet_spawn(self._close_idle)
            self._idle = []
            with contextlib.suppress(Exception):
                await self._engine.dispose()
            self._engine = None
        self._turns = None


def _postgres_engine(async_url: str, pool_size: int) -> AsyncEngine:
    engine = create_async_engine(
        async_url,
        pool_size=pool_size,
        # No connections beyond the pool: one opened for a burst was closed after it, and the
        # next burst paid a connect (with its TLS probe) and every statement's prepare again,
        # seen in profiles of 32 requests in flight. Requests beyond the pool wait their turn,
        # in order (turns).
        max_overflow=0,
        json_serializer=_json_serializer,
        json_deserializer=_json_deserializer,
        # The lane's statements go through asyncpg's own statement cache (one per connection):
        # room for every statement on the request path and the shapes of held-back batches.
        connect_args={"statement_cache_size": 1024},
    )
    # A statement through SQLAlchemy itself must see the lane's held-back writes.
    event.listen(engine.sync_engine, "before_cursor_execute", _flush_lane)
    return engine


def _commit(conn: Connection) -> None:
    """End the unit's transaction, begun by SQLAlchemy (a statement through it) or by the lane
    (store/pg_lane.py, on the same adapter), if either began one."""
    if conn.in_transaction():
        conn.commit()  # the adapter's one transaction, the lane's writes included
        return
    adapter: Any = conn.connection.dbapi_connection
    if adapter._transaction is not None:
        adapter.commit()


def _flush_lane(conn: Connection, *_: Any) -> None:
    lane = lane_of(conn)
    if lane is not None:
        lane.flush()


def _sqlstate(exc: Exception) -> str | None:
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code is None and orig is not None:
        code = getattr(getattr(orig, "__cause__", None), "sqlstate", None)
    return code if isinstance(code, str) else None
