"""The remote runner against a real server process: the same scenario and seed give the same
journal as the in-process runner, byte for byte, and again after a reset without a restart."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from omniloom.scenarios.cli import scenario_files
from omniloom.scenarios.journal import digest
from omniloom.scenarios.loader import load
from omniloom.scenarios.runner import _template, run_in_process, run_remote
from tests.support.server import running_server

ROOT = Path(__file__).resolve().parents[2]
CROSS_DEVICE = ROOT / "scenarios" / "browse-app-buy-in-store.yaml"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """`omniloom serve` on a fresh copy of the demo store, ids seeded like the scenario."""
    database = tmp_path / "served.db"
    shutil.copyfile(_template(), database)
    seed = {"OMNILOOM_ID_SEED": str(load(CROSS_DEVICE).header.seed)}
    with running_server(f"sqlite:///{database}", env=seed) as base:
        yield base


async def test_remote_runs_repeat_after_a_reset_and_match_the_in_process_journal(
    server: str,
) -> None:
    scenario = load(CROSS_DEVICE)
    first = await run_remote(scenario, server, reset=True)
    assert first.passed, [s.message for o in first.outcomes for s in o.failures]
    # The same server, not restarted: the reset puts data, clock and ids back.
    again = await run_remote(scenario, server, reset=True)
    assert again.passed and digest(again.journal) == digest(first.journal)
    local = await run_in_process(scenario)
    assert digest(first.journal) == digest(local.journal)


async def test_every_example_passes_against_a_real_server(server: str) -> None:
    """The whole library over HTTP, one server, a reset before each file (as QA runs it with
    `omniloom scenario run scenarios/ --target URL --reset`)."""
    failed = {}
    for path in scenario_files([ROOT / "scenarios"]):
        result = await run_remote(load(path), server, reset=True)
        if not result.passed:
            failed[path.name] = result.error or [
                s.message for o in result.outcomes for s in o.failures
            ]
    assert failed == {}
