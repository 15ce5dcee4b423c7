"""The lean lane: Core-built statements, compiled once, run straight on the DBAPI cursor.

SQLAlchemy's per-call execution and result machinery costs several times what SQLite itself
needs for a one-row statement (measured here: ~45 µs a statement through ``Connection.execute``
against ~18 µs on the cursor). Every statement on the request path is therefore a module-level
Core construct that is compiled once per dialect; each call only binds parameters (with the
dialect's own bind processors, so JSON and UTC timestamps are encoded exactly as SQLAlchemy
would) and decodes results with the dialect's result processors. It runs on the connection's own
DBAPI connection, inside the same transaction, on SQLite and on PostgreSQL (asyncpg) alike.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql import ClauseElement, TableClause
from sqlalchemy.sql.util import find_tables

from omniloom.store.pg_lane import RunEagerly, lane_of
from omniloom.store.types import UtcDateTime

Processor = Callable[[Any], Any] | None
# Values one SQLite statement may bind: 999 in builds before 3.32, more since.
MAX_BOUND_VALUES = 999


class Prepared:
    __slots__ = (
        "constants",
        "decoders",
        "defaults",
        "encoders",
        "keys",
        "kind",
        "names",
        "pick",
        "postgres",
        "row_group",
        "sql",
        "tables",
        "writes",
    )

    def __init__(self, conn: Connection, stmt: ClauseElement, column_keys: Sequence[str] | None):
        dialect = conn.dialect
        plain_insert = getattr(stmt, "is_insert", False) and not getattr(stmt, "_returning", ())
        if dialect.name == "postgresql" and plain_insert:
            # Without the RETURNING of its generated key PostgreSQL's compiler adds to an
            # INSERT: nothing here reads it, and the lane sends inserts inside a larger statement.
            stmt = stmt.inline()  # type: ignore[attr-defined]
        compiled: Any = stmt.compile(dialect=dialect, column_keys=list(column_keys or []) or None)
        self.sql: str = compiled.string
        # What the PostgreSQL lane needs to know to hold writes back safely (store/pg_lane.py).
        self.postgres = dialect.name == "postgresql"
        self.kind = next(
            (kind for kind in ("insert", "update", "delete") if getattr(stmt, f"is_{kind}", False)),
            "select",
        )
        found = find_tables(
            stmt, check_columns=True, include_joins=True, include_selects=True, include_crud=True
        )
        self.tables = frozenset(table.name for table in found if isinstance(table, TableClause))
        # Takes a lock or changes something, so it must run inside the unit's transaction.
        self.writes = (
            self.kind != "select" or " FOR UPDATE" in self.sql or "_xact_lock(" in self.sql
        )
        self.names: list[str] = list(compiled.positiontup or [])
        self.defaults: dict[str, Any] = dict(compiled.params)
        # Literals the statement itself carries (the 1 in ``version + 1``, a True to compare
        # with): callers never pass them, so they are merged in rather than missed and looked up
        # one by one on the slow path.
        self.constants: dict[str, Any] = {
            name: self.defaults[name]
            for name in self.names
            if not compiled.binds[name].required and self.defaults.get(name) is not None
        }
        processors = compiled._bind_processors  # the dialect's encoders, keyed by bind name
        binds = [
            _remember_last(process)
            if process is not None and isinstance(compiled.binds[name].type, UtcDateTime)
            else process
            for name, process in ((name, processors.get(name)) for name in self.names)
        ]
        # (position, encoder) of each parameter the dialect encodes (timestamps, JSON).
        self.encoders = [(index, bind) for index, bind in enumerate(binds) if bind is not None]
        self.pick = _picker(self.names)
        columns = compiled._result_columns or []
        self.keys: list[str] = [column.keyname for column in columns]
        results: list[Processor] = [
            column.type._cached_result_processor(dialect, None) for column in columns
        ]
        # (position, decoder) of each result column that needs decoding: most hot statements
        # return only integers and text, and their rows are passed on as they come.
        self.decoders = [(index, process) for index, process in enumerate(results) if process]
        # A plain INSERT with ``?`` placeholders can take several rows as one VALUES list.
        self.row_group: str | None = None
        _, values, group = self.sql.rpartition(" VALUES ")
        if (
            dialect.paramstyle == "qmark"
            and values
            and group.endswith(")")
            and " RETURNING " not in group
        ):
            self.row_group = group

    def parameters(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        if self.constants:
            params = {**self.constants, **params}
        try:
            # The usual case, every parameter given, in one C call.
            picked: tuple[Any, ...] = self.pick(params)
        except KeyError:
            defaults = self.defaults
            picked = tuple([params.get(name, defaults.get(name)) for name in self.names])
        if not self.encoders:
            return picked
        values = list(picked)
        for index, encode in self.encoders:
            value = values[index]
            if value is not None:
                values[index] = encode(value)
        return tuple(values)

    def rows_sql(self, count: int) -> str:
        """This INSERT for ``count`` rows at once."""
        assert self.row_group is not None
        return self.sql + (", " + self.row_group) * (count - 1)

    def decode(self, row: Sequence[Any]) -> tuple[Any, ...]:
        # Only the columns that need it: a cart row decodes its two timestamps, not nine values.
        values = list(row)
        for index, process in self.decoders:
            value = values[index]
            if value is not None:
                values[index] = process(value)
        return tuple(values)


def _picker(names: Sequence[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """The named values of a mapping, always as a tuple (itemgetter of one name gives a bare
    value)."""
    if len(names) > 1:
        return operator.itemgetter(*names)
    if names:
        only = names[0]
        return lambda params: (params[only],)
    return lambda params: ()


def _remember_last(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Encode a timestamp once per instant: a unit of work stamps every row it writes with the
    same ``now``, and formatting it costs more than the rest of binding the row."""
    last: tuple[Any, Any] = (None, None)

    def encode(value: Any) -> Any:
        nonlocal last
        # Identity, not equality: datetimes are immutable, so the same object encodes the same.
        # The pair is swapped whole, so a concurrent caller never sees one value's encoding
        # under another.
        remembered = last
        if remembered[0] is value:
            return remembered[1]
        encoded = process(value)
        last = (value, encoded)
        return encoded

    return encode


