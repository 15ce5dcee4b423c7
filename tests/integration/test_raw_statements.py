"""The lean statement lane writes what it is given: many rows at once, NULLs as NULL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, select, text

from omniloom.store import raw
from omniloom.store.database import Database, open_database
from omniloom.store.tables import events

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _event(index: int) -> dict[str, object]:
    return {
        "id": f"evt_{index:05d}",
        "type": "test.event",
        "occurred_at": NOW,
        "channel": "web",
        "customer_id": None,
        "cart_id": None,
        "order_id": None,
        "data": {"index": index},
        "device_id": None,
        "session_id": None,
        "product_id": None,
        "sku": None,
        "location_id": None,
        "value": index if index % 2 else None,
        "campaign": None,
        "consent": None,
    }


@pytest.fixture
async def db(store_db: Database) -> AsyncIterator[Database]:
    """The store, closed on the test's own event loop (its connections belong to that loop)."""
    yield store_db
    await store_db.close()


async def test_many_rows_go_in_whole_and_in_order(db: Database) -> None:
    # 150 rows of 16 values need several statements on SQLite (at most 999 values each).
    written = [_event(index) for index in range(150)]
    await db.write(lambda conn: raw.insert_many(conn, events.insert(), written))

    def read(conn: Connection) -> list[tuple[object, ...]]:
        query = select(events.c.id, events.c.data, events.c.value, events.c.customer_id)
        return [tuple(row) for row in conn.execute(query.order_by(events.c.seq))]

    rows = await db.read(read)
    assert rows == [(e["id"], e["data"], e["value"], None) for e in written]


async def test_timestamps_read_back_as_the_same_utc_instant(db: Database) -> None:
    written = [_event(1)]
    written[0]["occurred_at"] = datetime(2026, 11, 2, 9, 30, 15, 123456, tzinfo=UTC)
    await db.write(lambda conn: raw.insert_many(conn, events.insert(), written))
    query = select(events.c.occurred_at).where(events.c.id == written[0]["id"])
    (read,) = await db.read(lambda conn: raw.first(conn, query) or ())
    assert read == written[0]["occurred_at"]
    assert read.utcoffset() == timedelta(0)


async def test_a_timestamp_written_by_hand_with_its_zone_still_reads_back(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'hand.db'}")
    db.create_schema()
    db.run_blocking(lambda conn: raw.insert_many(conn, events.insert(), [_event(7)]))
    db.run_blocking(
        lambda conn: conn.execute(
            text("UPDATE events SET occurred_at = '2026-11-02 09:30:15+00:00'")
        )
    )
    query = select(events.c.occurred_at)
    (read,) = await db.read(lambda conn: raw.first(conn, query) or ())
    assert read == datetime(2026, 11, 2, 9, 30, 15, tzinfo=UTC)
    await db.close()
