"""Scenario files (scenarios/*.yaml, the scenario engine's format) as the kit's journeys.

The engine's journey is already sans-IO; this adapter only changes what a load needs changed:
- its shoppers are the kit's partitioned ones (the engine's Faker face, the kit's unique email
  and phone, tagged with the run so the verdict can find this run's orders);
- its failed expectations become failures of the request they judged (hard ones end the
  journey, soft ones are counted);
- it never moves the store's clock, which every user shares: a `wait` becomes a pause on the
  wall of `seconds / factor` while the clock runs compressed (none when it is frozen), and the
  journey is answered with the clock as it stands; setting the clock is skipped the same way;
- it leaves the store's invariants to the verdict after the load: a `verify` step is answered
  with a pass here rather than run by every user at once.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from omniloom.loadkit.protocol import (
    ExpectationFailed,
    HttpCall,
    HttpReply,
    Journey,
    Pause,
    SoftFailure,
)
from omniloom.loadkit.shoppers import Shopper
from omniloom.scenarios.journey import StepOutcome, journey
from omniloom.scenarios.loader import load
from omniloom.scenarios.model import Scenario
from omniloom.scenarios.shoppers import Cast, make_shopper

_CLOCK_MOVES = ("/v1/admin/clock/advance", "/v1/admin/clock/set")
_VERIFY = "/v1/admin/verify"
# A wait longer than this (on the wall) is cut short: a load keeps its users busy.
MAX_PAUSE_SECONDS = 30.0


def cast_for(scenario: Scenario, shoppers: Callable[[], Shopper]) -> Cast:
    """The scenario's cast, each shopper with the kit's unique identity (and a face of its own:
    the engine's Faker, seeded by that identity)."""
    cast: Cast = {}
    for spec in scenario.shoppers:
        mine = shoppers()
        identity = {**spec.identity, "email": mine.email, "phone": mine.phone}
        identity["handle"] = mine.handle
        unique = msgspec.structs.replace(spec, identity=identity)
        cast[spec.name] = make_shopper(
            unique, scenario.header.seed, zlib.crc32(mine.email.encode())
        )
    return cast


_scenarios: dict[Path, Scenario] = {}


def scenario_at(path: Path) -> Scenario:
    """The scenario file, read once per process."""
    if path not in _scenarios:
        _scenarios[path] = load(path)
    return _scenarios[path]


def scenario_journey(
    scenario: Scenario,
    cast: Cast,
    keys: dict[str, str],
    factor: float,
) -> Journey:
    failed: list[StepOutcome] = []

    def observe(step: StepOutcome) -> None:
        if step.status == "failed":
            failed.append(step)

    steps = journey(scenario, cast, keys=keys, observer=observe)
    try:
        call: Any = next(steps)
    except StopIteration:
        return
    while True:
        if call.method == "POST" and call.path in _CLOCK_MOVES:
            seconds = _waited(call)
            if factor > 0 and seconds:
                yield Pause(min(seconds / factor, MAX_PAUSE_SECONDS))
            reply = yield HttpCall("GET", "/v1/admin/clock", call.headers, None, "clock (read)")
        elif call.method == "GET" and call.path.startswith(_VERIFY):
            reply = HttpReply(200, {}, {"ok": True, "checks": []})
        else:
            reply = yield call
        assert reply is not None
        failed.clear()
        try:
            call = steps.send(reply)
        except StopIteration:
            call = None
        for step in failed:
            message = f"{step.title}: {step.message}"
            if step.soft:
                yield SoftFailure(message)
            else:
                raise ExpectationFailed(message)
        if call is None:
            return


def _waited(call: Any) -> float:
    body = call.json if isinstance(call.json, dict) else {}
    return float(body.get("seconds", 0))
