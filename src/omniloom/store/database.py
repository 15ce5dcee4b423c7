"""How units of work run: the Database owns connections and transactions, nothing else does.

A unit of work is a plain synchronous function over a SQLAlchemy ``Connection``. It is written
once and runs unchanged on both backends:

* SQLite (embedded default, WAL): units are queued and the event loop itself is the single
  writer. At the end of the current loop iteration every queued unit runs inside one transaction
  (group commit), each under its own savepoint so one failing unit does not sink its neighbours.
  Nothing hops to a thread: a SQLite statement costs microseconds, far less than a thread hop,
  and running writers one after another on one thread makes them serial by construction.
* PostgreSQL (scale-out): store/postgres.py.
"""

from __future__ import annotations

import asyncio
import enum
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine

from omniloom.store import changes
from omniloom.store.pg_lane import lane_of
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

    # Told what committed writes touched (store.changes), by either backend.
    _listeners: list[changes.Listener]

    def on_change(self, listener: changes.Listener) -> bool:
        """Tell ``listener`` what committed writes touched; True: this backend can.

        The embedded database is the sole writer to its file and sees every write; PostgreSQL
        hears of other processes' writes by NOTIFY (store/pg_changes.py).
        """
        self._listeners.append(listener)
        return True

    async def heard_everywhere(self, key: str) -> None:
        """Wait until every server process has taken in the committed change of ``key`` (one
        of store/pg_changes.ACKNOWLEDGED); the embedded database has one process, which has."""
        return None

    async def caught_up(self) -> None:
        """Return once this process has heard of every change committed before the call, so
        what its caches hold is no older than the database; the embedded database's one process
        hears of every write as it commits."""
        return None

    def _announce(self, touched: changes.Touched) -> None:
        for listener in self._listeners:
            listener(touched)

    def create_schema(self) -> None:
        self.run_blocking(lambda conn: metadata.create_all(conn))

    def reset_schema(self) -> None:
        def reset(conn: Connection) -> None:
            metadata.drop_all(conn)
            metadata.create_all(conn)

        self.run_blocking(reset)


def open_database(url: str, pool_size: int = 10) -> Database:
    """The store at ``url``; on PostgreSQL with ``pool_size`` connections per process."""
    if url.startswith("sqlite"):
        return SQLiteDatabase(url)
    if url.startswith(("postgresql", "postgres")):
        from omniloom.store.postgres import PostgresDatabase  # asyncpg only when asked for

        return PostgresDatabase(url, pool_size=pool_size)
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
        self._listeners = []

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
