"""The lean lane on PostgreSQL: Core statements compiled once, run on asyncpg itself, and writes
sent together as late as possible.

A unit of work stays a plain synchronous function (it runs in SQLAlchemy's greenlet); what it
asks of ``store.raw`` comes here while the unit runs on PostgreSQL:

* Reads go straight to the asyncpg connection (``await_`` in the greenlet), skipping the
  DBAPI adapter. Until the unit first writes, they run outside any transaction: in READ
  COMMITTED every statement sees the latest commit either way, and a read-only unit never
  pays for BEGIN and ROLLBACK.
* Writes whose outcome the unit does not read (inserts, ledger rows, events) are held back and
  sent at the end, all in one statement (data-modifying CTEs), just before COMMIT.
* A guarded update (a stock decrement ``UPDATE … WHERE available >= :qty``, a cart's version
  bump ``WHERE version = :seen``) is held back too and assumed to succeed, so the hot rows are
  locked only by that last statement, for one round trip, never while the application
  computes the rest of the order. The statement itself fails (a division by zero) when a guard
  touched anything but one row; if a guard missed (the stock went, the cart changed
  meanwhile), or the batch failed at all, nothing of it stays and the unit is run once more
  without holding anything back (``RunEagerly``), which gives exactly the answer it would have
  had all along (the next location in selling order, insufficient stock, a version conflict).
* While writes are held back a unit may also read a row it would lock without them, and hold
  back a guarded update in place of the lock (a cart's version bump). A refusal such a unit
  gives (a cart no longer active, a version conflict) may come from a request still in flight
  with the same Idempotency-Key, so it is never answered: the unit runs again eagerly, locking
  as it goes, and that run's answer stands.
* A unit whose only write is that last statement sends it alone, outside BEGIN … COMMIT: one
  statement is a transaction of its own, all of it or nothing. A checkout is then two round
  trips (read the cart, write the order), however many rows it writes, and one when the
  process remembers the cart as its last change left it (services/carts/seen.py).

What is held back is sent early whenever something could tell the difference: a statement
reading or writing a table with held-back writes, any statement through SQLAlchemy itself, a
savepoint. So a unit reads its own writes as it always did.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.util import await_

LANE = "omniloom.pg_lane"
# Bound values one statement may carry (the protocol allows 32,767).
_MAX_BATCH_VALUES = 16_000
_PLACEHOLDER = re.compile(r"\$(\d+)")


class RunEagerly(Exception):
    """Held-back writes did not go through as assumed: run the unit again, holding nothing."""


class ReadAfresh(RunEagerly):
    """As RunEagerly, for a unit that trusted rows this process remembered (a cart, see
    services/carts/seen.py), which most likely changed through another process: it is run
    once more holding writes back, reading what it had remembered, before a run that locks."""


class Pending:
    """One held-back statement: its SQL, the tables it touches and its rows of values."""

    __slots__ = ("guard", "kind", "rows", "sql", "tables")

    def __init__(
        self, sql: str, tables: frozenset[str], kind: str, rows: list[Sequence[Any]], guard: bool
    ) -> None:
        self.sql = sql
        self.tables = tables
        self.kind = kind
        self.rows = rows
        self.guard = guard


class Lane:
    """The unit's view of one asyncpg connection, while the unit runs."""

    __slots__ = (
        "_adapter",
        "_asyncpg",
        "_pending",
        "_pending_tables",
        "_values",
        "defer",
        "read_unlocked",
        "remembered",
    )

    def __init__(self, conn: Connection, *, defer: bool) -> None:
        # SQLAlchemy's asyncpg adapter, and the asyncpg connection inside it.
        adapter: Any = conn.connection.dbapi_connection
        self._adapter = adapter
        self._asyncpg: Any = adapter._connection
        self.defer = defer
        # Set when the unit read rows it would otherwise lock, trusting guards to catch changes
        # (raw.may_read_unlocked): a refusal it then gives is confirmed by an eager run.
        self.read_unlocked = False
        # Set when the unit took rows from this process's memory instead of reading them.
        self.remembered = False
        self._pending: list[Pending] = []
        self._pending_tables: set[str] = set()
        self._values = 0

    # --- statements whose outcome the unit reads --------------------------------------------

    def fetch(self, sql: str, args: Sequence[Any], tables: frozenset[str], writes: bool) -> list:
        self._before(tables, writes)
        return [tuple(record) for record in self._run(self._asyncpg.fetch(sql, *args))]

    def execute(self, sql: str, args: Sequence[Any], tables: frozenset[str]) -> int:
        self._before(tables, True)
        status: str = self._run(self._asyncpg.execute(sql, *args))
        return _count(status)

    def _run(self, awaitable: Any) -> Any:
        """Wait for asyncpg; its errors raised as the driver's DBAPI errors (IntegrityError, …),
        exactly as through SQLAlchemy's cursor, so callers and retries recognise them."""
        try:
            return await_(awaitable)
        except Exception as error:
            self._adapter._handle_exception(error)

    def _before(self, tables: frozenset[str], writes: bool) -> None:
        if self._pending and not self._pending_tables.isdisjoint(tables):
            self.flush()
        if writes:
            self.begin()

    def begin(self) -> None:
        """BEGIN, once, before the unit's first write or lock (through the adapter, which then
        commits or rolls back as SQLAlchemy tells it)."""
        if self._adapter._transaction is None:
            self._run(self._adapter._start_transaction())

    # --- statements held back ---------------------------------------------------------------

    def hold(self, sql: str, kind: str, tables: frozenset[str], rows: list[Sequence[Any]]) -> None:
        """Send this write later, before anything that could see it."""
        self._add(Pending(sql, tables, kind, rows, guard=False))

    def insert(self, sql: str, tables: frozenset[str], rows: list[Sequence[Any]]) -> None:
        if self.defer:
            self.hold(sql, "insert", tables, rows)
            return
        self._before(tables, True)
        if len(rows) == 1:
            self._run(self._asyncpg.execute(sql, *rows[0]))
        else:
            self._run(self._asyncpg.executemany(sql, rows))

    def write(self, sql: str, kind: str, tables: frozenset[str], args: Sequence[Any]) -> None:
        if self.defer:
            self.hold(sql, kind, tables, [args])
        else:
            self.execute(sql, args, tables)

    def notify(self, channel: str, payload: str) -> None:
        """NOTIFY ``channel`` when the transaction commits, in the last statement."""
        self._pending.append(
            Pending("pg_notify", frozenset(), "notify", [(channel, payload)], False)
        )

    def hold_guard(self, sql: str, tables: frozenset[str], args: Sequence[Any]) -> bool:
        """A conditional UPDATE that must touch exactly one row: assumed to, checked at the end
        (or at once when nothing is held back)."""
        if not self.defer:
            return self.execute(sql, args, tables) == 1
        self._add(Pending(sql, tables, "update", [args], guard=True))
        return True

    def holds_back(self, tables: frozenset[str]) -> bool:
        return not self._pending_tables.isdisjoint(tables)

    def _add(self, pending: Pending) -> None:
        clash = not self._pending_tables.isdisjoint(pending.tables) and (
            pending.kind != "insert"
            or any(p.kind != "insert" for p in self._pending if p.tables & pending.tables)
        )
        values = sum(len(row) for row in pending.rows)
        if clash or self._values + values > _MAX_BATCH_VALUES:
            # An UPDATE and another write to one table in one statement would not see each
            # other: send what is held first.
            self.flush()
        last = self._pending[-1] if self._pending else None
        if last is not None and last.sql == pending.sql and not pending.guard and not last.guard:
            last.rows.extend(pending.rows)
        else:
            self._pending.append(pending)
        self._pending_tables |= pending.tables
        self._values += values

    def discard(self) -> None:
        """Forget what is held back: the savepoint it was written under was rolled back."""
        self._pending = []
        self._pending_tables = set()
        self._values = 0

    def flush(self, *, last: bool = False) -> None:
        """Send every held-back write in one statement; RunEagerly if a guard missed or the
        statement failed (the transaction, if any, is then rolled back by the caller).

        ``last``: nothing follows but COMMIT, so without a transaction begun the statement goes
        alone, its own transaction, saving BEGIN and COMMIT.
        """
        if not self._pending:
            return
        pending = self._pending
        self.discard()
        if not last:
            self.begin()
        sql, args = combined(pending)
        try:
            self._run(self._asyncpg.execute(sql, *args))
        except Exception as exc:
            if not self.defer:
                raise  # nothing was assumed: the error is the unit's own
            raise self.again(f"held-back writes failed: {exc}") from exc

    def again(self, why: str) -> RunEagerly:
        """What to raise when the unit's assumptions did not hold: ReadAfresh if it trusted
        remembered rows, else RunEagerly."""
        return ReadAfresh(why) if self.remembered else RunEagerly(why)


