"""A client whose requests really overlap.

Litestar's AsyncTestClient hands each request to the app on a portal thread and blocks until
it is answered, so requests gathered through it run one after another. Races need the app and
its clients on one event loop: the app started by its lifespan here, requests sent through
httpx's ASGI transport, all of them in flight at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from tests.support.wallet import Wallet


@asynccontextmanager
async def concurrent_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outgoing: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    lifespan = asyncio.get_running_loop().create_task(app(scope, incoming.get, outgoing.put))
    await incoming.put({"type": "lifespan.startup"})
    started = await outgoing.get()
    assert started["type"] == "lifespan.startup.complete", started
    try:
        transport = httpx.ASGITransport(app=app)
        wallet = Wallet()  # remembers and sends cart and order tokens, as ShopperClient does
        hooks: dict[str, list[Any]] = {
            "request": [wallet.on_request],
            "response": [wallet.on_response],
        }
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", event_hooks=hooks
        ) as client:
            yield client
    finally:
        await incoming.put({"type": "lifespan.shutdown"})
        await outgoing.get()
        await lifespan
