"""omniloom's load-test kit, run as it is:

    locust -f loadtests/locustfile.py --host http://127.0.0.1:8000                # web UI
    locust -f loadtests/locustfile.py --host http://127.0.0.1:8000 --headless \\
        --shape-file loadtests/shapes/black_friday.yaml

Users play journeys drawn from the mix file (``--mix``) as Faker shoppers that no other user of
the run shares; the shape file (``--shape-file``) sets the users, or the journeys started per
second, stage by stage. Every request's latency counts from when it was meant to start, and each
load generator writes what it saw to ``--results-dir`` for ``omniloom load verdict``.
"""

from __future__ import annotations

import itertools
import json
import random
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gevent
from locust import FastHttpUser, LoadTestShape, events, task
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from omniloom.loadkit import kit
from omniloom.loadkit.driver import Judge, drive
from omniloom.loadkit.files import KitFileError
from omniloom.loadkit.journeys import JOURNEYS, Visit
from omniloom.loadkit.mix import JourneySpec, Mix, load_mix
from omniloom.loadkit.protocol import HttpCall, HttpReply, Journey
from omniloom.loadkit.results import Tally, clear_tallies
from omniloom.loadkit.scenario_journeys import cast_for, scenario_at, scenario_journey
from omniloom.loadkit.shapes import FlashSale, Shape, load_shape
from omniloom.loadkit.shoppers import ShopperFactory, Slot

HERE = Path(__file__).parent


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    group = parser.add_argument_group("omniloom")
    group.add_argument("--mix", default=str(HERE / "mix.yaml"), help="the journey mix file")
    group.add_argument(
        "--shape-file", default=str(HERE / "shapes" / "steady.yaml"), help="the load shape file"
    )
    group.add_argument(
        "--results-dir", default="var/load", help="where each generator's tally goes"
    )
    group.add_argument("--run-id", default="", help="tags this run's shoppers (default: random)")
    group.add_argument(
        "--verdict",
        action="store_true",
        help="after the run, judge it (omniloom load verdict) and exit with the verdict's code",
    )
    group.add_argument(
        "--database-url", default="", help="the store the verdict reads (OMNILOOM_DATABASE_URL)"
    )
    group.add_argument(
        "--request-log", default="", help="the server's request log, for the verdict"
    )


class _Run:
    """What one load generator process knows about the run it is part of."""

    mix: Mix
    shape: Shape
    results_dir: str
    run_id: str
    started = 0.0
    tally = Tally()
    arrivals: Iterator[float] = iter(())
    users = itertools.count()


RUN = _Run()


@events.init.add_listener
def _load_files(environment: Environment, **_: Any) -> None:
    options = environment.parsed_options
    if options is None:
        return
    try:
        RUN.mix = load_mix(options.mix)
        RUN.shape = load_shape(options.shape_file)
        kit.check(RUN.mix, RUN.shape)
    except KitFileError as error:
        sys.exit(f"omniloom: {error}")


@events.test_start.add_listener
def _start(environment: Environment, **_: Any) -> None:
    options: Any = environment.parsed_options
    RUN.mix, RUN.shape = load_mix(options.mix), load_shape(options.shape_file)
    RUN.results_dir, RUN.run_id = options.results_dir, options.run_id or secrets.token_hex(3)
    RUN.started, RUN.tally = time.monotonic(), Tally(run=RUN.run_id)
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        share, shares = runner.worker_index, max(1, int(options.expect_workers or 1))
    else:
        share, shares = 0, 1
    RUN.arrivals = RUN.shape.arrivals(share, shares)
    if not isinstance(runner, WorkerRunner):
        clear_tallies(RUN.results_dir)
        if RUN.shape.flash_sale is not None:
            _stage_flash_sale(environment, RUN.shape.flash_sale)
        clock = RUN.shape.clock
        if clock is not None:
            if clock.start is not None:
                _admin(environment, "POST", "/v1/admin/clock/set", {"at": clock.start.isoformat()})
            _admin(environment, "PUT", "/v1/admin/clock", {"factor": clock.factor})


@events.test_stop.add_listener
def _stop(environment: Environment, **_: Any) -> None:
    if not isinstance(environment.runner, MasterRunner):
        RUN.tally.write(RUN.results_dir)
    if not isinstance(environment.runner, WorkerRunner) and RUN.shape.clock is not None:
        # The verdict reads a store that stands still.
        _admin(environment, "PUT", "/v1/admin/clock", {"factor": 0})


@events.quitting.add_listener
def _verdict(environment: Environment, **_: Any) -> None:
    options: Any = environment.parsed_options
    if not options.verdict or isinstance(environment.runner, WorkerRunner):
        return
    out = Path(options.results_dir)
    command = [sys.executable, "-m", "omniloom.cli", "load", "verdict"]
    command += ["--results-dir", str(out), "--mix", options.mix, "--shape-file", options.shape_file]
    command += ["--json", str(out / "verdict.json"), "--junit", str(out / "verdict.xml")]
    if options.database_url:
        command += ["--database-url", options.database_url]
    if options.request_log:
        command += ["--request-log", options.request_log]
    judged = subprocess.run(command, check=False)
    environment.process_exit_code = judged.returncode