Shape = tuple[tuple[tuple[str, int, int, bool], ...], int]  # (sql, rows, width, guard)…, notices
# The text of each shape of batch met so far (statements, rows each, notices): the same text
# each time lets asyncpg reuse its prepared statement, and saves the renumbering.
_SHAPES: dict[Shape, str] = {}
_MAX_SHAPES = 10_000


def combined(pending: list[Pending]) -> tuple[str, list[Any]]:
    """One statement doing every held-back write; it fails unless each guard touched one row.

    Guards are ordered by their text values (a stock row's SKU and location; not its quantity),
    so that two units lock the same rows in the same order.
    """
    writes = [p for p in pending if not p.guard and p.kind != "notify"]
    guards = sorted((p for p in pending if p.guard), key=_row_key)
    notices = [p.rows[0] for p in pending if p.kind == "notify"]
    statements = writes + guards
    shape: Shape = (
        tuple((p.sql, len(p.rows), len(p.rows[0]), p.guard) for p in statements),
        len(notices),
    )
    sql = _SHAPES.get(shape)
    if sql is None:
        if len(_SHAPES) >= _MAX_SHAPES:
            _SHAPES.clear()
        sql = _SHAPES[shape] = _statement(shape)
    args = [value for item in statements for row in item.rows for value in row]
    for notice in notices:
        args.extend(notice)
    return sql, args


