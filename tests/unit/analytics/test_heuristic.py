from __future__ import annotations

import pytest

from omniloom.analytics.models import FirstTouch, LastNonDirect, LastTouch, Linear, PositionBased
from omniloom.analytics.paths import PathRow

from .conftest import rows_from


def test_vignette_linear_gives_a_two_point_one(vignette: list[PathRow]) -> None:
    # Published in the ChannelAttribution vignette: A 2.1, B 0.9.
    result = Linear()(vignette)
    assert result.conversions == pytest.approx({"A": 2.1, "B": 0.9})


def test_vignette_first_and_last_touch(vignette: list[PathRow]) -> None:
    assert FirstTouch()(vignette).conversions == {"A": 3.0, "B": 0.0}
    assert LastTouch()(vignette).conversions == {"A": 3.0, "B": 0.0}


def test_value_follows_the_conversions_of_each_path() -> None:
    rows = rows_from([("a>b", 2, 100.0, 5), ("b", 1, 10.0, 0), ("c", 0, 0, 7)])
    result = LastTouch()(rows)
    assert result.conversions == {"a": 0.0, "b": 3.0, "c": 0.0}
    assert result.value == {"a": 0.0, "b": 110.0, "c": 0.0}
    assert Linear()(rows).value == {"a": 50.0, "b": 60.0, "c": 0.0}


def test_last_non_direct_skips_direct_and_falls_back_to_it() -> None:
    rows = rows_from([("email>direct>direct", 1, 1, 0), ("direct>direct", 2, 2, 0)])
    result = LastNonDirect()(rows)
    assert result.conversions == {"direct": 2.0, "email": 1.0}
    assert LastNonDirect(direct="email")(rows).conversions == {"direct": 3.0, "email": 0.0}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a", {"a": 1.0}),
        ("a>b", {"a": 0.5, "b": 0.5}),
        ("a>b>c", {"a": 0.4, "b": 0.2, "c": 0.4}),
        ("a>b>c>d>e", {"a": 0.4, "b": 0.2 / 3, "c": 0.2 / 3, "d": 0.2 / 3, "e": 0.4}),
        ("a>b>a", {"a": 0.8, "b": 0.2}),
    ],
)
def test_position_based_40_20_40_and_short_paths(path: str, expected: dict[str, float]) -> None:
    assert PositionBased()(rows_from([(path, 1, 1, 0)])).conversions == pytest.approx(expected)


def test_position_based_weights_are_configurable() -> None:
    rows = rows_from([("a>b>c", 1, 1, 0), ("x>y", 1, 1, 0)])
    credit = PositionBased(first=0.3, last=0.6)(rows).conversions
    assert credit == pytest.approx({"a": 0.3, "b": 0.1, "c": 0.6, "x": 1 / 3, "y": 2 / 3})
    with pytest.raises(ValueError):
        PositionBased(first=0.7, last=0.5)


def test_match_channelattribution_heuristics_on_pathdata(pathdata: list[PathRow]) -> None:
    # ChannelAttribution 2.2.5 heuristic_models(PathData) — first, last and linear touch.
    published = {
        "alpha": (6308.0, 8447.0, 7574.718594),
        "iota": (4606.0, 3355.0, 3857.096221),
        "zeta": (27.0, 107.0, 136.551540),
        "mi": (2.0, 2.0, 2.222222),
    }
    first = FirstTouch()(pathdata).conversions
    last = LastTouch()(pathdata).conversions
    linear = Linear()(pathdata).conversions
    for channel, (f, la, li) in published.items():
        assert first[channel] == f
        assert last[channel] == la
        assert linear[channel] == pytest.approx(li, abs=1e-5)
    assert Linear()(pathdata).value["alpha"] == pytest.approx(24524.709569, abs=1e-5)
