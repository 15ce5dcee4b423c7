"""The load-test kit end to end, tried as a performance team would: a freshly seeded store served
by its own process on 127.0.0.1, locust headless for a few seconds with the clock running
compressed, then the verdict. A run judged against an impossible threshold, or a store tampered
with after the load, fails and says why."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent
ADMIN = {"X-API-Key": "olk_admin_demo"}
UVICORN = [sys.executable, "-m", "uvicorn", "--factory", "omniloom.api.app:app_from_env"]
LOCUST = [str(BIN / "locust"), "-f", str(ROOT / "loadtests" / "locustfile.py")]
VERDICT = [str(BIN / "omniloom"), "load", "verdict", f"--mix={ROOT / 'loadtests' / 'mix.yaml'}"]
# Under CI the run is shorter and smaller: it only has to show the kit works end to end.
SECONDS, USERS = (4, 3) if os.environ.get("CI") == "true" else (7, 6)


@dataclass
class Store:
    host: str
    url: str
    home: Path
    log: Path


def _seeded(home: Path) -> dict[str, str]:
    env = {**os.environ, "OMNILOOM_DATABASE_URL": f"sqlite:///{home / 'store.db'}"}
    subprocess.run([BIN / "omniloom", "seed"], env=env, check=True, capture_output=True)
    return env


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A freshly seeded demo store served by its own process (port 0: the OS picks a free one),
    with the request log on."""
    home = tmp_path_factory.mktemp("load")
    env = _seeded(home)
    log = home / "requests.jsonl"
    server = subprocess.Popen(
        [*UVICORN, "--host", "127.0.0.1", "--port", "0", "--log-level", "info", "--no-access-log"],
        env={**env, "OMNILOOM_REQUEST_LOG": str(log)},
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stderr is not None
    host = ""
    for line in server.stderr:  # uvicorn names the address once it listens
        if "Uvicorn running on" in line:
            host = line.split("running on ")[1].split()[0]
            break
    assert host, "the server did not start"
    yield Store(host, env["OMNILOOM_DATABASE_URL"], home, log)
    server.terminate()
    server.wait(timeout=30)


def locust(
    store: Store, shape: Path, results: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *LOCUST,
            f"--host={store.host}",
            "--headless",
            "--only-summary",
            f"--run-time={SECONDS}s",
            f"--shape-file={shape}",
            f"--results-dir={results}",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def verdict(store: Store, results: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*VERDICT, f"--results-dir={results}", f"--database-url={store.url}", *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def run(store: Store) -> tuple[Store, Path, subprocess.CompletedProcess[str]]:
    """One bounded run of the kit's mix, the clock at 600× (a wall second is ten minutes)."""
    shape = store.home / "tiny.yaml"
    shape.write_text(
        # Latency limits this loose: the test is about the kit, not the speed of a busy CI box.
        f"name: tiny\nclock: {{factor: 600}}\nthink_seconds: [0.05, 0.2]\n"
        "thresholds: {p50_ms: 30000, p99_ms: 60000}\n"
        f"stages:\n  - {{duration: {SECONDS}, users: {USERS}}}\n"
    )
    results = store.home / "results"
    ran = locust(store, shape, results, "--verdict", "--database-url", store.url, "--run-id", "t1")
    return store, results, ran


def test_a_short_load_ends_with_a_passing_verdict_and_exit_code_zero(
    run: tuple[Store, Path, subprocess.CompletedProcess[str]],
) -> None:
    _, results, ran = run
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "PASS" in ran.stdout
    assert "ok   acknowledged orders kept" in ran.stdout
    assert (results / "verdict.xml").read_text().count("<testcase") >= 10
    assert '"ok":true' in (results / "verdict.json").read_text().replace(" ", "")


def test_the_load_leaves_a_journal_whose_time_moved_and_conversions_per_channel(
    run: tuple[Store, Path, subprocess.CompletedProcess[str]],
) -> None:
    store, _, _ = run
    with httpx.Client(base_url=store.host, headers=ADMIN) as client:
        clock = client.get("/v1/admin/clock").json()
        kpis = client.get("/v1/analytics/kpis").json()
        stamps = [
            e["occurred_at"] for e in client.get("/v1/admin/events?limit=1000").json()["items"]
        ]
    assert clock["frozen"] is True  # the kit stops the clock when the load ends
    assert stamps[-1] > stamps[0] and len(set(stamps)) > len(stamps) // 2
    assert kpis["customers"] > 0 and kpis["conversions"] > 0
    assert any(rate > 0 for rate in kpis["conversion_rate_by_channel"].values())


def test_the_request_log_has_a_line_per_request_and_no_server_error(
    run: tuple[Store, Path, subprocess.CompletedProcess[str]],
) -> None:
    store, results, _ = run
    judged = verdict(store, results, "--request-log", str(store.log))
    assert judged.returncode == 0, judged.stdout
    assert "ok   server errors (request log)" in judged.stdout


def test_an_impossible_threshold_fails_the_verdict_naming_it(
    run: tuple[Store, Path, subprocess.CompletedProcess[str]],
) -> None:
    store, results, _ = run
    strict = store.home / "strict.yaml"
    strict.write_text(
        "name: strict\nstages: [{duration: 1, users: 1}]\nthresholds: {p50_ms: 0.001}\n"
    )
    judged = verdict(store, results, "--shape-file", str(strict))
    assert judged.returncode == 1
    assert "FAIL p50 latency" in judged.stdout and judged.stdout.rstrip().endswith("FAIL")


def test_a_stock_row_tampered_with_after_the_load_fails_the_verdict(
    run: tuple[Store, Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    store, results, _ = run
    copy = tmp_path / "tampered.db"
    with sqlite3.connect(store.home / "store.db") as live, sqlite3.connect(copy) as tampered:
        live.backup(tampered)  # a consistent copy, WAL included, while the server still runs
        tampered.execute("UPDATE inventory SET on_hand = on_hand + 5 WHERE rowid = 1")
    judged = subprocess.run(
        [*VERDICT, f"--results-dir={results}", f"--database-url=sqlite:///{copy}"],
        capture_output=True,
        text=True,
    )
    assert judged.returncode == 1
    assert "FAIL store: ledger_balanced" in judged.stdout


def test_an_acknowledged_order_missing_from_the_store_fails_the_verdict(
    run: tuple[Store, Path, subprocess.CompletedProcess[str]],
) -> None:
    store, results, _ = run
    forged = results.parent / "forged"
    forged.mkdir(exist_ok=True)
    tally = (next(results.glob("tally-*.json"))).read_text()
    (forged / "tally-1.json").write_text(
        tally.replace('"orders":[', '"orders":["ord_never_placed",')
    )
    judged = verdict(store, forged)
    assert judged.returncode == 1
    assert "FAIL acknowledged orders kept" in judged.stdout and "ord_never_placed" in judged.stdout


def flash_sale_shape(home: Path, units: int) -> Path:
    shape = home / f"flash-{units}.yaml"
    racers = "flash_web: 1, flash_app: 1, flash_social: 1, flash_till: 1"
    shape.write_text(
        "name: flash\nthink_seconds: [0, 0.05]\n"
        f"flash_sale: {{product: prd_000100, sku: SKU-000100-01, units: {units}}}\n"
        f"stages:\n  - {{duration: {SECONDS}, users: {USERS}, weights: {{{racers}}}}}\n"
        "thresholds: {p50_ms: 30000, p99_ms: 60000}\n"
    )
    return shape


def flash_sale_row(results: Path) -> tuple[bool, str]:
    rows = json.loads((results / "verdict.json").read_text())["rows"]
    row = next(row for row in rows if row["name"].startswith("flash sale"))
    return row["ok"], row["figure"]


def test_a_flash_sale_across_channels_gives_exactly_k_orders(store: Store) -> None:
    shape = flash_sale_shape(store.home, units=5)
    results = store.home / "flash"
    ran = locust(store, shape, results, "--verdict", f"--database-url={store.url}")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert flash_sale_row(results) == (True, "5 orders")
