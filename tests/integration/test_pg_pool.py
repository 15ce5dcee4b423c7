"""A server process on PostgreSQL keeps its pool's connections and never opens more.

A connection opened for a burst and closed after it cost the next burst a connect and the
prepare of every statement again; more requests than connections wait their turn instead.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Connection, text

from omniloom.store.database import Database, open_database

POOL = 3


def _backend(conn: Connection) -> int:
    pid: int = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    return pid


async def _burst(db: Database, requests: int) -> set[int]:
    return set(await asyncio.gather(*(db.read(_backend) for _ in range(requests))))


async def test_bursts_share_the_pools_connections_and_open_no_more(
    store_db: Database, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a pool of connections to PostgreSQL")
    db = open_database(database_url, pool_size=POOL)
    try:
        first = await _burst(db, 10 * POOL)
        second = await _burst(db, 10 * POOL)
    finally:
        await db.close()
    assert len(first) <= POOL
    assert second <= first  # the same connections, still open
