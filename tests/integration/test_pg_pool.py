"""A server process on PostgreSQL keeps its pool's connections and never opens more.

A connection opened for a burst and closed after it cost the next burst a connect and the
prepare of every statement again; more requests than connections wait their turn instead. A
connection stays checked out from one unit of work to the next, so each unit must end its
transaction: committed when it returns, rolled back when it raises.
"""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import Connection, text

from omniloom.domain.errors import DomainError
from omniloom.store.database import Database, open_database
from omniloom.store.tables import settings

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


async def _state(watcher: asyncpg.Connection, pid: int) -> str:
    state: str = await watcher.fetchval("SELECT state FROM pg_stat_activity WHERE pid = $1", pid)
    return state


async def _kept_keys(watcher: asyncpg.Connection) -> set[str]:
    return {row["key"] for row in await watcher.fetch("SELECT key FROM settings")}


async def test_a_kept_connection_ends_every_units_transaction(
    store_db: Database, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a pool of connections to PostgreSQL")
    db = open_database(database_url, pool_size=1)
    watcher = await asyncpg.connect(database_url)
    before = await _kept_keys(watcher)

    def refused(conn: Connection) -> None:
        conn.execute(settings.insert().values(key="test.refused", value=1))
        raise DomainError("refused after writing")

    def written(conn: Connection) -> None:
        conn.execute(settings.insert().values(key="test.written", value=1))

    try:
        pid = await db.read(_backend)
        with pytest.raises(DomainError):
            await db.write(refused)
        assert await _state(watcher, pid) == "idle"  # rolled back, not idle in transaction
        await db.write(written)
        assert await _state(watcher, pid) == "idle"  # committed
        assert await db.read(_backend) == pid  # the same connection serves on
        assert await _kept_keys(watcher) - before == {"test.written"}
    finally:
        await db.close()
        await watcher.close()
