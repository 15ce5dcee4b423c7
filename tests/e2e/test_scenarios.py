"""The scenario engine end to end: the example library passes in-process, replays are
byte-identical, a failing scenario says where and why, and the committed schema is current."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from xml.etree import ElementTree

import msgspec
import pytest

from omniloom.cli import main
from omniloom.scenarios.cli import scenario_files
from omniloom.scenarios.golden import compare, golden_path
from omniloom.scenarios.journal import digest
from omniloom.scenarios.loader import load
from omniloom.scenarios.model import Scenario
from omniloom.scenarios.runner import RunResult, run_in_process
from omniloom.scenarios.schema import schema_text
from tests.conftest import PG_URL_ENV

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "scenarios"
FIXTURES = ROOT / "tests" / "scenario_fixtures"
EXAMPLES = scenario_files([LIBRARY])


def _failures(result: RunResult) -> str:
    return "\n".join(
        f"{s.where} {s.title}: {s.message}" for o in result.outcomes for s in o.failures
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
async def test_every_example_passes_in_process(path: Path) -> None:
    result = await run_in_process(load(path))
    assert result.passed, _failures(result) or result.error
    assert result.events, "a journey leaves touchpoints"
    golden = golden_path(LIBRARY / "golden", path)
    if golden.is_file():  # the journal committed from an earlier run, maybe on another machine
        assert compare(result.journal, golden) == ""


def test_at_least_three_examples_have_a_golden_journal() -> None:
    assert len(list((LIBRARY / "golden").glob("*.jsonl"))) >= 3


CROSS_DEVICE = ["browse-app-buy-in-store.yaml", "web-cart-finish-on-phone.yaml"]


@pytest.mark.skipif(not os.environ.get(PG_URL_ENV), reason=f"needs {PG_URL_ENV}")
@pytest.mark.parametrize("name", CROSS_DEVICE)
async def test_cross_device_examples_pass_on_postgresql(name: str) -> None:
    result = await run_in_process(load(LIBRARY / name), database_url=os.environ[PG_URL_ENV])
    assert result.passed, _failures(result) or result.error


def _with_seed(scenario: Scenario, seed: int) -> Scenario:
    return dataclasses.replace(scenario, header=msgspec.structs.replace(scenario.header, seed=seed))


async def test_the_same_seed_gives_a_byte_identical_journal() -> None:
    scenario = load(LIBRARY / "browse-app-buy-in-store.yaml")
    first, second = await run_in_process(scenario), await run_in_process(scenario)
    assert first.passed and second.passed
    assert digest(first.journal) == digest(second.journal)
    other = await run_in_process(_with_seed(scenario, scenario.header.seed + 1))
    assert other.passed, _failures(other)
    assert digest(other.journal) != digest(first.journal)


async def test_a_failing_step_says_file_line_expected_and_got() -> None:
    result = await run_in_process(load(FIXTURES / "failing.yaml"))
    assert not result.passed
    [failure] = result.outcomes[0].failures
    assert failure.where.endswith("failing.yaml:13")
    assert "expected status 201, got 402 card_declined" in failure.message
    assert (
        "request: POST /v1/carts/" in failure.message
        and '"code":"card_declined"' in failure.message
    )
    # A hard failure ends the journey: the verify step after it never ran.
    assert [s.action for s in result.outcomes[0].steps][-1] == "checkout"


def test_the_cli_exits_non_zero_and_writes_a_junit_failure(tmp_path: Path) -> None:
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    code = main(
        [
            "scenario",
            "run",
            str(FIXTURES / "failing.yaml"),
            "--junit",
            str(junit),
            "--json",
            str(report),
            "--quiet",
        ]
    )
    assert code == 1
    failure = ElementTree.parse(junit).find(".//failure")
    assert failure is not None and "failing.yaml:13" in failure.attrib["message"]
    assert "card_declined" in (failure.text or "")
    assert msgspec.json.decode(report.read_bytes())["passed"] is False


async def test_control_flow_include_for_each_when_and_retry() -> None:
    result = await run_in_process(load(FIXTURES / "control.yaml"))
    assert result.passed, _failures(result)
    steps = result.outcomes[0].steps
    assert [s.status for s in steps if s.status == "skipped"] == ["skipped"]
    assert steps[0].where.endswith("steps/fill-cart.yaml:5")  # included steps keep their own place
    assert sum(s.action == "add_line" for s in steps) == 3  # one included, two from the CSV
    # The retry let simulated days pass until the uncollected pickup order was cancelled.
    assert any(e["type"] == "order.pickup_no_show" for e in result.events)


def test_the_committed_schema_is_current() -> None:
    committed = (LIBRARY / "scenario.schema.json").read_text()
    assert committed == schema_text(), (
        "run: omniloom scenario schema > scenarios/scenario.schema.json"
    )