def _row_key(guard: Pending) -> tuple[str, list[str]]:
    return guard.sql, [value for value in guard.rows[0] if isinstance(value, str)]


def _statement(shape: Shape) -> str:
    statements, notices = shape
    parts: list[str] = []
    offset = 0
    for sql, rows, width, guard in statements:
        text = _many_rows(sql, rows, width) if rows > 1 else sql
        parts.append(_renumber(text, offset) + (" RETURNING 1" if guard else ""))
        offset += width * rows
    guards = sum(1 for *_, guard in statements if guard)
    if len(parts) == 1 and not guards and not notices:
        return parts[0]
    first = len(statements) - guards
    answers = []
    if guards:
        # 1 / false fails the statement, and with it every write in it. Not a constant 1 / 0,
        # which the planner would fold, and fail on, before anything ran.
        touched = " AND ".join(f"(SELECT count(*) FROM w{first + n}) = 1" for n in range(guards))
        answers.append(f"1 / ({touched})::int")
    for n in range(notices):
        answers.append(f"pg_notify(${offset + 2 * n + 1}::text, ${offset + 2 * n + 2}::text)")
    named = ", ".join(f"w{index} AS ({sql})" for index, sql in enumerate(parts))
    select = f"SELECT {', '.join(answers) or '1'}"
    return f"WITH {named} {select}" if named else select


def _many_rows(sql: str, count: int, width: int) -> str:
    """An INSERT of one VALUES row (``width`` values) as an INSERT of ``count`` rows."""
    head, _, group = sql.rpartition(" VALUES ")
    groups = [_renumber(group, n * width) for n in range(count)]
    return f"{head} VALUES {', '.join(groups)}"


def _renumber(sql: str, offset: int) -> str:
    """The statement with its placeholders $1, $2, … moved on by ``offset``."""
    return _PLACEHOLDER.sub(lambda match: f"${int(match.group(1)) + offset}", sql)


def _count(status: str) -> int:
    """Rows touched, from a command tag such as ``UPDATE 1`` or ``INSERT 0 3``."""
    tail = status.rpartition(" ")[2]
    return int(tail) if tail.isdigit() else -1


def lane_of(conn: Connection) -> Lane | None:
    lane: Lane | None = conn.info.get(LANE)
    return lane
