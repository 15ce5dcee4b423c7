"""How units of work run: the Database owns connections and transactions, nothing else does.

A unit of work is a plain synchronous function over a SQLAlchemy ``Connection``. It is written
once and runs unchanged on both backends:

* SQLite (embedded default, WAL): units are queued and the event loop itself is the single
  writer. At the end of the current loop iteration every queued unit runs inside one transaction
  (group commit), each under its own savepoint so one failing unit does not sink its neighbours.
  Nothing hops to a thread: a SQLite statement costs microseconds, far less than a thread hop,
  and running writers one after another on one thread makes them serial by construction.
* PostgreSQL (scale-out): each unit runs in its own transaction on an asyncpg connection through
  ``AsyncConnection.run_sync``; concurrency is resolved by row locks and conditional updates in
  the units themselves, and serialization failures or deadlocks are retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from omniloom.store import changes
from omniloom.store.pg_lane import LANE, Lane, RunEagerly, lane_of
from omniloom.store.tables import metadata

T = TypeVar("T")
UnitOfWork = Callable[[Connection], T]


def _json_serializer(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _json_deserializer(value: str | bytes) -> Any:
    return msgspec.json.decode(value)


class Database(ABC):
    """Runs units of work; the only owner of transactions."""

    url: str

    @abstractmethod
    async def write(self, unit: UnitOfWork[T]) -> T:
        """Run ``unit`` in a transaction and commit it; its exception rolls back only its work."""

    @abstractmethod
    async def read(self, unit: UnitOfWork[T]) -> T:
        """Run a read-only ``unit`` against committed state."""

    @abstractmethod
    def run_blocking(self, unit: UnitOfWork[T]) -> T:
        """Run ``unit`` in a transaction from synchronous code (CLI, seeding); not in a loop."""

    @abstractmethod
    async def close(self) -> None: ...

    def on_change(self, listener: changes.Listener) -> bool:
        """Tell ``listener`` what committed writes touched; False if this backend cannot.

        Only a database that is the sole writer to its data can promise that; PostgreSQL is
        shared by several server processes, so it never can.
        """
        return False

    def create_schema(self) -> None:
        self.run_blocking(lambda conn: metadata.create_all(conn))

    def reset_schema(self) -> None:
        def reset(conn: Connection) -> None:
            metadata.drop_all(conn)
            metadata.create_all(conn)

        self.run_blocking(reset)


def open_database(url: str) -> Database:
    if url.startswith("sqlite"):
        return SQLiteDatabase(url)
    if url.startswith(("postgresql", "postgres")):
        return PostgresDatabase(url)
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql://…")


class SQLiteDatabase(Database):
    def __init__(self, url: str) -> None:
        self.url = url
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = _sqlite_engine(url)
        # pysqlite's own transaction handling cannot nest savepoints; we issue BEGIN ourselves.
        event.listen(self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        # Reads run outside any transaction: each statement sees the latest commit, and no
        # reader ever holds a lock or an old snapshot.
        self._read_engine: Engine = _sqlite_engine(url)
        self._writer: Connection | None = None
        self._reader: Connection | None = None
        self._queue: list[tuple[UnitOfWork[Any], asyncio.Future[Any]]] = []
        self._flush_scheduled = False
        self._listeners: list[changes.Listener] = []

    def on_change(self, listener: changes.Listener) -> bool:
        self._listeners.append(listener)
        return True

    def _announce(self, touched: changes.Touched) -> None:
        for listener in self._listeners:
            listener(touched)

    def _writer_connection(self) -> Connection:
        if self._writer is None:
            self._writer = self.engine.connect()
            changes.watch(self._writer, self._announce)
        return self._writer

    def _reader_connection(self) -> Connection:
        if self._reader is None:
            self._reader = self._read_engine.connect()
        return self._reader

    async def write(self, unit: UnitOfWork[T]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.append((unit, future))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        self._flush_scheduled = False
        batch, self._queue = self._queue, []
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        conn = self._writer_connection()
        try:
            with conn.begin():
                if len(batch) == 1:
                    unit, future = batch[0]
                    # A lone unit needs no savepoint: its failure rolls back the transaction.
                    outcomes.append((future, unit(conn), None))
                else:
                    for unit, future in batch:
                        outcomes.append(_run_under_savepoint(conn, unit, future))
        except Exception as exc:  # the lone unit failed, or COMMIT itself did
            if len(batch) == 1 or not outcomes:
                outcomes = [(future, None, exc) for _, future in batch]
            else:
                outcomes = [(future, None, exc) for future, _, _ in outcomes]
        finally:
            self._announce(changes.take(conn))
        for future, result, error in outcomes:
            if future.cancelled():
                continue
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)

    async def read(self, unit: UnitOfWork[T]) -> T:
        return unit(self._reader_connection())

    def run_blocking(self, unit: UnitOfWork[T]) -> T:
        with self.engine.connect() as conn, conn.begin():
            return unit(conn)

    async def close(self) -> None:
        for conn in (self._writer, self._reader):
            if conn is not None:
                conn.close()
        self._writer = self._reader = None
        self.engine.dispose()
        self._read_engine.dispose()


class savepoint:
    """Undo what the block wrote if it raises, keeping the rest of the transaction: each unit in
    a group commit runs under one, and a unit may nest its own.

    Straight on the DBAPI connection: SQLAlchemy does not track savepoints it did not open, and
    going through it tripled the cost of a small unit's bookkeeping. A class rather than a
    generator-based context manager, which cost a checkout 1.5 % of its instructions.
    """

    __slots__ = ("_cursor", "_lane", "_name")

    def __init__(self, conn: Connection, name: str) -> None:
        if conn.dialect.name == "postgresql":
            # The savepoint must come after the writes held back so far, and what the block
            # holds back must be sent before it is released or rolled back to.
            self._lane = lane_of(conn)
        else:
            self._lane = None
        self._cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        self._name = name

    def __enter__(self) -> None:
        if self._lane is not None:
            self._lane.flush()
        self._cursor.execute(f"SAVEPOINT {self._name}")

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if self._lane is not None:
                if kind is None:
                    self._lane.flush()
                else:
                    self._lane.discard()
            if kind is not None:
                self._cursor.execute(f"ROLLBACK TO SAVEPOINT {self._name}")
            self._cursor.execute(f"RELEASE SAVEPOINT {self._name}")
        finally:
            self._cursor.close()


def _run_under_savepoint(
    conn: Connection, unit: UnitOfWork[Any], future: asyncio.Future[Any]
) -> tuple[asyncio.Future[Any], Any, BaseException | None]:
    try:
        with savepoint(conn, "unit"):
            result = unit(conn)
    except Exception as exc:
        return future, None, exc
    return future, result, None


# Python's sqlite3 binds int, float and str directly, but for any other type it first asks a
# protocol object for an ``__adapt__`` it does not have, and pays for a formatted AttributeError
# each time. None is such a type, and a checkout binds about sixty of them (the empty columns
# of its events and rows): 7 % of its instructions went to those errors. A registered adapter
# is found in a dict instead. The adapter is an empty dict's ``get``: it answers None for None,
# so SQLite still gets NULL, and as a C call it costs a fraction of a Python function.
_NOTHING: dict[object, None] = {}
sqlite3.register_adapter(type(None), _NOTHING.get)


def _adapt_str_enums() -> None:
    """The same for the domain's StrEnum members (channels, statuses): str subclasses, which
    sqlite3 would also send down that path. Each is registered to bind as its value."""
    pending = list(enum.StrEnum.__subclasses__())
    while pending:
        kind = pending.pop()
        sqlite3.register_adapter(kind, str)
        pending.extend(kind.__subclasses__())


def _sqlite_engine(url: str) -> Engine:
    # At engine creation the domain's enums are imported; one defined later still binds right,
    # only without the shortcut.
    _adapt_str_enums()
    engine = create_engine(
        url, json_serializer=_json_serializer, json_deserializer=_json_deserializer
    )
    event.listen(engine, "connect", _configure_sqlite_connection)
    return engine


def _configure_sqlite_connection(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode keeps the database consistent across crashes; it only gives up the fsync
    # per commit, which a simulator can afford and which would otherwise stall the event loop.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


# PostgreSQL error codes worth one more try: serialization failure and deadlock.
_RETRYABLE_SQLSTATES = {"40001", "40P01"}
# A unique violation on a unit's first run means another transaction committed the same natural
# key (an uploaded batch's id, a customer's email) a moment earlier; run once more, the unit sees
# that row and answers as for a repeat instead of failing with a 500.
_UNIQUE_VIOLATION = "23505"


class PostgresDatabase(Database):
    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        async_url = url.replace("postgresql://", "postgresql+asyncpg://", 1).replace(
            "postgres://", "postgresql+asyncpg://", 1
        )
        self._async_url = async_url
        self._pool_size = pool_size
        self._engine: AsyncEngine | None = None

    @property
    def engine(self) -> AsyncEngine:
        # Created lazily inside the running loop: asyncpg connections belong to one loop.
        if self._engine is None:
            self._engine = _postgres_engine(self._async_url, pool_size=self._pool_size)
        return self._engine

    async def write(self, unit: UnitOfWork[T]) -> T:
        hold_back = True
        for attempt in range(5):
            try:
                async with self.engine.begin() as conn:
                    return await conn.run_sync(_in_lane, unit, hold_back)
            except RunEagerly:
                # A held-back write did not go as assumed; the same unit, holding nothing back,
                # finds out why and answers exactly as it would have from the start.
                hold_back = False
            except DBAPIError as exc:
                state = _sqlstate(exc)
                lost_race = state == _UNIQUE_VIOLATION and attempt == 0
                retry = state in _RETRYABLE_SQLSTATES or lost_race
                if not retry or attempt == 4:
                    raise
        raise AssertionError("unreachable")

    async def read(self, unit: UnitOfWork[T]) -> T:
        async with self.engine.connect() as conn:
            return await conn.run_sync(_in_lane, unit, False)

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
        if self._engine is not None:
            with contextlib.suppress(Exception):
                await self._engine.dispose()
            self._engine = None


def _postgres_engine(async_url: str, pool_size: int) -> AsyncEngine:
    engine = create_async_engine(
        async_url,
        pool_size=pool_size,
        max_overflow=pool_size,
        json_serializer=_json_serializer,
        json_deserializer=_json_deserializer,
        # The lane's statements go through asyncpg's own statement cache (one per connection):
        # room for every statement on the request path and the shapes of held-back batches.
        connect_args={"statement_cache_size": 1024},
    )
    # A statement through SQLAlchemy itself must see the lane's held-back writes.
    event.listen(engine.sync_engine, "before_cursor_execute", _flush_lane)
    return engine


def _in_lane(conn: Connection, unit: UnitOfWork[T], hold_back: bool) -> T:
    """Run ``unit`` with the lean lane on its connection (store/pg_lane.py)."""
    lane = Lane(conn, defer=hold_back)
    conn.info[LANE] = lane
    try:
        result = unit(conn)
        lane.flush()
        return result
    finally:
        del conn.info[LANE]


def _flush_lane(conn: Connection, *_: Any) -> None:
    lane = lane_of(conn)
    if lane is not None:
        lane.flush()


def _sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code is None and orig is not None:
        code = getattr(getattr(orig, "__cause__", None), "sqlstate", None)
    return code if isinstance(code, str) else None
