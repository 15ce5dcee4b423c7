"""Carrying journeys over a transport: in-process (the ASGI app, no network) or remote (httpx).

Both runners do the same thing with the same journey: read where the event log stands, run one
journey per cast, read back the events the run added (the journal). In-process, every scenario
file gets a fresh copy of the demo store (seeded once per process into a template file), with
the scenario's seed as the id seed, so a replay is byte-identical.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from omniloom.scenarios import journal
from omniloom.scenarios.access import DEMO_KEYS
from omniloom.scenarios.journey import JourneyOutcome, StepOutcome, journey
from omniloom.scenarios.model import Scenario
from omniloom.scenarios.protocol import HttpCall, HttpReply
from omniloom.scenarios.shoppers import casts

T = TypeVar("T")
Carry = Callable[[HttpCall], Awaitable[HttpReply]]
Observer = Callable[[StepOutcome], None]


@dataclass(slots=True)
class RunResult:
    """One scenario file's runs (one per cast) and the journal they left."""

    scenario: Scenario
    outcomes: list[JourneyOutcome] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.error and all(o.passed for o in self.outcomes)

    @property
    def journal(self) -> bytes:
        return journal.encode(self.events)


async def drive_async(gen: Generator[HttpCall, HttpReply, T], carry: Carry) -> T:
    """Run any sans-IO generator (a journey, a journal read) over an async transport."""
    try:
        call = next(gen)
        while True:
            call = gen.send(await carry(call))
    except StopIteration as done:
        result: T = done.value
        return result


def httpx_carrier(client: httpx.AsyncClient) -> Carry:
    """Litestar's AsyncTestClient is an httpx client too, so one carrier serves both runners."""

    async def carry(call: HttpCall) -> HttpReply:
        response = await client.request(
            call.method, call.path, headers=call.headers, json=call.json
        )
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        return HttpReply(response.status_code, dict(response.headers), body)

    return carry


async def run_scenario(
    scenario: Scenario,
    carry: Carry,
    *,
    keys: Mapping[str, str] | None = None,
    runs: int = 1,
    observer: Observer | None = None,
    reset: bool = False,
) -> RunResult:
    keys = {**DEMO_KEYS, **(keys or {})}
    result = RunResult(scenario)
    try:
        if reset:
            await drive_async(journal.reset_store(keys["admin"]), carry)
        start = await drive_async(journal.last_seq(keys["admin"]), carry)
        for cast in casts(scenario, runs):
            outcome = await drive_async(
                journey(scenario, cast, keys=keys, observer=observer), carry
            )
            result.outcomes.append(outcome)
        result.events = await drive_async(journal.read_events(start, keys["admin"]), carry)
    except journal.JournalError as exc:
        result.error = str(exc)
    return result


async def run_in_process(
    scenario: Scenario,
    *,
    runs: int = 1,
    observer: Observer | None = None,
    database_url: str | None = None,
) -> RunResult:
    """Run through the ASGI app in this process, on a fresh demo store: a copy of the seeded
    SQLite template, or ``database_url`` (PostgreSQL) reset and loaded with the demo store."""
    _quiet_http_logs()
    with tempfile.TemporaryDirectory(prefix="omniloom-scenario-") as folder:
        if database_url is None:
            database = Path(folder) / "store.db"
            await copy_demo_store(database)
            database_url = f"sqlite:///{database}"
        else:
            # Seeding runs its own event loop (run_blocking), so it goes to a thread.
            await asyncio.to_thread(_seed, database_url)
        return await _run_app(scenario, database_url, runs, observer)


async def _run_app(
    scenario: Scenario, database_url: str, runs: int, observer: Observer | None
) -> RunResult:
    from omniloom.api.app import create_app
    from omniloom.config import Settings

    app = create_app(Settings(database_url=database_url, id_seed=scenario.header.seed))
    # httpx's ASGI transport calls the app on this event loop (a test client would hop to a
    # thread per request); the app's lifespan opens and closes the store around the run.
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="http://omniloom.scenario") as client,
    ):
        return await run_scenario(scenario, httpx_carrier(client), runs=runs, observer=observer)


async def run_remote(
    scenario: Scenario,
    target: str,
    *,
    keys: Mapping[str, str] | None = None,
    runs: int = 1,
    observer: Observer | None = None,
    reset: bool = False,
) -> RunResult:
    """Run against a server at ``target``: on its store as it stands, or (``reset``) on its
    store put back to its seeded state first (``POST /v1/admin/reset``), so runs repeat."""
    _quiet_http_logs()
    async with httpx.AsyncClient(base_url=target, timeout=30.0) as client:
        carry = httpx_carrier(client)
        return await run_scenario(
            scenario, carry, keys=keys, runs=runs, observer=observer, reset=reset
        )


_TEMPLATE: dict[str, Path] = {}


async def copy_demo_store(target: Path) -> None:
    """A fresh demo store in the SQLite file ``target`` (a copy of this process's template)."""
    shutil.copyfile(await asyncio.to_thread(_template), target)


def _template() -> Path:
    """The demo store seeded once into a SQLite file this process copies for every scenario."""
    if "path" not in _TEMPLATE:
        path = Path(tempfile.mkdtemp(prefix="omniloom-template-")) / "demo.db"
        _seed(f"sqlite:///{path}")
        _TEMPLATE["path"] = path
    return _TEMPLATE["path"]


def _seed(database_url: str) -> None:
    """Reset ``database_url`` and load the demo store into it, as `omniloom seed` does (with the
    note that lets `POST /v1/admin/reset` load it again)."""
    from omniloom.seed import source
    from omniloom.seed.load import load
    from omniloom.seed.model import SeedParams
    from omniloom.store.database import open_database

    database = open_database(database_url)
    data, _ = source.data_set(SeedParams())

    def fill(conn: Any) -> None:
        load(conn, data)
        source.record(conn, data, None)

    database.reset_schema()
    try:
        database.run_blocking(fill)
    finally:
        asyncio.run(database.close())


def _quiet_http_logs() -> None:
    # httpx logs every request at INFO; a scenario's own progress lines say more.
    logging.getLogger("httpx").setLevel(logging.WARNING)
