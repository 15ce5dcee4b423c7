"""Named snapshots of the store's contents, kept in the database beside the store.

A snapshot is a summary row (``snapshots``) and the rows of every table of the store, a table's
at a time in parts of at most ``ROWS_PER_PART`` rows, each part msgpack-encoded column names and
rows (msgpack keeps datetimes, integers and floats as they are).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Connection, delete, select

from omniloom.store import store_contents
from omniloom.store.tables import snapshot_parts, snapshots

ROWS_PER_PART = 5_000


def summary(conn: Connection, name: str, *, for_update: bool = False) -> dict[str, Any] | None:
    query = select(snapshots).where(snapshots.c.name == name)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None


def summaries(conn: Connection) -> list[dict[str, Any]]:
    query = select(snapshots).order_by(snapshots.c.taken_at, snapshots.c.name)
    return [dict(row) for row in conn.execute(query).mappings()]


def take(
    conn: Connection,
    name: str,
    *,
    taken_at: datetime,
    clock: datetime | None,
    clock_factor: float,
    id_sequence: int,
) -> dict[str, Any]:
    """Copy every table of the store under ``name`` (replacing a snapshot of that name); the
    summary row it wrote."""
    drop(conn, name)
    counts: dict[str, int] = {}
    for table in store_contents.STORE_TABLES:
        names, rows = store_contents.read(conn, table)
        counts[table.name] = len(rows)
        parts = [
            {
                "snapshot": name,
                "table_name": table.name,
                "part": number,
                "data": msgspec.msgpack.encode((names, rows[start : start + ROWS_PER_PART])),
            }
            for number, start in enumerate(range(0, len(rows), ROWS_PER_PART))
        ]
        if parts:
            conn.execute(snapshot_parts.insert(), parts)
    row = {
        "name": name,
        "taken_at": taken_at,
        "clock": clock,
        "clock_factor": clock_factor,
        "id_sequence": id_sequence,
        "counts": counts,
    }
    conn.execute(snapshots.insert().values(row))
    return row


def put_back(conn: Connection, name: str) -> None:
    """Fill the (emptied) tables of the store with the rows of snapshot ``name``."""
    taken: dict[str, tuple[list[str], list[store_contents.Row]]] = {}
    query = (
        select(snapshot_parts.c.table_name, snapshot_parts.c.data)
        .where(snapshot_parts.c.snapshot == name)
        .order_by(snapshot_parts.c.table_name, snapshot_parts.c.part)
    )
    for table_name, data in conn.execute(query):
        names, rows = msgspec.msgpack.decode(data)
        taken.setdefault(table_name, (names, []))[1].extend(rows)
    for table in store_contents.STORE_TABLES:
        if table.name in taken:
            store_contents.fill(conn, table, *taken[table.name])


def drop(conn: Connection, name: str) -> bool:
    """Delete snapshot ``name``; whether there was one."""
    conn.execute(delete(snapshot_parts).where(snapshot_parts.c.snapshot == name))
    return conn.execute(delete(snapshots).where(snapshots.c.name == name)).rowcount > 0
