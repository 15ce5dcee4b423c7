"""A process skips the echo of its own change notices (store/pg_changes.py), so when the
connection fails after a unit's writes were sent, its caches must forget what the unit touched
there and then: the writes may have committed, and no notice will tell them later."""

from __future__ import annotations

import pytest

from omniloom.store import changes, postgres
from omniloom.store.database import Database

SKU_KEY = (changes.STOCK, "SKU-CACHED@DC")
COMMIT_FAILED = "the connection failed at COMMIT"


async def test_caches_forget_what_a_unit_touched_when_its_commit_fails(
    store_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not isinstance(store_db, postgres.PostgresDatabase):
        pytest.skip("processes skip their own notices on PostgreSQL only")
    heard: list[object] = []
    store_db.on_change(heard.append)
    commit = postgres._commit

    def commit_then_lose_the_connection(conn: object) -> None:
        commit(conn)  # type: ignore[arg-type]
        heard.append(COMMIT_FAILED)
        raise ConnectionResetError(COMMIT_FAILED)

    monkeypatch.setattr(postgres, "_commit", commit_then_lose_the_connection)
    try:
        with pytest.raises(ConnectionResetError):
            await store_db.write(lambda conn: changes.touch(conn, *SKU_KEY))
    finally:
        await store_db.close()
    assert heard[heard.index(COMMIT_FAILED) + 1 :] == [{SKU_KEY}]
