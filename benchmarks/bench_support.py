"""What bench_api.py needs around wrk: the store's carts, wrk scripts and reports, CPU meters."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import Connection, select, update
from sqlalchemy.engine import make_url

from omniloom.domain.ownership import OwnershipProofs
from omniloom.services.kernel import access_key
from omniloom.store.database import open_database
from omniloom.store.tables import (
    cart_lines,
    carts,
    channel_locations,
    inventory,
    product_channels,
    skus,
)

KEY = "olk_web_demo"
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


@dataclass(frozen=True)
class Store:
    hot_sku: str
    hot_product: str
    hot_carts: list[str]  # one line of the hot SKU each
    spread_carts: list[str]  # one line each, SKUs in turn over the spread SKUs
    mixed_carts: list[str]  # as spread_carts, for the mixed read/write route
    mixed_products: list[str]  # the product of each mixed cart's SKU
    add_carts: list[str]  # empty carts
    viewed_carts: list[str]  # as spread_carts, each looked at through the server before checkout


def prepare(url: str, checkout_carts: int, add_carts: int, spread_skus: int) -> Store:
    """Give the web shop's first location deep stock and make carts ready to check out."""
    db = open_database(url)
    store: Store = db.run_blocking(
        lambda conn: _prepare(conn, checkout_carts, add_carts, spread_skus)
    )
    return store


def _prepare(conn: Connection, checkout_carts: int, add_carts: int, spread_skus: int) -> Store:
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    dc = conn.execute(
        select(channel_locations.c.location_id)
        .where(channel_locations.c.channel == "web")
        .order_by(channel_locations.c.rank)
        .limit(1)
    ).scalar_one()
    stocked = conn.execute(
        select(skus.c.sku, skus.c.product_id)
        .join(inventory, inventory.c.sku == skus.c.sku)
        .join(product_channels, product_channels.c.product_id == skus.c.product_id)
        .where(inventory.c.location_id == dc, product_channels.c.channel == "web")
        .order_by(inventory.c.on_hand.desc(), skus.c.sku)
    ).all()
    conn.execute(
        update(inventory)
        .where(inventory.c.location_id == dc)
        .values(on_hand=10_000_000, opening_on_hand=10_000_000)
    )
    hot_sku, hot_product = stocked[0]
    # Spread SKUs over as many products as there are, one SKU per product first.
    by_product: dict[str, str] = {}
    for sku, product in stocked:
        by_product.setdefault(product, sku)
    spread = list(by_product.items())[:spread_skus]
    spread += [(p, s) for s, p in stocked if (p, s) not in spread][: spread_skus - len(spread)]
    lines: list[tuple[str, str]] = []
    hot = [f"cart_b_hot_{i:06d}" for i in range(checkout_carts)]
    lines += [(cart, hot_sku) for cart in hot]
    spread_ids = [f"cart_b_spr_{i:06d}" for i in range(checkout_carts)]
    lines += [(cart, spread[i % len(spread)][1]) for i, cart in enumerate(spread_ids)]
    mixed = [f"cart_b_mix_{i:06d}" for i in range(checkout_carts)]
    lines += [(cart, spread[i % len(spread)][1]) for i, cart in enumerate(mixed)]
    viewed = [f"cart_b_vie_{i:06d}" for i in range(checkout_carts)]
    lines += [(cart, spread[i % len(spread)][1]) for i, cart in enumerate(viewed)]
    empty = [f"cart_b_add_{i:06d}" for i in range(add_carts)]
    cart_rows = [
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
        for cart_id in hot + spread_ids + mixed + viewed + empty
    ]
    line_rows = [
        {"id": f"line_b_{i:07d}", "cart_id": cart, "sku": sku, "quantity": 1, "added_at": now}
        for i, (cart, sku) in enumerate(lines)
    ]
    for table, rows in ((carts, cart_rows), (cart_lines, line_rows)):
        for start in range(0, len(rows), 20_000):
            conn.execute(table.insert(), rows[start : start + 20_000])
    return Store(
        hot_sku=hot_sku,
        hot_product=hot_product,
        hot_carts=hot,
        spread_carts=spread_ids,
        mixed_carts=mixed,
        mixed_products=[spread[i % len(spread)][0] for i in range(len(mixed))],
        add_carts=empty,
        viewed_carts=viewed,
    )


def view_carts(base: str, cart_ids: Sequence[str], connections: int = 32) -> None:
    """GET each cart once through the server, as a checkout page shows it before the shopper
    pays: the process that answers then knows the cart (services/carts/seen.py). With several
    workers each connection lands on one of them, so a later checkout may reach another."""

    async def view_all() -> None:
        pending = iter(cart_ids)
        limits = httpx.Limits(max_connections=connections)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

            async def viewer() -> None:
                for cart_id in pending:
                    headers = {"X-API-Key": KEY, "X-Cart-Token": cart_token(cart_id)}
                    response = await client.get(f"/v1/carts/{cart_id}", headers=headers)
                    response.raise_for_status()

            await asyncio.gather(*(viewer() for _ in range(connections)))

    asyncio.run(view_all())