_prepared: dict[tuple[int, str, tuple[str, ...]], Prepared] = {}
# Statements are module-level and live as long as the process; holding them keeps id() unique.
_keep_alive: list[ClauseElement] = []


def prepare(conn: Connection, stmt: ClauseElement, column_keys: Sequence[str] = ()) -> Prepared:
    key = (id(stmt), conn.dialect.name, tuple(column_keys))
    prepared = _prepared.get(key)
    if prepared is None:
        prepared = Prepared(conn, stmt, column_keys)
        _prepared[key] = prepared
        _keep_alive.append(stmt)
    return prepared


def _cursor(conn: Connection) -> Any:
    return conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


def rows(
    conn: Connection, stmt: ClauseElement, params: Mapping[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """Every row of a SELECT (or DML … RETURNING), decoded, as tuples."""
    prepared = prepare(conn, stmt)
    if prepared.postgres and (lane := lane_of(conn)) is not None:
        args = prepared.parameters(params or {})
        fetched = lane.fetch(prepared.sql, args, prepared.tables, prepared.writes)
        if not prepared.decoders:
            return fetched
        return [prepared.decode(row) for row in fetched]
    cursor = _cursor(conn)
    try:
        cursor.execute(prepared.sql, prepared.parameters(params or {}))
        fetched = cursor.fetchall()
        if not prepared.decoders:
            return list(fetched)
        return [prepared.decode(row) for row in fetched]
    finally:
        cursor.close()


def first(
    conn: Connection, stmt: ClauseElement, params: Mapping[str, Any] | None = None
) -> tuple[Any, ...] | None:
    found = rows(conn, stmt, params)
    return found[0] if found else None


def dicts(
    conn: Connection, stmt: ClauseElement, params: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    prepared = prepare(conn, stmt)
    return [dict(zip(prepared.keys, row, strict=True)) for row in rows(conn, stmt, params)]


def execute(conn: Connection, stmt: ClauseElement, params: Mapping[str, Any]) -> int:
    """Run one DML statement; returns the number of rows it touched."""
    prepared = prepare(conn, stmt)
    if prepared.postgres and (lane := lane_of(conn)) is not None:
        return lane.execute(prepared.sql, prepared.parameters(params), prepared.tables)
    cursor = _cursor(conn)
    try:
        cursor.execute(prepared.sql, prepared.parameters(params))
        count: int = cursor.rowcount
        return count
    finally:
        cursor.close()


def insert_many(
    conn: Connection, stmt: ClauseElement, records: Iterable[Mapping[str, Any]]
) -> None:
    """INSERT one or many rows that all carry the same keys."""
    records = list(records)
    if not records:
        return
    prepared = prepare(conn, stmt, tuple(records[0]))
    if prepared.postgres and (lane := lane_of(conn)) is not None:
        lane.insert(prepared.sql, prepared.tables, [prepared.parameters(r) for r in records])
        return
    cursor = _cursor(conn)
    try:
        if len(records) == 1:
            cursor.execute(prepared.sql, prepared.parameters(records[0]))
        elif prepared.row_group is not None:
            # On SQLite one statement with several VALUES rows: a checkout's five events went in
            # about 30 % faster than through executemany, which steps the statement per row.
            per_statement = max(1, MAX_BOUND_VALUES // len(prepared.names))
            for start in range(0, len(records), per_statement):
                chunk = records[start : start + per_statement]
                values = [value for record in chunk for value in prepared.parameters(record)]
                cursor.execute(prepared.rows_sql(len(chunk)), values)
        else:
            cursor.executemany(prepared.sql, [prepared.parameters(r) for r in records])
    finally:
        cursor.close()


def may_read_unlocked(conn: Connection) -> bool:
    """True while the PostgreSQL lane holds this unit's writes back (store/pg_lane.py): the
    unit may then read a row without locking it and hold back a guarded update in place of the
    lock (``execute_guarded``, e.g. ``WHERE version = :seen``). If the row changed meanwhile
    the guard misses and nothing is written; if the unit refuses (raises a domain error) on
    what it read, the refusal is checked too. Either way the unit runs again eagerly, taking
    its locks as it goes, and that run's answer stands."""
    lane = lane_of(conn)
    if lane is None or not lane.defer:
        return False
    lane.read_unlocked = True
    return True


def decide_eagerly(conn: Connection) -> None:
    """Stop a unit that reads without locks (``may_read_unlocked``) when what it read says no
    (a cart no longer active, say): the run that locks as it goes decides instead, and its
    answer stands. Sooner than refusing here, which that run would have to confirm anyway.
    Does nothing on any other run."""
    lane = lane_of(conn)
    if lane is not None and lane.defer:
        raise RunEagerly("a refusal read without locks: decided by a run that locks")


def execute_guarded(conn: Connection, stmt: ClauseElement, params: Mapping[str, Any]) -> bool:
    """Run a conditional UPDATE that either touches exactly one row or none; True if it did.

    On PostgreSQL the lane may send it last, just before COMMIT, assuming it succeeds: the
    unit runs again if it did not (store/pg_lane.py). A caller must therefore not read back
    what the update changed before the unit ends, other than through another statement.
    """
    prepared = prepare(conn, stmt)
    if prepared.postgres and (lane := lane_of(conn)) is not None:
        # Held back under the one table it writes: what it only reads (a cart's lines, in a
        # subquery) it compares as of the statement that carries it, before the unit's own
        # writes held back with it, which is the state the unit began from.
        written = frozenset({stmt.table.name})  # type: ignore[attr-defined]
        return lane.hold_guard(prepared.sql, written, prepared.parameters(params))
    return execute(conn, stmt, params) == 1


def may_use_remembered(conn: Connection, tables: frozenset[str]) -> bool:
    """True if the unit may take rows of ``tables`` from this process's memory instead of
    reading them (a cart, services/carts/seen.py): only while the PostgreSQL lane holds writes
    back, with none to those tables unsent, since the held-back guard that checks the
    remembered rows compares them with the rows as the unit began. Saying True notes that the
    unit did: should its writes not go through, it runs again reading (pg_lane.ReadAfresh)."""
    lane = lane_of(conn)
    if lane is None or not lane.defer or lane.holds_back(tables):
        return False
    lane.remembered = True
    return True


def write(conn: Connection, stmt: ClauseElement, params: Mapping[str, Any]) -> None:
    """Run an UPDATE or DELETE whose outcome the caller does not read: on PostgreSQL it may be
    held back and sent with the unit's other writes at the end."""
    prepared = prepare(conn, stmt)
    if prepared.postgres and (lane := lane_of(conn)) is not None:
        lane.write(prepared.sql, prepared.kind, prepared.tables, prepared.parameters(params))
        return
    execute(conn, stmt, params)
