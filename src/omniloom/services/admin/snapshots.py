"""Named snapshots of the whole store (LocalStack-style), taken and restored under a running
server.

A snapshot copies every table of the store, the simulated clock's time and pace, and the id
sequence; restoring it puts all of that back (through the path a reset takes, replace.py), so
the same requests after a restore give the same ids and the same journal as they did after the
snapshot was taken. Snapshots are kept in the database, so every server process sees them and
they outlive a restart; a reset or a restore leaves them alone. Seeding again drops them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from sqlalchemy import Connection

from omniloom.domain.clock import SimulatedClock
from omniloom.domain.errors import NotFound, SnapshotExists
from omniloom.services.admin.replace import Resume, replace_contents
from omniloom.services.kernel.clocks import SharedClock
from omniloom.services.kernel.runtime import Runtime
from omniloom.store import snapshot_queries, store_contents

# Safe as one URL path segment, and never "." or "..", which clients fold away.
SnapshotName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Letters, digits, '.', '_' and '-', starting with a letter or digit.",
        examples=["before-checkout"],
    ),
]


class NewSnapshot(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: SnapshotName
    # Replace a snapshot of that name instead of answering 409 snapshot_exists.
    overwrite: bool = False


class SnapshotView(msgspec.Struct, frozen=True):
    name: str
    taken_at: datetime  # on the wall clock
    # The simulated clock then, and its pace (0: frozen); null on the system clock.
    clock: datetime | None
    clock_factor: float
    rows: int
    counts: dict[str, int]  # rows per table


class SnapshotList(msgspec.Struct, frozen=True):
    items: list[SnapshotView]


def _view(row: dict[str, Any]) -> SnapshotView:
    counts: dict[str, int] = row["counts"]
    return SnapshotView(
        name=row["name"],
        taken_at=row["taken_at"],
        clock=row["clock"],
        clock_factor=row["clock_factor"],
        rows=sum(counts.values()),
        counts=counts,
    )


def _missing(name: str) -> NotFound:
    return NotFound(f"There is no snapshot named {name!r}.")


async def take(runtime: Runtime, command: NewSnapshot) -> SnapshotView:
    def copy(conn: Connection) -> SnapshotView:
        # Every table as of one instant, even with other processes writing (PostgreSQL).
        store_contents.one_instant(conn)
        if not command.overwrite and snapshot_queries.summary(conn, command.name) is not None:
            raise SnapshotExists(
                f"A snapshot named {command.name!r} exists; delete it, or send overwrite: true."
            )
        clock = runtime.clock
        if isinstance(clock, SharedClock):
            clock.sync(conn)
        at, factor = (None, 0.0)
        if isinstance(clock, SimulatedClock):
            at, factor = clock.now(), clock.factor
        row = snapshot_queries.take(
            conn,
            command.name,
            taken_at=runtime.wall_time(),
            clock=at,
            clock_factor=factor,
            id_sequence=runtime.ids.sequence,
        )
        return _view(row)

    return await runtime.db.write(copy)


async def restore(runtime: Runtime, name: str) -> SnapshotView:
    def put_back(conn: Connection) -> tuple[SnapshotView, Resume]:
        row = snapshot_queries.summary(conn, name)
        if row is None:
            raise _missing(name)  # nothing emptied stays so: the transaction rolls back
        snapshot_queries.put_back(conn, name)
        resume = Resume(row["clock"], row["clock_factor"], row["id_sequence"])
        return _view(row), resume

    return await replace_contents(runtime, put_back)


async def summary(runtime: Runtime, name: str) -> SnapshotView:
    row = await runtime.read(lambda conn: snapshot_queries.summary(conn, name))
    if row is None:
        raise _missing(name)
    return _view(row)


async def summaries(runtime: Runtime) -> SnapshotList:
    rows = await runtime.read(snapshot_queries.summaries)
    return SnapshotList(items=[_view(row) for row in rows])


async def delete(runtime: Runtime, name: str) -> None:
    if not await runtime.db.write(lambda conn: snapshot_queries.drop(conn, name)):
        raise _missing(name)
