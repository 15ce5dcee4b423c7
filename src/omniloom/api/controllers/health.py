"""Liveness, and the hello-world route the benchmark measures the framework's ceiling with."""

from __future__ import annotations

from typing import Any

from litestar import Request, get

from omniloom.api.faults import injector_of
from omniloom.api.http import runtime_of


@get(
    "/health",
    summary="Liveness and backend",
    description="`faults`: how many fault rules are active (0 unless an admin added some).",
    tags=["health"],
)
async def health(request: Request[Any, Any, Any]) -> dict[str, str | int]:
    runtime = runtime_of(request)
    return {
        "status": "ok",
        "database": runtime.db.url.split(":", 1)[0],
        "now": runtime.clock.now().isoformat(),
        "faults": await injector_of(request.app).book.live_count(runtime),
    }


@get("/hello", summary="Hello world (benchmark baseline)", tags=["health"], include_in_schema=False)
async def hello() -> dict[str, str]:
    return {"hello": "world"}
