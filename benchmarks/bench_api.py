"""Ratio benchmark: omniloom's hot routes against the same app's hello-world, on every backend,
in one run.

For each backend (SQLite with one process; PostgreSQL with 1 and with 2 worker processes, each
in a database of its own) it seeds a fresh demo store, prepares carts and starts `omniloom
serve`; then, round by round with the backends taking turns, it drives each with wrk on
loopback:

  hello_world        GET  /hello: the framework's ceiling on this machine, the baseline
  product_hit        GET  /v1/products/{id}, the same product every time (a cache hit)
  product_mixed      GET  a product page, then check out a cart holding one of its SKUs, in
                     turn over 200 products: every page read follows a write that touched it
                     (a cache miss on a cache that forgets what writes touch)
  add_to_cart        POST /v1/carts/{id}/lines, rotating over 2,000 carts
  checkout_hot       POST /v1/carts/{id}/checkout with an Idempotency-Key, one hot SKU
  checkout_spread    the same, carts spread over 200 SKUs
  checkout_viewed    the same, each cart looked at (GET, unmeasured) through the server
                     before the round, as a checkout page shows it: the process that
                     answered knows the cart and need not read it again

and prints req/s, p50, p99, failures (non-2xx answers, wrk's timeouts and socket errors), the
ratio to hello-world, and the CPU time per request of the server processes and of the database
backends serving them. Any failure, or `omniloom verify` finding the store inconsistent
afterwards, fails the run (exit 1). Needs `wrk` (Debian: apt-get install wrk) and, for the
PostgreSQL backends, a server reachable at --pg (default postgresql://postgres@127.0.0.1:5432).

    .venv/bin/python benchmarks/bench_api.py [--backends sqlite,pg1,pg2] [--rounds 3]

The backends take turns within each round, so that a drift in the machine's speed (about
±15 % over minutes on 2 cores shared with the database) falls on all of them alike. Each
route's ratio is the median over the rounds of its req/s against the hello-world measured
at the start of the same round (the machine's own speed drifts); req/s, latencies and CPU per
request are medians too. Beside the median req/s the table shows the lowest and highest round
("rounds"): where two backends' ranges overlap, the machine's noise is as large as their
difference.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench_support import (
    CHECKOUT_BODY,
    KEY,
    Figures,
    Rotation,
    backend_cpu,
    cpu_spent,
    free_port,
    lua_script,
    pg_database_url,
    prepare,
    run_wrk,
    tree_cpu_seconds,
    view_carts,
    wait_ready,
)

ROUTES = (
    "hello_world",
    "product_hit",
    "product_mixed",
    "add_to_cart",
    "checkout_hot",
    "checkout_spread",
    "checkout_viewed",
)
AUTH = {"X-API-Key": KEY}  # the demo web shop's public storefront key
# The figures below which a route has a problem worth a look (share of hello-world req/s).
GOALS = {
    "product_hit": 0.50,
    "add_to_cart": 0.10,
    "checkout_hot": 0.05,
    "checkout_spread": 0.05,
    "checkout_viewed": 0.05,
}


@dataclass(frozen=True)
class Backend:
    name: str
    workers: int
    url: str
    # Ready carts made per second of checkout load: a cart is ordered once, and a reused cart
    # would answer 409, which costs less than a checkout and would flatter the figures.
    carts_per_second: int


def backends(names: list[str], pg_base: str, pg_database: str, scratch: Path) -> list[Backend]:
    # Each PostgreSQL backend has a database of its own: all of them are served at once, so
    # that their rounds can take turns on the same machine.
    known = {
        "sqlite": Backend("SQLite, 1 process", 1, f"sqlite:///{scratch / 'bench.db'}", 5_000),
        "pg1": Backend(
            "PostgreSQL, 1 worker", 1, pg_database_url(pg_base, f"{pg_database}_pg1"), 3_000
        ),
        "pg2": Backend(
            "PostgreSQL, 2 workers", 2, pg_database_url(pg_base, f"{pg_database}_pg2"), 3_000
        ),
    }
    return [known[name] for name in names]


def recreate_pg_database(url: str) -> None:
    name = make_url(url).database
    admin = pg_database_url(url, "postgres")
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", admin, "-q", "-c", sql], check=True, capture_output=True)


class Served:
    """One backend's seeded store and running server, measured a round at a time so that the
    rounds of every backend can alternate: on 2 cores shared with the database the machine's
    speed drifts by about 15 % over minutes, and backends measured one after the other would
    each see a different machine."""

    def __init__(self, backend: Backend, args: argparse.Namespace, omniloom: list[str]):
        self.backend, self.args, self.omniloom = backend, args, omniloom
        self.measured: dict[str, list[Figures]] = {}
        if backend.url.startswith("postgresql"):
            recreate_pg_database(backend.url)
        subprocess.run([*omniloom, "seed", "--database-url", backend.url, "--quiet"], check=True)
        self.per_round = backend.carts_per_second * args.seconds
        self.store = prepare(
            backend.url,
            checkout_carts=self.per_round * args.rounds,
            add_carts=2_000,
            spread_skus=200,
        )
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.server = subprocess.Popen(
            [
                *omniloom,
                "serve",
                "--database-url",
                backend.url,
                "--port",
                str(port),
                "--workers",
                str(backend.workers),
            ],
            stdout=subprocess.DEVNULL,
            env={**os.environ, "OMNILOOM_CLOCK": "simulated"},
        )
        try:
            wait_ready(self.base)
        except BaseException:
            self.stop()  # not yet in the caller's list of servers to stop
            raise

    def warm_up(self) -> None:
        """The interpreter, the caches and the database's pages."""
        wrk = {"connections": self.args.connections, "threads": self.args.threads}
        run_wrk(self.base + "/hello", 2, **wrk)
        product = f"/v1/products/{self.store.hot_product}"
        run_wrk(self.base + product, 2, headers=AUTH, **wrk)

    def measure_round(self, index: int) -> None:
        args, store = self.args, self.store
        part = slice(index * self.per_round, (index + 1) * self.per_round)
        add_body = json.dumps({"sku": store.hot_sku, "quantity": 1})
        scripts: dict[str, str | None] = {
            "hello_world": None,
            "product_hit": None,
            "product_mixed": lua_script(
                [
                    Rotation("POST", "/v1/carts/{}/checkout", store.mixed_carts[part]),
                    Rotation("GET", "/v1/products/{}", store.mixed_products[part]),
                ],
                CHECKOUT_BODY,
                args.threads,
            ),
            "add_to_cart": lua_script(
                [Rotation("POST", "/v1/carts/{}/lines", store.add_carts)],
                add_body,
                args.threads,
                idempotent=False,
            ),
            "checkout_hot": lua_script(
                [Rotation("POST", "/v1/carts/{}/checkout", store.hot_carts[part])],
                CHECKOUT_BODY,
                args.threads,
            ),
            "checkout_spread": lua_script(
                [Rotation("POST", "/v1/carts/{}/checkout", store.spread_carts[part])],
                CHECKOUT_BODY,
                args.threads,
            ),
            "checkout_viewed": lua_script(
                [Rotation("POST", "/v1/carts/{}/checkout", store.viewed_carts[part])],
                CHECKOUT_BODY,
                args.threads,
            ),
        }
        wrk = {"connections": args.connections, "threads": args.threads}
        for route in ROUTES:
            if route not in args.routes:
                continue
            target = self.base + (
                "/hello"
                if route == "hello_world"
                else f"/v1/products/{store.hot_product}"
                if route == "product_hit"
                else ""
            )
            headers = AUTH if route == "product_hit" else None
            if route == "checkout_viewed":
                view_carts(self.base, store.viewed_carts[part], args.connections)
            server_cpu = tree_cpu_seconds(self.server.pid)
            db_cpu = backend_cpu(self.backend.url)
            figures = run_wrk(target, args.seconds, script=scripts[route], headers=headers, **wrk)
            requests = max(figures.requests, 1)
            figures.server_cpu_ms = (
                (tree_cpu_seconds(self.server.pid) - server_cpu) * 1000 / requests
            )
            figures.db_cpu_ms = cpu_spent(db_cpu, backend_cpu(self.backend.url)) * 1000 / requests
            self.measured.setdefault(route, []).append(figures)

    def stop(self) -> None:
        self.server.send_signal(signal.SIGINT)
        try:
            self.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.server.kill()

    def verify(self) -> tuple[str, int]:
        """Was it still correct? Ledger, stock and payments after the load."""
        verification = subprocess.run(
            [*self.omniloom, "verify", "--database-url", self.backend.url],
            capture_output=True,
            text=True,
        )
        verdict = (verification.stdout.strip().splitlines() or ["verify printed nothing"])[-1]
        return verdict, verification.returncode


