"""Ratio benchmark: omniloom's hot routes against the same app's hello-world, in one run.

Starts `omniloom serve` (one process, SQLite, uvicorn + uvloop + httptools) on the demo store,
then drives it with wrk on loopback:

  (a) GET  /hello                          the framework's ceiling on this machine
  (b) GET  /v1/products/{id}               product detail with availability by location
  (c) POST /v1/carts/{id}/lines            add to cart (a write: version bump, stock check, event)
  (d) POST /v1/carts/{id}/checkout         checkout (reserve, price, tax, charge, order, events)

and prints requests/s, p50, p99 and each ratio to (a). Goals: (b) >= 60 %, (c) >= 35 %,
(d) >= 20 % of (a). Needs `wrk` (Debian: apt-get install wrk).

    .venv/bin/python benchmarks/bench_api.py [--rounds 3] [--seconds 5] [--connections 64]

Each route's ratio is the median, over the rounds, of its req/s against a hello-world measured
right before it (the machine's own speed drifts); req/s, p50 and p99 are medians too.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, select, update

from omniloom.config import Settings
from omniloom.domain.ownership import OwnershipProofs
from omniloom.services.kernel import access_key
from omniloom.store.tables import cart_lines, carts, channel_locations, inventory, skus

GOALS = {"product_detail": 0.60, "add_to_cart": 0.35, "checkout": 0.20}
CHECKOUTS_PER_SECOND_AT_MOST = 8_000
KEY = "olk_web_demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def prepare(
    db_path: Path, checkout_carts: int, add_carts: int
) -> tuple[str, str, list[str], list[str]]:
    """Pick a well-stocked SKU, give it deep stock, and make carts ready to check out."""
    engine = create_engine(f"sqlite:///{db_path}")
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    with engine.begin() as conn:
        dc = conn.execute(
            select(channel_locations.c.location_id)
            .where(channel_locations.c.channel == "web")
            .order_by(channel_locations.c.rank)
            .limit(1)
        ).scalar_one()
        sku, product_id = conn.execute(
            select(skus.c.sku, skus.c.product_id)
            .join(inventory, inventory.c.sku == skus.c.sku)
            .where(inventory.c.location_id == dc)
            .order_by(inventory.c.on_hand.desc(), skus.c.sku)
            .limit(1)
        ).one()
        conn.execute(
            update(inventory)
            .where(inventory.c.location_id == dc)
            .values(on_hand=10_000_000, opening_on_hand=10_000_000)
        )
        checkout_ids = [f"cart_bench_co_{i:06d}" for i in range(checkout_carts)]
        add_ids = [f"cart_bench_add_{i:06d}" for i in range(add_carts)]
        conn.execute(
            carts.insert(),
            [
                {
                    "id": cart_id,
                    "channel": "web",
                    "device_id": None,
                    "customer_id": None,
                    "status": "active",
                    "currency": "USD",
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for cart_id in checkout_ids + add_ids
            ],
        )
        conn.execute(
            cart_lines.insert(),
            [
                {
                    "id": f"line_bench_{i:06d}",
                    "cart_id": cart_id,
                    "sku": sku,
                    "quantity": 1,
                    "added_at": now,
                }
                for i, cart_id in enumerate(checkout_ids)
            ],
        )
    engine.dispose()
    return product_id, sku, checkout_ids, add_ids


LUA_ROTATE = """
local ids = {%(ids)s}
local tokens = {%(tokens)s}
local counter = 0
local thread_index = 0
local threads = 0
function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end
function init(args)
  counter = thread_index
  nthreads = %(threads)d
end
request = function()
  local index = (counter %% #ids) + 1
  counter = counter + nthreads
  return wrk.format("POST", "/v1/carts/" .. ids[index] .. "%(suffix)s", {
    ["X-API-Key"] = "%(key)s", ["X-Cart-Token"] = tokens[index],
    ["Content-Type"] = "application/json"}, '%(body)s')
end
"""


CHECKOUT_BODY = json.dumps(
    {
        "fulfilment": {
            "type": "ship",
            "address": {
                "name": "Bench",
                "line1": "1 Loop Rd",
                "city": "Columbus",
                "postal_code": "43004",
                "country": "US",
            },
        },
        "payment": {"method": "card", "card_number": "4242424242424242"},
    }
)


def cart_token(cart_id: str) -> str:
    """The X-Cart-Token the server expects for a cart made straight in the database: the
    server's access key comes from OMNILOOM_SECRET_KEY or the seed (services/kernel/access_key)."""
    settings = Settings.from_env()
    if settings.secret_key:
        key = access_key.from_secret(settings.secret_key)
    elif settings.id_seed is not None:
        key = access_key.from_seed(settings.id_seed)
    else:
        raise SystemExit("set OMNILOOM_ID_SEED or OMNILOOM_SECRET_KEY to benchmark cart routes")
    return OwnershipProofs(key).cart_token(cart_id)


def lua_rotating(ids: list[str], suffix: str, body: str, threads: int) -> str:
    return LUA_ROTATE % {
        "ids": ",".join(f'"{cart_id}"' for cart_id in ids),
        "tokens": ",".join(f'"{cart_token(cart_id)}"' for cart_id in ids),
        "suffix": suffix,
        "key": KEY,
        "body": body,
        "threads": threads,
    }


def run_wrk(
    url: str,
    seconds: int,
    connections: int,
    threads: int,
    script: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, float]:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory() as scratch:
        if script is not None:
            script_path = Path(scratch) / "requests.lua"
            script_path.write_text(script)
            command += ["-s", str(script_path)]
        command.append(url)
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    try:
        return parse_wrk(output)
    except (AttributeError, ValueError) as exc:
        raise RuntimeError(f"could not read wrk's report:\n{output}") from exc


def _ms(value: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)$", value)
    if match is None:
        raise ValueError(f"unexpected wrk latency {value!r}")
    number, unit = match.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(output: str) -> dict[str, float]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "non_2xx": float(non2xx.group(1)) if non2xx else 0.0,
    }


