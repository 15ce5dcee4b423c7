"""The SQLite writer commits queued units together, and one failure sinks only itself."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Connection, select

from omniloom.store.database import open_database
from omniloom.store.tables import settings


def _put(key: str, fail: bool = False):
    def unit(conn: Connection) -> str:
        conn.execute(settings.insert().values(key=key, value=1))
        if fail:
            raise RuntimeError(f"{key} fails after writing")
        return key

    return unit


async def test_one_failing_unit_in_a_batch_leaves_the_others_committed(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'g.db'}")
    db.create_schema()
    outcomes = await asyncio.gather(
        *(db.write(_put(f"k{i}", fail=i == 3)) for i in range(6)), return_exceptions=True
    )
    assert [type(o).__name__ for o in outcomes] == ["str"] * 3 + ["RuntimeError"] + ["str"] * 2
    keys = await db.read(lambda c: sorted(c.execute(select(settings.c.key)).scalars()))
    assert keys == ["k0", "k1", "k2", "k4", "k5"]
    await db.close()


async def test_a_lone_failing_unit_rolls_back(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'g.db'}")
    db.create_schema()
    with pytest.raises(RuntimeError):
        await db.write(_put("only", fail=True))
    assert await db.read(lambda c: c.execute(select(settings.c.key)).all()) == []
    await db.close()
