"""Load shapes: what locust is told each second, and when an open model's journeys start."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from omniloom.loadkit.files import KitFileError
from omniloom.loadkit.shapes import Shape, Stage, load_shape

LOADTESTS = Path(__file__).parents[3] / "loadtests"


def test_a_closed_shape_steps_and_ramps_through_its_stages_then_stops() -> None:
    shape = Shape(
        "s",
        [Stage(10, users=10), Stage(20, users=50, ramp=True), Stage(5, users=5, spawn_rate=2)],
    )
    assert shape.users_at(0) == (10, 10.0)
    assert shape.users_at(15) == (50, 2.0)  # 40 more users over 20 s
    assert shape.users_at(31) == (5, 2.0)
    assert shape.users_at(35) is None
    assert shape.duration == 35


def test_an_open_shape_keeps_its_pool_and_starts_journeys_at_the_stage_rate() -> None:
    shape = Shape("o", [Stage(2, rate=5), Stage(2, rate=1)], model="open", pool=30)
    assert shape.users_at(1) == (30, 30.0)
    starts = list(shape.arrivals())
    assert len(starts) == 12  # 5/s for 2 s, then 1/s for 2 s
    assert starts[:3] == pytest.approx([0.0, 0.2, 0.4])
    assert starts[-2:] == pytest.approx([2.0, 3.0])


def test_a_ramped_rate_starts_journeys_ever_closer_together() -> None:
    shape = Shape("r", [Stage(10, rate=10, ramp=True)], model="open")
    starts = list(shape.arrivals())
    assert len(starts) == 50  # the area under a ramp from 0 to 10/s over 10 s
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(later < earlier for earlier, later in itertools.pairwise(gaps))
    assert shape.rate_at(5) == pytest.approx(5.0)


def test_load_generators_share_the_arrivals_without_overlap() -> None:
    shape = Shape("o", [Stage(3, rate=7)], model="open")
    everyone = list(shape.arrivals())
    shares = [list(shape.arrivals(i, 3)) for i in range(3)]
    assert sorted(t for share in shares for t in share) == pytest.approx(everyone)
    assert sum(len(share) for share in shares) == len(everyone) == 21


def test_every_shape_file_of_the_kit_loads() -> None:
    files = sorted((LOADTESTS / "shapes").glob("*.yaml"))
    assert {f.stem for f in files} >= {"steady", "ramp", "spike", "black_friday", "arrivals"}
    for path in files:
        assert load_shape(path).duration > 0


def test_black_friday_has_a_flash_sale_that_reweights_the_mix() -> None:
    shape = load_shape(LOADTESTS / "shapes" / "black_friday.yaml")
    found = shape.stage_at(250)
    assert found is not None and found[1].label == "flash sale"
    assert found[1].weights and found[1].weights["web_checkout"] > 0
    assert "app_browsing" not in found[1].weights  # the rush is to checkout
    assert shape.clock is not None and shape.clock.factor == 60


def test_a_stage_without_its_level_is_refused_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: b\nmodel: open\nstages:\n  - {duration: 5, users: 3}\n")
    with pytest.raises(KitFileError, match=r"bad\.yaml.*rate"):
        load_shape(bad)
    bad.write_text("name: b\nstages:\n  - {duration: -1, users: 3}\n")
    with pytest.raises(KitFileError, match="duration"):
        load_shape(bad)
