"""The simulated clock is the store's, not a process's: it runs at a compression factor on the
wall, every server process tells the same time, and a restart continues from where it was.
Wall time is a fake the tests move by hand."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import Connection

from omniloom.api.app import create_app
from omniloom.config import Settings
from omniloom.services.admin import snapshots
from omniloom.services.admin.clock import advance as advance_clock
from omniloom.services.admin.clock import sweep
from omniloom.services.kernel.runtime import Runtime
from omniloom.store import settings_queries
from omniloom.store.database import Database, open_database
from omniloom.store.postgres import PostgresDatabase
from tests.conftest import PG_URL_ENV
from tests.support.api import Client, add, events, headers, new_cart, stock
from tests.support.clock import FakeWall
from tests.support.identity import as_customer, new_customer
from tests.support.messaging import define_flow, outbox, runs, set_consents
from tests.support.roundtrips import count_round_trips
from tests.support.store import ADMIN_KEY, DC, MOBILE_KEY, NYC, SEA, load_mini_store
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


@asynccontextmanager
async def runtimes(settings: Settings, wall: FakeWall, count: int) -> AsyncIterator[list[Runtime]]:
    """The services of ``count`` server processes on one store, each with its own database."""
    started = []
    try:
        for _ in range(count):
            runtime = Runtime.from_settings(open_database(settings.database_url), settings, wall)
            started.append(runtime)
            await runtime.start()
        yield started
    finally:
        for runtime in started:
            await runtime.db.close()


async def left_a_cart(client: Client, n: int) -> str:
    """A shopper (SMS allowed) who filled a cart in the app and left it."""
    email, phone = f"shopper{n}@example.com", f"+1555012{n:04d}"
    customer, token = await new_customer(client, email, phone=phone)
    await set_consents(client, customer, sms="subscribed")
    app = as_customer(token, MOBILE_KEY, **{"X-Device-Id": f"app-{n}"})
    cart = (await client.post("/v1/carts", json={}, headers=app)).json()
    await client.post(f"/v1/carts/{cart['id']}/lines", json={"sku": "SKU-MUG"}, headers=app)
    return customer


async def test_two_processes_sweeping_at_once_send_a_due_reminder_once(
    pg_settings: Settings,
) -> None:
    wall = FakeWall()
    async with serving(pg_settings, wall) as client:
        shoppers = [await left_a_cart(client, n) for n in range(4)]
        await define_flow(client)
        await client.put("/v1/admin/clock", json={"factor": 60}, headers=ADMIN)

    async with runtimes(pg_settings, wall, 2) as (first, second):
        wall.pass_seconds(4 * 60 + 1)  # four simulated hours and a minute: the first reminder
        await sweep(first)
        wall.pass_seconds(24 * 60)  # a day later the second is due
        # Both processes' background sweeps fall in the same instant, twice.
        for _ in range(2):
            await asyncio.gather(sweep(first), sweep(second))

    async with serving(pg_settings, wall) as client:
        for customer in shoppers:
            sent = await outbox(client, customer_id=customer, channel="sms")
            assert len(sent) == 2, sent  # one per step of the flow
        assert len(await runs(client)) == len(shoppers)


async def test_two_processes_sweeping_at_once_release_an_expired_hold_once(
    pg_settings: Settings,
) -> None:
    wall = FakeWall()
    held = replace(
        pg_settings, reservation_policy="add_to_cart", reservation_ttl=timedelta(minutes=15)
    )
    async with serving(held, wall) as client:
        cart = await new_cart(client)
        await add(client, cart["id"], "SKU-TEE-L", 2)  # held at a store: DC has none
        await client.put("/v1/admin/clock", json={"factor": 60}, headers=ADMIN)

    async with runtimes(held, wall, 2) as (first, second):
        wall.pass_seconds(20)  # twenty simulated minutes: the hold fell due
        await asyncio.gather(sweep(first), sweep(second))

    async with serving(held, wall) as client:
        assert await stock(client, "prd_tee", "SKU-TEE-L") == {DC: 0, NYC: 1, SEA: 2}
        assert len(await events(client, type="inventory.reservation_expired")) == 1


async def test_a_clock_move_answers_once_every_process_tells_the_new_time(
    pg_settings: Settings,
) -> None:
    async with runtimes(pg_settings, FakeWall(), 2) as (first, second):
        await snapshots.take(first, snapshots.NewSnapshot(name="start"))
        for hours in range(1, 6):
            await first.write(partial(advance_clock, first, delta=timedelta(hours=1)), "admin")
            # The other process's next unit is stamped before it could wait for anything.
            stamped = await second.write(lambda unit: unit.now, "web")
            assert stamped == START + timedelta(hours=hours)
        await snapshots.restore(first, "start")  # the clock back at its start, everywhere
        assert await second.write(lambda unit: unit.now, "web") == START


async def test_the_shared_clock_adds_no_round_trip_to_a_write_on_postgresql(
    pg_settings: Settings,
) -> None:
    db = open_database(pg_settings.database_url)
    assert isinstance(db, PostgresDatabase)
    trips = count_round_trips(db)
    runtime = Runtime.from_settings(db, pg_settings, FakeWall())

    def work(conn: Connection) -> None:
        settings_queries.put(conn, "probe", 1)

    async def round_trips(write: Callable[[], Awaitable[None]]) -> int:
        before = trips.count
        await write()
        return trips.count - before

    try:
        await runtime.start()
        bare = partial(db.write, work)
        in_a_unit = partial(runtime.write, lambda unit: work(unit.conn), "admin")
        for _ in range(2):  # statements prepared, connections open
            await bare()
            await in_a_unit()
        assert await round_trips(in_a_unit) == await round_trips(bare)
    finally:
        await db.close()
