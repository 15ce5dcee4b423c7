"""Fixtures: a fresh store per test, on SQLite and (when a URL is given) on PostgreSQL."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from litestar.testing import AsyncTestClient

from omniloom.api.app import create_app
from omniloom.config import Settings
from omniloom.store.database import Database, open_database
from tests.support import contract
from tests.support.app import ClientWith, app_client
from tests.support.concurrent import concurrent_client
from tests.support.store import load_mini_store
from tests.support.wallet import ShopperClient

PG_URL_ENV = "OMNILOOM_TEST_PG_URL"

contract.install()


def pytest_sessionfinish(session: pytest.Session) -> None:
    contract.check_session(session)


def _backends() -> list[object]:
    return [
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not os.environ.get(PG_URL_ENV),
                reason=f"PostgreSQL tests need {PG_URL_ENV} (e.g. postgresql://postgres@127.0.0.1/test)",
            ),
        ),
    ]


@pytest.fixture(params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return os.environ[PG_URL_ENV]


@pytest.fixture
def store_db(database_url: str) -> Iterator[Database]:
    db = open_database(database_url)
    db.reset_schema()
    db.run_blocking(load_mini_store)
    yield db


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
async def client(store_db: Database, settings: Settings) -> AsyncIterator[AsyncTestClient]:
    async with app_client(settings, store_db) as test_client:
        yield test_client


@pytest.fixture
def client_with(store_db: Database, settings: Settings) -> ClientWith:
    """Opens a client on this test's store with some settings changed:
    ``async with client_with(reservation_policy="add_to_cart") as client:``."""

    def open_client(**changes: Any) -> AbstractAsyncContextManager[ShopperClient]:
        return app_client(dataclasses.replace(settings, **changes), store_db)

    return open_client


@pytest.fixture
async def racing_client(store_db: Database, settings: Settings) -> AsyncIterator[AsyncClient]:
    """A client whose gathered requests are all in flight at once (support/concurrent.py)."""
    async with concurrent_client(create_app(settings, store_db)) as client:
        yield client