def wait_ready(base: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/hello", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=5, help="per route per round")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="each round measures hello-world right before every route; ratios are medians",
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="omniloom-bench-"))
    db_path = workdir / "bench.db"
    url = f"sqlite:///{db_path}"
    omniloom = [sys.executable, "-m", "omniloom.cli"]
    subprocess.run([*omniloom, "seed", "--database-url", url, "--quiet"], check=True)
    # Each round checks out carts of its own, and must never run out: a reused cart answers 409,
    # which costs less than a checkout and would flatter the figures.
    ready_carts = CHECKOUTS_PER_SECOND_AT_MOST * args.seconds * args.rounds
    product_id, sku, checkout_ids, add_ids = prepare(
        db_path, checkout_carts=ready_carts, add_carts=2_000
    )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*omniloom, "serve", "--database-url", url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        env={**os.environ, "OMNILOOM_CLOCK": "simulated"},
    )
    # route → one (figures, hello-world req/s measured just before it) per round
    rounds: dict[str, list[tuple[dict[str, float], float]]] = {}
    try:
        wait_ready(base)
        auth = {"X-API-Key": KEY}
        # Warm up the interpreter, caches and SQLite page cache.
        run_wrk(base + "/hello", 2, args.connections, args.threads)
        run_wrk(
            base + f"/v1/products/{product_id}", 2, args.connections, args.threads, headers=auth
        )
        add_body = json.dumps({"sku": sku, "quantity": 1})
        per_round = len(checkout_ids) // args.rounds
        # The machine's own speed drifts by ±15 % over a minute here, so every route is
        # compared with a hello-world measured right before it, not once at the start.
        for round_index in range(args.rounds):
            # Each round checks out carts of its own: a cart is ordered only once.
            ready = checkout_ids[round_index * per_round : (round_index + 1) * per_round]
            routes = [
                ("product_detail", base + f"/v1/products/{product_id}", None, auth),
                (
                    "add_to_cart",
                    base,
                    lua_rotating(add_ids, "/lines", add_body, args.threads),
                    None,
                ),
                (
                    "checkout",
                    base,
                    lua_rotating(ready, "/checkout", CHECKOUT_BODY, args.threads),
                    None,
                ),
            ]
            for name, target, script, headers in routes:
                hello = run_wrk(base + "/hello", args.seconds, args.connections, args.threads)
                figures = run_wrk(
                    target, args.seconds, args.connections, args.threads, script, headers
                )
                rounds.setdefault("hello_world", []).append((hello, hello["rps"]))
                rounds.setdefault(name, []).append((figures, hello["rps"]))
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    # Was it still correct? Ledger, stock and payments after the load.
    verification = subprocess.run(
        [*omniloom, "verify", "--database-url", url], capture_output=True, text=True
    )
    shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"\nomniloom API benchmark: {args.connections} connections, {args.rounds} rounds of "
        f"{args.seconds}s per route, one server process, wrk on loopback"
    )
    header = ("route", "req/s", "p50 ms", "p99 ms", "non-2xx", "ratio", "goal")
    print("{:<16}{:>10}{:>9}{:>9}{:>9}{:>8}{:>7}".format(*header))
    results: dict[str, dict[str, float]] = {}
    for name, measured in rounds.items():
        ratio = statistics.median(figures["rps"] / hello for figures, hello in measured)
        figures = {
            key: statistics.median(f[key] for f, _ in measured)
            for key in ("rps", "p50_ms", "p99_ms")
        }
        figures["non_2xx"] = sum(f["non_2xx"] for f, _ in measured)
        figures["ratio"] = ratio
        results[name] = figures
        goal = GOALS.get(name)
        goal_text = "" if goal is None else f"{goal:.0%}"
        verdict = "" if goal is None else ("met" if ratio >= goal else "MISSED")
        print(
            f"{name:<16}{figures['rps']:>10.0f}{figures['p50_ms']:>9.2f}{figures['p99_ms']:>9.2f}"
            f"{figures['non_2xx']:>9.0f}{ratio:>8.0%}{goal_text:>7}  {verdict}"
        )
    print(f"after the load: {verification.stdout.strip().splitlines()[-1]}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return verification.returncode


if __name__ == "__main__":
    sys.exit(main())
