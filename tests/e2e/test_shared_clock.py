"""The simulated clock is the store's, not a process's: it runs at a compression factor on the
wall, every server process tells the same time, and a restart continues from where it was.
Wall time is a fake the tests move by hand."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import pytest

from omniloom.api.app import create_app
from omniloom.config import Settings
from omniloom.store.database import Database, open_database
from tests.conftest import PG_URL_ENV
from tests.support.api import Client, add, events, headers, new_cart, stock
from tests.support.clock import FakeWall
from tests.support.store import ADMIN_KEY, DC, NYC, SEA, load_mini_store
from tests.support.wallet import ShopperClient

ADMIN = headers(ADMIN_KEY)
START = datetime.fromisoformat("2026-11-02T09:00:00+00:00")


@asynccontextmanager
async def serving(settings: Settings, wall: FakeWall) -> AsyncIterator[Client]:
    """One server process on the store: its own database connection, the shared wall."""
    app = create_app(settings, open_database(settings.database_url), wall=wall)
    async with ShopperClient(app=app) as client:
        yield client


async def now(client: Client) -> datetime:
    response = await client.get("/v1/admin/clock", headers=ADMIN)
    assert response.status_code == 200, response.text
    return datetime.fromisoformat(response.json()["now"])


async def test_a_compressed_clock_runs_with_the_wall_and_fires_what_fell_due(
    store_db: Database, settings: Settings
) -> None:
    wall = FakeWall()
    held = Settings(
        database_url=settings.database_url,
        reservation_policy="add_to_cart",
        reservation_ttl=timedelta(minutes=15),
    )
    async with serving(held, wall) as client:
        cart = await new_cart(client)
        await add(client, cart["id"], "SKU-TEE-L", 2)  # held at a store: DC has none
        running = await client.put("/v1/admin/clock", json={"factor": 600}, headers=ADMIN)
        assert running.status_code == 200, running.text
        assert (running.json()["factor"], running.json()["frozen"]) == (600, False)

        wall.pass_seconds(1)  # ten simulated minutes
        assert await now(client) == START + timedelta(minutes=10)
        assert await stock(client, "prd_tee", "SKU-TEE-L") == {DC: 0, NYC: 1, SEA: 0}

        wall.pass_seconds(1)  # twenty: the 15-minute hold fell due; the next write fires it
        await client.post("/v1/admin/clock/advance", json={}, headers=ADMIN)
        assert await stock(client, "prd_tee", "SKU-TEE-L") == {DC: 0, NYC: 1, SEA: 2}
        assert len(await events(client, type="inventory.reservation_expired")) == 1


async def test_bad_compression_factors_are_refused_and_change_nothing(client: Client) -> None:
    for body in ({"factor": -1}, {"factor": "fast"}, {"speed": 10}, {"factor": 10**9}):
        refused = await client.put("/v1/admin/clock", json=body, headers=ADMIN)
        assert refused.status_code in (400, 422), refused.text
        assert refused.json()["code"] in ("invalid_input", "validation_error")
    assert (await client.get("/v1/admin/clock", headers=ADMIN)).json()["frozen"] is True
    shopper = await client.put("/v1/admin/clock", json={"factor": 10}, headers=headers())
    assert shopper.status_code == 403


async def test_after_a_restart_the_clock_continues_from_the_time_it_had(
    store_db: Database, settings: Settings
) -> None:
    wall = FakeWall()
    async with serving(settings, wall) as client:
        await client.post("/v1/admin/clock/advance", json={"days": 2}, headers=ADMIN)
        await client.put("/v1/admin/clock", json={"factor": 60}, headers=ADMIN)
        wall.pass_seconds(60)  # an hour
        assert await now(client) == START + timedelta(days=2, hours=1)

    wall.pass_seconds(30)  # down for half a wall minute, the clock still runs
    async with serving(settings, wall) as restarted:
        assert await now(restarted) == START + timedelta(days=2, hours=1, minutes=30)
        await restarted.post("/v1/admin/clock/freeze", headers=ADMIN)

    wall.pass_seconds(600)
    async with serving(settings, wall) as again:
        assert await now(again) == START + timedelta(days=2, hours=1, minutes=30)


@pytest.fixture
def pg_settings() -> Settings:
    if not os.environ.get(PG_URL_ENV):
        pytest.skip(f"needs {PG_URL_ENV}")
    settings = Settings(database_url=os.environ[PG_URL_ENV], id_seed=None)
    db = open_database(settings.database_url)
    db.reset_schema()
    db.run_blocking(load_mini_store)
    asyncio.run(db.close())
    return settings


async def test_every_server_process_on_postgresql_sees_an_advance(pg_settings: Settings) -> None:
    settings = pg_settings
    wall = FakeWall()
    async with serving(settings, wall) as first, serving(settings, wall) as second:
        await first.post("/v1/admin/clock/advance", json={"hours": 5}, headers=ADMIN)
        assert await now(second) == START + timedelta(hours=5)
        # A write on the other process is stamped with the advanced time, too.
        cart = await new_cart(second)
        assert datetime.fromisoformat(cart["created_at"]) == START + timedelta(hours=5)

        await second.put("/v1/admin/clock", json={"factor": 120}, headers=ADMIN)
        wall.pass_seconds(30)  # an hour at 120×
        assert await now(first) == await now(second) == START + timedelta(hours=6)
