"""The app's own cost per request, without the network: CPU time, or instructions under callgrind.

`bench_api.py` measures what a client sees, but on a shared 2-core machine its figures drift by
10 – 15 % within minutes, more than most single changes are worth. This driver calls the ASGI app
directly, with 32 requests in flight so that writes still commit in groups, and reports:

- CPU microseconds per request (the best of several rounds), for a quick look;
- with ``--callgrind``, instructions per request counted by valgrind (Debian: apt-get install
  valgrind), which repeat to within a fraction of a percent whatever else the machine is doing.

    .venv/bin/python benchmarks/bench_inprocess.py [--route checkout] [--requests 3000]
    .venv/bin/python benchmarks/bench_inprocess.py --route checkout --spread --viewed \
        --database-url postgresql://postgres@127.0.0.1:5432/omni_bench
    .venv/bin/python benchmarks/bench_inprocess.py --route checkout --requests 400 --callgrind
    .venv/bin/python benchmarks/bench_inprocess.py --route checkout --requests 400 --callgrind \
        --database-url postgresql://postgres@127.0.0.1:5432/omni_bench

Routes: hello, product_detail, add_to_cart, checkout (the same requests as bench_api.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import bench_support  # this folder, first on the path when the script runs
from omniloom.api.app import create_app
from omniloom.config import Settings

ROUTES = ("hello", "product_detail", "add_to_cart", "checkout")
IN_FLIGHT = 32
WARM_UP_STEPS = (2, 4, 8, 16, IN_FLIGHT)


async def call(app: Any, method: str, path: str, body: bytes = b"", key: str = "") -> int:
    token = bench_support.cart_token_of(path)
    headers = [
        (b"host", b"127.0.0.1"),
        (b"x-api-key", bench_support.KEY.encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if key:
        headers.append((b"idempotency-key", key.encode()))
    if token:
        headers.append((b"x-cart-token", token.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    delivered = False
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:  # only asked again after the response: the client has gone
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


async def start(app: Any) -> None:
    incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outgoing: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await incoming.put({"type": "lifespan.startup"})
    lifespan = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    asyncio.get_running_loop().create_task(app(lifespan, incoming.get, outgoing.put))
    message = await outgoing.get()
    if message["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"the app did not start: {message}")


async def run(
    requests: int, make: Callable[[int], Awaitable[int]], in_flight: int = IN_FLIGHT
) -> float:
    """CPU seconds per request for ``requests`` requests, ``in_flight`` at a time."""
    numbers = iter(range(requests))

    async def client() -> None:
        for number in numbers:
            status = await make(number)
            if status >= 300:
                raise RuntimeError(f"request {number} answered {status}")

    started = time.process_time()
    await asyncio.gather(*(client() for _ in range(in_flight)))
    return (time.process_time() - started) / requests


def toggle_callgrind(on: bool) -> None:
    subprocess.run(
        ["callgrind_control", "-i", "on" if on else "off", str(os.getpid())],
        check=True,
        stdout=subprocess.DEVNULL,
    )


async def measure(args: argparse.Namespace, workdir: Path) -> None:
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    subprocess.run(
        [sys.executable, "-m", "omniloom.cli", "seed", "--database-url", url, "--quiet"],
        check=True,
    )
    # In a thread: preparing runs a loop of its own.
    store = await asyncio.to_thread(
        bench_support.prepare,
        url,
        checkout_carts=2 * sum(WARM_UP_STEPS) + args.requests * args.rounds,
        add_carts=500,
        spread_skus=200,
    )
    product_id, sku, add_ids = store.hot_product, store.hot_sku, store.add_carts
    ready = store.spread_carts if args.spread else store.hot_carts
    os.environ["OMNILOOM_CLOCK"] = args.clock
    app = create_app(Settings.from_env(database_url=url), serving=True)
    await start(app)
    add_body = json.dumps({"sku": sku, "quantity": 1}).encode()
    checkout_body = bench_support.CHECKOUT_BODY.encode()
    checked_out = 0

    def make(number: int) -> Awaitable[int]:
        if args.route == "hello":
            return call(app, "GET", "/hello")
        if args.route == "product_detail":
            return call(app, "GET", f"/v1/products/{product_id}")
        if args.route == "add_to_cart":
            cart_id = add_ids[number % len(add_ids)]
            return call(app, "POST", f"/v1/carts/{cart_id}/lines", add_body)
        path = f"/v1/carts/{ready[checked_out + number]}/checkout"
        return call(app, "POST", path, checkout_body, key="bench" + path)

    if args.viewed:
        # Unmeasured: every cart is looked at once, as on a checkout page, so that the process
        # knows each cart when it is checked out (services/carts/seen.py).
        carts = iter(ready)

        async def view(_: int) -> int:
            cart_id = next(carts)
            return await call(app, "GET", f"/v1/carts/{cart_id}")

        await run(len(ready), view)
    # Unmeasured: the pool's connections opened and their statements prepared, a few more at a
    # time (under valgrind, opening them all at once while requests queued for one took longer
    # than the pool waits, 30 s, and the queued requests answered 500).
    for in_flight in WARM_UP_STEPS:
        await run(2 * in_flight, make, in_flight)
        checked_out += 2 * in_flight
    best = float("inf")
    for _ in range(args.rounds):
        if args.callgrind_child:
            toggle_callgrind(True)
        spent = await run(args.requests, make)
        if args.callgrind_child:
            toggle_callgrind(False)
        checked_out += args.requests
        best = min(best, spent)
    if not args.callgrind_child:
        print(f"{args.route}: {best * 1e6:.1f} µs CPU per request (best of {args.rounds})")


def count_instructions(args: argparse.Namespace) -> int:
    if shutil.which("valgrind") is None:
        print("--callgrind needs valgrind: apt-get install valgrind", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="omniloom-callgrind-") as scratch:
        out = Path(scratch) / "callgrind.out"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--route",
            args.route,
            "--requests",
            str(args.requests),
            "--rounds",
            "1",
            "--callgrind-child",
        ]
        if args.database_url:
            command += ["--database-url", args.database_url]
        if args.spread:
            command.append("--spread")
        if args.viewed:
            command.append("--viewed")
        command += ["--clock", args.clock]
        child = subprocess.run(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        if child.returncode != 0:
            # valgrind's own lines start with ==pid==; the rest is the benchmark's.
            said = [line for line in child.stderr.splitlines() if not line.startswith("==")]
            print("\n".join(said[-80:]), file=sys.stderr)
            return child.returncode
        summary = out.read_text(errors="replace")
    totals = re.search(r"^totals:\s+(\d+)", summary, re.M)
    if totals is None:
        raise RuntimeError("callgrind wrote no totals")
    per_request = int(totals.group(1)) // args.requests
    print(f"{args.route}: {per_request:,} instructions per request")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--route", choices=ROUTES, default="checkout")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--callgrind", action="store_true", help="count instructions instead")
    parser.add_argument(
        "--database-url", default=None, help="a PostgreSQL database to reset and use"
    )
    parser.add_argument("--spread", action="store_true", help="checkout carts over 200 SKUs")
    parser.add_argument(
        "--viewed",
        action="store_true",
        help="checkout: each cart looked at first (GET, unmeasured), so the process knows it",
    )
    parser.add_argument(
        "--clock",
        choices=("simulated", "system"),
        default="simulated",
        help="system: the system clock instead of the simulated one",
    )
    parser.add_argument("--callgrind-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.callgrind:
        return count_instructions(args)
    workdir = Path(tempfile.mkdtemp(prefix="omniloom-inprocess-"))
    try:
        asyncio.run(measure(args, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
