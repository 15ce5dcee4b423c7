"""Scenario files as load journeys: the kit's unique shoppers, expectations as request failures,
and a shared clock no user moves (a wait is a pause on the wall, verify is left to the verdict)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omniloom.loadkit.driver import drive
from omniloom.loadkit.mix import DEMO_KEYS
from omniloom.loadkit.protocol import HttpCall, HttpReply
from omniloom.loadkit.scenario_journeys import cast_for, scenario_at, scenario_journey
from omniloom.loadkit.shoppers import ShopperFactory, Slot

SCENARIO = """
name: tiny
seed: 1
shoppers:
  - name: ada
steps:
  - wait: 1h
  - verify: {}
    expect: {body: {ok: true}}
  - view_product: prd_tee
    soft: true
    expect: {status: 200}
  - view_product: prd_mug
    expect: {status: 200}
  - view_product: prd_lamp
"""


class Recorded:
    def __init__(self, seen: list[tuple[str, str]], path: str) -> None:
        self.seen, self.path = seen, path

    def success(self) -> None:
        self.seen.append((self.path, "ok"))

    def failure(self, message: str) -> None:
        self.seen.append((self.path, "failed"))


def run(tmp_path: Path, factor: float) -> tuple[list[tuple[str, str]], list[float], bool]:
    path = tmp_path / "tiny.yaml"
    path.write_text(SCENARIO)
    scenario = scenario_at(path)
    cast = cast_for(scenario, ShopperFactory(7, Slot("r1", 0, 3)).next)
    seen: list[tuple[str, str]] = []
    pauses: list[float] = []

    def send(call: HttpCall, judge: Any) -> None:
        status = 200 if call.path == "/v1/admin/clock" else 404
        judge(HttpReply(status, {}, {"now": "2026-11-02T10:00:00Z"}), Recorded(seen, call.path))

    ended_well = drive(
        scenario_journey(scenario, cast, DEMO_KEYS, factor), send, print, pauses.append
    )
    return seen, pauses, ended_well


def test_a_scenario_waits_on_the_wall_and_its_expectations_fail_requests(tmp_path: Path) -> None:
    seen, pauses, ended_well = run(tmp_path, factor=600)
    assert pauses == [6.0]  # an hour at 600×
    assert seen == [
        ("/v1/admin/clock", "ok"),  # read, not moved: the clock is every user's
        ("/v1/products/prd_tee", "failed"),  # soft: counted, the journey goes on
        ("/v1/products/prd_mug", "failed"),  # hard: the journey ends here
    ]
    assert not ended_well


def test_on_a_frozen_clock_a_wait_does_not_pause(tmp_path: Path) -> None:
    _, pauses, _ = run(tmp_path, factor=0)
    assert pauses == []


def test_the_cast_gets_the_kits_unique_identities() -> None:
    path = Path(__file__).parents[3] / "scenarios" / "social-post-to-order.yaml"
    scenario = scenario_at(path)
    shoppers = ShopperFactory(7, Slot("r1", 2, 5))
    first, second = cast_for(scenario, shoppers.next), cast_for(scenario, shoppers.next)
    emails = {s.profile["email"] for cast in (first, second) for s in cast.values()}
    handles = {s.profile["handle"] for cast in (first, second) for s in cast.values()}
    assert len(emails) == len(handles) == 4
    assert all(".r1.w2u5n" in email for email in emails)