def _stage_flash_sale(environment: Environment, sale: FlashSale) -> None:
    """Put exactly `units` of the SKU at the sale's location and none anywhere else."""
    product = _admin(environment, "GET", f"/v1/products/{sale.product}")
    skus = [s for s in (product or {}).get("skus", []) if s["sku"] == sale.sku]
    where = {level["location_id"] for sku in skus for level in sku["stock"]} | {sale.location}
    for location in sorted(where):
        counted = sale.units if location == sale.location else 0
        body = {"sku": sale.sku, "location": location, "counted": counted, "reason": "flash sale"}
        _admin(environment, "POST", "/v1/admin/stock/adjustments", body)


def _admin(
    environment: Environment, method: str, path: str, body: dict[str, Any] | None = None
) -> Any:
    """One call with the admin key, outside the measured load; says what went wrong, if it did."""
    request = urllib.request.Request(
        f"{environment.host}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"X-API-Key": RUN.mix.key_for("admin"), "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read() or b"null")
    except OSError as error:
        print(f"omniloom: {method} {path} {body or ''} failed: {error}")
        return None


class _Outcome:
    def __init__(self, response: Any) -> None:
        self.response = response
        self.ok = True

    def success(self) -> None:
        self.response.success()

    def failure(self, message: str) -> None:
        self.ok = False
        self.response.failure(message)


class Shopper(FastHttpUser):
    """Plays journeys from the mix, one shopper after another, none shared with another user."""

    def on_start(self) -> None:
        runner = self.environment.runner
        worker = runner.worker_index if isinstance(runner, WorkerRunner) else 0
        self.slot = Slot(run=RUN.run_id, worker=worker, user=next(RUN.users))
        self.rng = random.Random(f"{RUN.mix.seed}/{worker}/{self.slot.user}")
        self.shoppers = ShopperFactory(RUN.mix.seed, self.slot)
        self.lag_ms = 0.0

    def wait_time(self) -> float:
        if RUN.shape.model == "open":
            return 0.0
        low, high = RUN.shape.think_seconds
        return self.rng.uniform(low, high)

    @task
    def journey(self) -> None:
        elapsed = time.monotonic() - RUN.started
        self.lag_ms = 0.0
        if RUN.shape.model == "open":
            intended = next(RUN.arrivals, None)
            if intended is None:
                gevent.sleep(1.0)
                return
            if intended > elapsed:
                gevent.sleep(intended - elapsed)
            # Late journeys carry their lateness into every request's latency.
            self.lag_ms = max(0.0, (time.monotonic() - RUN.started - intended) * 1000)
            elapsed = intended
        found = RUN.shape.stage_at(elapsed)
        spec = RUN.mix.pick(self.rng, found[1].weights if found else None)
        RUN.tally.journey(self.lag_ms)
        drive(self._journey(spec), self._send, RUN.tally.orders.append, gevent.sleep)

    def _journey(self, spec: JourneySpec) -> Journey:
        if spec.scenario is not None:
            scenario = scenario_at(Path(RUN.mix.home) / spec.scenario)
            factor = RUN.shape.clock.factor if RUN.shape.clock else 0.0
            cast = cast_for(scenario, self.shoppers.next)
            return scenario_journey(scenario, cast, RUN.mix.keys, factor)
        visit = Visit(
            self.shoppers.next(),
            RUN.mix.key_for(spec.channel),
            self.rng,
            device_id=f"dev-{self.slot.run}-{self.slot.worker}-{self.slot.user}",
            web_key=RUN.mix.key_for("web"),
            flash_sale=RUN.shape.flash_sale,
        )
        return JOURNEYS[spec.journey or "browse"](visit)

    def _send(self, call: HttpCall, judge: Judge) -> None:
        name = f"{call.name or call.path}"
        with self.client.request(
            call.method,
            call.path,
            headers=call.headers,
            json=call.json,
            name=name,
            catch_response=True,
        ) as response:
            reply = HttpReply(response.status_code or 0, _headers(response), _json(response))
            outcome = _Outcome(response)
            judge(reply, outcome)
            latency = float(response.request_meta["response_time"]) + self.lag_ms
            response.request_meta["response_time"] = latency
            RUN.tally.request(name, latency, outcome.ok)


def _headers(response: Any) -> dict[str, str]:
    try:
        return {str(k).lower(): str(v) for k, v in response.headers.items()}
    except AttributeError:
        return {}


def _json(response: Any) -> Any:
    try:
        return response.json() if response.text else None
    except ValueError:
        return None


class StagedShape(LoadTestShape):
    """The shape file's stages, as locust asks for them every second; `--run-time` cuts it short."""

    use_common_options = True

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()
        options: Any = self.runner.environment.parsed_options if self.runner else None
        limit = options.run_time if options else None
        if limit and elapsed >= limit:
            return None
        return RUN.shape.users_at(elapsed)
