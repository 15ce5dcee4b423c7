"""The store's contents as one whole: every table except the snapshots kept beside them.

A reset and a restore replace the contents in one transaction: ``clear``, fill the tables again
(``fill``, or the seed loader), ``renumber``. Rows are read in the order the database keeps
them, and put back in that order, so even a query without ORDER BY lists them as before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    delete,
    false,
    func,
    literal_column,
    select,
)

from omniloom.store import tables

# Beside the store, not in it: a reset or a restore leaves them alone.
KEPT = frozenset({tables.snapshots.name, tables.snapshot_parts.name})
# Parents before children, so foreign keys hold while filling (clearing goes the other way).
STORE_TABLES: list[Table] = [
    table for table in tables.metadata.sorted_tables if table.name not in KEPT
]

Row = tuple[Any, ...]


def clear(conn: Connection) -> None:
    for table in reversed(STORE_TABLES):
        conn.execute(delete(table))


def read(conn: Connection, table: Table) -> tuple[list[str], list[Row]]:
    """The table's column names and its rows: in SQLite's own order (rowid), which a scan
    without ORDER BY follows; PostgreSQL promises no such order, so by primary key there."""
    sqlite = conn.dialect.name == "sqlite"
    order: list[ColumnElement[Any]] = (
        [literal_column("rowid")] if sqlite else list(table.primary_key.columns)
    )
    rows = conn.execute(select(table).order_by(*order)).all()
    return [str(column.name) for column in table.columns], [tuple(row) for row in rows]


def fill(conn: Connection, table: Table, names: list[str], rows: list[Row]) -> None:
    if rows:
        records = [dict(zip(names, row, strict=True)) for row in rows]
        conn.execute(table.insert(), _parents_first(table, records))


def _parents_first(table: Table, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A table whose rows refer to each other (a category's parent): each row after the one it
    names, as the foreign key checks each row as it goes in."""
    links = [(k.parent.name, k.column.name) for k in table.foreign_keys if k.column.table is table]
    if not links:
        return records
    placed: set[tuple[str, Any]] = set()
    ordered: list[dict[str, Any]] = []
    waiting = records
    while waiting:
        ready = [
            record
            for record in waiting
            if all(record[own] is None or (key, record[own]) in placed for own, key in links)
        ]
        if not ready:  # a cycle, or a parent that is not there: let the database say which
            ready = waiting
        ordered += ready
        placed.update((key, record[key]) for record in ready for _, key in links)
        taken = {id(record) for record in ready}
        waiting = [record for record in waiting if id(record) not in taken]
    return ordered


def renumber(conn: Connection) -> None:
    """Columns numbered by the database (the event log's ``seq``) go on after the rows now there,
    as after a fresh seed: SQLite takes the largest rowid plus one by itself, PostgreSQL's
    sequences have to be set."""
    if conn.dialect.name != "postgresql":
        return
    for table in STORE_TABLES:
        column = table.autoincrement_column
        if column is not None:
            sequence = func.pg_get_serial_sequence(table.name, column.name)
            following = func.coalesce(func.max(column), 0) + 1
            conn.execute(select(func.setval(sequence, following, false())).select_from(table))


def one_instant(conn: Connection) -> None:
    """Have every read of this transaction see the store as of its first: SQLite's one writer
    sees nothing change under it anyway; PostgreSQL needs REPEATABLE READ, asked for before the
    transaction's first statement."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
