"""The kit against `omniloom serve --workers 2` on PostgreSQL: one clock for both workers, and
a flash sale that still gives exactly K orders when two processes take the orders."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import PG_URL_ENV
from tests.e2e.test_load_kit import (
    SECONDS,
    USERS,
    Store,
    flash_sale_row,
    flash_sale_shape,
    locust,
)

BIN = Path(sys.executable).parent
ADMIN = {"X-API-Key": "olk_admin_demo"}


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.skip(f"needs {PG_URL_ENV}")
    env = {**os.environ, "OMNILOOM_DATABASE_URL": url}
    subprocess.run([BIN / "omniloom", "seed"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [BIN / "omniloom", "serve", "--workers", "2", "--port", "0", "--log-level", "info"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stderr is not None
    host, started = "", 0
    for line in server.stderr:  # uvicorn names the address, then each worker says it is up
        if "Uvicorn running on" in line:
            host = line.split("running on ")[1].split()[0]
        started += "Application startup complete" in line
        if started == 2:
            break
    assert host, "the server did not start"
    home = tmp_path_factory.mktemp("pg-load")
    yield Store(host, url, home, home / "no-request-log")
    server.terminate()
    server.wait(timeout=30)


def test_an_advance_through_one_worker_is_seen_by_every_worker(two_workers: Store) -> None:
    host = two_workers.host
    moved = httpx.post(f"{host}/v1/admin/clock/advance", json={"hours": 3}, headers=ADMIN)
    assert moved.status_code == 200, moved.text
    seen: Counter[str] = Counter()
    for _ in range(30):
        with httpx.Client() as fresh:  # a new connection each time: either worker may answer
            seen[fresh.get(f"{host}/v1/admin/clock", headers=ADMIN).json()["now"]] += 1
    assert seen == {moved.json()["now"]: 30}


def test_a_flash_sale_on_two_processes_gives_exactly_k_orders(two_workers: Store) -> None:
    assert SECONDS and USERS
    shape = flash_sale_shape(two_workers.home, units=5)
    results = two_workers.home / "flash"
    ran = locust(two_workers, shape, results, "--verdict", f"--database-url={two_workers.url}")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert flash_sale_row(results) == (True, "5 orders")
