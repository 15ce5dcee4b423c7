"""State reset over HTTP: the store back to its seeded state under a running server."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post

from omniloom.api.auth import KeyRing
from omniloom.api.http import runtime_of
from omniloom.services.admin import reset as store_reset
from omniloom.services.admin.reset import ResetView


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
            "journal as on a freshly seeded server. No restart; API keys are the demo keys."
        ),
        status_code=200,
    )
    async def reset(self, request: Request[Any, Any, Any]) -> ResetView:
        runtime = runtime_of(request)
        view = await store_reset.reset(runtime)
        request.app.state["keyring"] = KeyRing(await runtime.api_keys())
        return view
