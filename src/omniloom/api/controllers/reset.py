"""The store's state over HTTP: back to its seeded state, or to a named snapshot."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post

from omniloom.api.auth import KeyRing
from omniloom.api.http import runtime_of
from omniloom.services.admin import reset as store_reset
from omniloom.services.admin import snapshots
from omniloom.services.admin.reset import ResetView
from omniloom.services.admin.snapshots import NewSnapshot, SnapshotList, SnapshotView


async def _keys_reloaded(request: Request[Any, Any, Any]) -> None:
    """The API keys of the contents now in the store (a reset's are the demo keys)."""
    request.app.state["keyring"] = KeyRing(await runtime_of(request).api_keys())


class ResetController(Controller):
    path = "/v1/admin"
    tags = ["admin"]

    @post(
        "/reset",
        summary="Reset the store to its seeded state (data, clock and id sequence)",
        description=(
            "Loads the data set `omniloom seed` loaded again (every cart, order, customer and "
            "event since is gone), sets the simulated clock back to its start and the id "
            "sequence to its beginning, so the same requests give the same ids and the same "
            "journal as on a freshly seeded server. No restart; API keys are the demo keys. "
            "Named snapshots are kept."
        ),
        status_code=200,
    )
    async def reset(self, request: Request[Any, Any, Any]) -> ResetView:
        view = await store_reset.reset(runtime_of(request))
        await _keys_reloaded(request)
        return view


class SnapshotController(Controller):
    path = "/v1/admin/snapshots"
    tags = ["admin"]

    @post(
        summary="Take a named snapshot of the whole store (data, clock and id sequence)",
        description=(
            "Copies every table of the store, the simulated clock's time and pace and the id "
            "sequence under a name, kept in the database: every server process sees it and it "
            "outlives a restart. A name already taken answers 409 `snapshot_exists` unless "
            "`overwrite` is true."
        ),
    )
    async def take(self, request: Request[Any, Any, Any], data: NewSnapshot) -> SnapshotView:
        return await snapshots.take(runtime_of(request), data)

    @get(summary="Every snapshot, oldest first")
    async def list_snapshots(self, request: Request[Any, Any, Any]) -> SnapshotList:
        return await snapshots.summaries(runtime_of(request))

    @get("/{name:str}", summary="One snapshot: when it was taken, its clock, its rows per table")
    async def get_snapshot(self, request: Request[Any, Any, Any], name: str) -> SnapshotView:
        return await snapshots.summary(runtime_of(request), name)

    @post(
        "/{name:str}/restore",
        summary="Put the store back as it was when the snapshot was taken",
        description=(
            "Replaces every table of the store with the snapshot's rows and sets the simulated "
            "clock and the id sequence back to where they were, so the same requests give the "
            "same ids and answers as after the snapshot was taken; every process's caches "
            "forget what they knew. No restart. The snapshot is kept, to restore again."
        ),
        status_code=200,
    )
    async def restore(self, request: Request[Any, Any, Any], name: str) -> SnapshotView:
        view = await snapshots.restore(runtime_of(request), name)
        await _keys_reloaded(request)
        return view

    @delete("/{name:str}", summary="Delete a snapshot (the store itself is not touched)")
    async def delete_snapshot(self, request: Request[Any, Any, Any], name: str) -> None:
        await snapshots.delete(runtime_of(request), name)
