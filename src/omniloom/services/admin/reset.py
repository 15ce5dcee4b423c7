"""Back to the seeded store without a restart (LocalStack-style): the data set loaded again, the
clock at its start, ids from the start of their sequence, nothing cached.

The store's own note of what `omniloom seed` loaded (seed/source.py) decides the data set, so a
store seeded with `--products 5000` resets to those 5,000 products. After a reset the same
scenario run gives the same ids and the same journal as on a freshly seeded server. Named
snapshots (snapshots.py) are kept: a reset replaces the store, not what was saved of it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import msgspec
from sqlalchemy import Connection

from omniloom.seed import source
from omniloom.seed.load import load
from omniloom.services.admin.replace import Resume, replace_contents
from omniloom.services.kernel.runtime import Runtime
from omniloom.store import settings_queries


class ResetView(msgspec.Struct, frozen=True):
    origin: str  # where the data set came from
    rows: int  # rows loaded
    now: datetime  # the clock, back at its start
    counts: dict[str, int]


async def reset(runtime: Runtime) -> ResetView:
    note = await runtime.read(lambda conn: settings_queries.get(conn, source.ORIGIN_KEY))
    params, directory = source.recorded(note)
    # Reading or generating the data set touches no table: off the event loop meanwhile.
    data, origin = await asyncio.to_thread(source.data_set, params, directory)

    def reload(conn: Connection) -> tuple[int, Resume]:
        rows = load(conn, data)
        source.record(conn, data, directory)
        return rows, Resume()  # the clock at its start, ids from the beginning

    rows = await replace_contents(runtime, reload)
    return ResetView(origin=origin, rows=rows, now=runtime.clock.now(), counts=data.counts())
