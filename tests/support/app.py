"""Test clients on the app: one place builds them, so every test's client behaves the same.

Most tests take the ``client`` fixture (this test's store, default settings). A test that needs
other settings takes ``client_with`` and opens one, ``async with client_with(routing_rule=
"nearest") as client:``; a test that builds its own store calls :func:`app_client` with it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from omniloom.api.app import create_app
from omniloom.config import Settings
from omniloom.store.database import Database
from tests.support.wallet import ShopperClient

# What the ``client_with`` fixture hands a test: settings changes in, a client to open out.
ClientWith = Callable[..., AbstractAsyncContextManager[ShopperClient]]


@asynccontextmanager
async def app_client(
    settings: Settings, db: Database | None = None
) -> AsyncIterator[ShopperClient]:
    """A client (remembering cart and order tokens) on the app built from ``settings``."""
    async with ShopperClient(app=create_app(settings, db)) as client:
        yield client