@dataclass(frozen=True)
class Rotation:
    """Requests made in turn: ``path`` formatted with each of ``ids``."""

    method: str
    path: str
    ids: Sequence[str]


LUA = """
local methods = {%(methods)s}
local paths = {%(paths)s}
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
  local i = (counter %% #paths) + 1
  counter = counter + nthreads
  local headers = {["X-API-Key"] = "%(key)s"}
  if tokens[i] ~= "" then
    headers["X-Cart-Token"] = tokens[i]
  end
  if methods[i] == "GET" then
    return wrk.format("GET", paths[i], headers)
  end
  headers["Content-Type"] = "application/json"
  %(idempotency)s
  return wrk.format("POST", paths[i], headers, '%(body)s')
end
"""


# Carts are made straight in the database, so the benchmark computes each cart's X-Cart-Token
# itself, under the access key it gives the servers it starts (services/kernel/access_key).
BENCH_SECRET = "omniloom-bench-secret"
os.environ.setdefault("OMNILOOM_SECRET_KEY", BENCH_SECRET)
_PROOFS = OwnershipProofs(access_key.from_secret(os.environ["OMNILOOM_SECRET_KEY"]))


def cart_token(cart_id: str) -> str:
    return _PROOFS.cart_token(cart_id)


def cart_token_of(path: str) -> str:
    """The token a request to ``path`` sends: its cart's, or none for other routes."""
    parts = path.split("/")
    return cart_token(parts[3]) if path.startswith("/v1/carts/") else ""


def lua_script(
    rotations: Sequence[Rotation], body: str, threads: int, *, idempotent: bool = True
) -> str:
    """A wrk script taking the rotations' requests in turn (one of each, then the next ids)."""
    requests = [
        (rotation.method, rotation.path.format(ident))
        for position in range(min(len(r.ids) for r in rotations))
        for rotation in rotations
        for ident in (rotation.ids[position],)
    ]
    # A client that may retry sends an Idempotency-Key; one per cart, as a shop's checkout would.
    idempotency = 'headers["Idempotency-Key"] = "bench" .. paths[i]' if idempotent else ""
    return LUA % {
        "methods": ",".join(f'"{method}"' for method, _ in requests),
        "paths": ",".join(f'"{path}"' for _, path in requests),
        "tokens": ",".join(f'"{cart_token_of(path)}"' for _, path in requests),
        "key": KEY,
        "body": body,
        "threads": threads,
        "idempotency": idempotency,
    }


@dataclass
class Figures:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    failures: int  # non-2xx answers, timeouts, connect/read/write errors
    server_cpu_ms: float = 0.0
    db_cpu_ms: float = 0.0


def run_wrk(
    url: str,
    seconds: int,
    connections: int,
    threads: int,
    script: str | None = None,
    headers: dict[str, str] | None = None,
) -> Figures:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "5s"]
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


def _search(pattern: str, output: str) -> re.Match[str]:
    match = re.search(pattern, output, re.M)
    if match is None:
        raise ValueError(f"wrk's report has no {pattern!r}")
    return match


def parse_wrk(output: str) -> Figures:
    """wrk's report; every request that did not end in a 2xx/3xx answer counts as failed."""
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    failures = int(non2xx.group(1)) if non2xx else 0
    if errors:
        failures += sum(int(count) for count in errors.groups())
    return Figures(
        rps=float(_search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_ms(_search(r"^\s+50%\s+(\S+)", output).group(1)),
        p99_ms=_ms(_search(r"^\s+99%\s+(\S+)", output).group(1)),
        requests=int(_search(r"(\d+) requests in", output).group(1)),
        failures=failures,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(base: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/hello", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def tree_cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process and all its descendants (uvicorn's workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[1])
    tree = {pid}
    grew = True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in tree and child not in tree:
                tree.add(child)
                grew = True
    return sum(_cpu_seconds(member) for member in tree)


def pg_database_url(url: str, name: str) -> str:
    """``url`` (a server's or one of its databases') naming database ``name`` instead, its query
    kept: with ``?host=/var/run/postgresql`` the connections go over the Unix socket."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def backend_cpu(url: str) -> dict[int, float]:
    """CPU time used so far by each PostgreSQL backend connected to the benchmark's database
    (the server runs on this machine); none for SQLite, whose work is inside the server."""
    if not url.startswith("postgresql"):
        return {}
    query = f"SELECT pid FROM pg_stat_activity WHERE datname = '{make_url(url).database}'"
    admin = pg_database_url(url, "postgres")
    result = subprocess.run(["psql", admin, "-At", "-c", query], capture_output=True, text=True)
    pids = [int(line) for line in result.stdout.split() if line.strip().isdigit()]
    return {pid: _cpu_seconds(pid) for pid in pids}


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the backends spent between two readings (a backend that started in between
    counts whole; one that ended in between is missed, so pools should keep their connections)."""
    return sum(spent - before.get(pid, 0.0) for pid, spent in after.items())