def summarise(measured: dict[str, list[Figures]]) -> dict[str, dict[str, float]]:
    hello = measured.get("hello_world", [])
    summary: dict[str, dict[str, float]] = {}
    for route, rounds in measured.items():
        row: dict[str, float] = {
            key: statistics.median(getattr(f, key) for f in rounds)
            for key in ("rps", "p50_ms", "p99_ms", "server_cpu_ms", "db_cpu_ms")
        }
        # The rounds' lowest and highest req/s: on a machine shared with the database, two
        # backends whose ranges overlap are not told apart by their medians.
        row["rps_low"] = min(f.rps for f in rounds)
        row["rps_high"] = max(f.rps for f in rounds)
        row["failures"] = sum(f.failures for f in rounds)
        if hello:
            row["ratio"] = statistics.median(
                f.rps / h.rps for f, h in zip(rounds, hello, strict=False)
            )
        summary[route] = row
    return summary


def print_table(name: str, summary: dict[str, dict[str, float]], verdict: str) -> None:
    print(f"\n{name}")
    header = ("route", "req/s", "rounds", "p50 ms", "p99 ms", "failed", "ratio", "srv ms", "db ms")
    print("{:<17}{:>9}{:>14}{:>9}{:>9}{:>8}{:>8}{:>8}{:>8}".format(*header))
    for route, row in summary.items():
        goal = GOALS.get(route)
        note = "" if goal is None or row.get("ratio", 1) >= goal else "  below goal"
        rounds = f"{row['rps_low']:.0f}-{row['rps_high']:.0f}"
        print(
            f"{route:<17}{row['rps']:>9.0f}{rounds:>14}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}"
            f"{row['failures']:>8.0f}{row.get('ratio', 0):>8.0%}"
            f"{row['server_cpu_ms']:>8.2f}{row['db_cpu_ms']:>8.2f}{note}"
        )
    print(f"after the load: {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", default="sqlite,pg1,pg2", help="of sqlite, pg1, pg2")
    parser.add_argument("--routes", default=",".join(ROUTES), help="a subset of the routes")
    parser.add_argument("--seconds", type=int, default=5, help="per route per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--pg",
        default="postgresql://postgres@127.0.0.1:5432",
        help="the PostgreSQL server; postgresql://postgres@/?host=/var/run/postgresql for its "
        "Unix socket",
    )
    parser.add_argument(
        "--pg-database",
        default="omni_bench_pg",
        help="the PostgreSQL backends drop and create NAME_pg1 and NAME_pg2 (each person on a "
        "shared server their own NAME)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args()
    args.routes = set(args.routes.split(",")) | {"hello_world"}
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="omniloom-bench-"))
    omniloom = [sys.executable, "-m", "omniloom.cli"]
    results: dict[str, Any] = {}
    failed = False
    started = time.monotonic()
    served: list[Served] = []
    try:
        try:
            for backend in backends(args.backends.split(","), args.pg, args.pg_database, scratch):
                served.append(Served(backend, args, omniloom))
            for each in served:
                each.warm_up()
            # Round by round, every backend in turn: each round of each sees the same machine.
            for index in range(args.rounds):
                for each in served:
                    print(f"round {index + 1} of {args.rounds}: {each.backend.name}", flush=True)
                    each.measure_round(index)
        finally:
            for each in served:
                each.stop()
        for each in served:
            verdict, code = each.verify()
            summary = summarise(each.measured)
            print_table(each.backend.name, summary, verdict)
            results[each.backend.name] = {"routes": summary, "verify": verdict}
            failed |= code != 0 or any(row["failures"] for row in summary.values())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(
        f"\n{args.connections} connections, {args.rounds} rounds of {args.seconds}s per route, "
        f"wrk on loopback, {time.monotonic() - started:.0f}s in all; "
        f"srv/db ms = CPU per request of the server processes / the database backends"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if failed:
        print("FAILED: a request failed or the store did not verify", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
