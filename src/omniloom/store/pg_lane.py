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
* A guarded stock decrement (``UPDATE … WHERE available >= :qty``) is held back too and
  assumed to succeed, so the hot inventory row is locked only by that last statement, for one
  round trip, never while the application computes the rest of the order. The statement
  reports how many rows each guard touched; if one missed (the stock went meanwhile), or the
  batch failed at all, the unit is rolled back and run once more without holding anything
  back (``RunEagerly``), which gives exactly the answer it would have had all along (the next
  location in selling order, or insufficient stock).

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

    __slots__ = ("_adapter", "_asyncpg", "_pending", "_pending_tables", "_values", "defer")

    def __init__(self, conn: Connection, *, defer: bool) -> None:
        # SQLAlchemy's asyncpg adapter, and the asyncpg connection inside it.
        adapter: Any = conn.connection.dbapi_connection
        self._adapter = adapter
        self._asyncpg: Any = adapter._connection
        self.defer = defer
        self._pending: list[Pending] = []
        self._pending_tables: set[str] = set()
        self._values = 0

    # --- statements whose outcome the unit reads --------------------------------------------

    def fetch(self, sql: str, args: Sequence[Any], tables: frozenset[str], writes: bool) -> list:
        self._before(tables, writes)
        return [tuple(record) for record in await_(self._asyncpg.fetch(sql, *args))]

    def execute(self, sql: str, args: Sequence[Any], tables: frozenset[str]) -> int:
        self._before(tables, True)
        status: str = await_(self._asyncpg.execute(sql, *args))
        return _count(status)

    def _before(self, tables: frozenset[str], writes: bool) -> None:
        if self._pending and not self._pending_tables.isdisjoint(tables):
            self.flush()
        if writes:
            self.begin()

    def begin(self) -> None:
        """BEGIN, once, before the unit's first write or lock (through the adapter, which then
        commits or rolls back as SQLAlchemy tells it)."""
        if self._adapter._transaction is None:
            await_(self._adapter._start_transaction())

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
            await_(self._asyncpg.execute(sql, *rows[0]))
        else:
            await_(self._asyncpg.executemany(sql, rows))

    def hold_guard(self, sql: str, tables: frozenset[str], args: Sequence[Any]) -> bool:
        """A conditional UPDATE that must touch exactly one row: assumed to, checked at the end
        (or at once when nothing is held back)."""
        if not self.defer:
            return self.execute(sql, args, tables) == 1
        self._add(Pending(sql, tables, "update", [args], guard=True))
        return True

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

    def flush(self) -> None:
        """Send every held-back write in one statement; RunEagerly if a guard missed or the
        statement failed (the transaction is then rolled back by the caller)."""
        if not self._pending:
            return
        pending = self._pending
        self.discard()
        self.begin()
        sql, args, guards = combined(pending)
        try:
            if guards:
                counts = await_(self._asyncpg.fetchrow(sql, *args))
            else:
                await_(self._asyncpg.execute(sql, *args))
                counts = ()
        except Exception as exc:
            raise RunEagerly(f"held-back writes failed: {exc}") from exc
        if any(count != 1 for count in counts):
            raise RunEagerly("a guarded update found its row changed")


def combined(pending: list[Pending]) -> tuple[str, list[Any], int]:
    """One statement doing every held-back write; it answers one count per guard.

    Guards are ordered by their values so that two units lock the same rows in the same order.
    """
    writes = [p for p in pending if not p.guard]
    guards = sorted((p for p in pending if p.guard), key=lambda p: [str(v) for v in p.rows[0]])
    args: list[Any] = []
    parts: list[str] = []
    for item in writes + guards:
        sql = _many_rows(item.sql, len(item.rows)) if len(item.rows) > 1 else item.sql
        offset = len(args)
        if offset:
            sql = _renumber(sql, offset)
        for row in item.rows:
            args.extend(row)
        parts.append(sql + (" RETURNING 1" if item.guard else ""))
    if len(parts) == 1 and not guards:
        return parts[0], args, 0
    named = [f"w{index} AS ({sql})" for index, sql in enumerate(parts)]
    first = len(writes)
    counts = [f"(SELECT count(*) FROM w{first + n})" for n in range(len(guards))]
    return f"WITH {', '.join(named)} SELECT {', '.join(counts) or '1'}", args, len(guards)


def _many_rows(sql: str, count: int) -> str:
    """An INSERT of one VALUES row as an INSERT of ``count`` rows, numbering on."""
    head, _, group = sql.rpartition(" VALUES ")
    width = len(_PLACEHOLDER.findall(group))
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
