from __future__ import annotations

import pytest

from omniloom.analytics.models import Shapley
from omniloom.analytics.paths import PathRow, aggregate_paths

from .conftest import rows_from


def equal_split_over_distinct_channels(rows: list[PathRow]) -> dict[str, float]:
    """Closed form of this worth's Shapley value: it is a sum of unanimity games."""
    credit: dict[str, float] = {}
    for path, (conversions, _value, _nulls) in aggregate_paths(rows).items():
        distinct = set(path)
        for channel in distinct:
            credit[channel] = credit.get(channel, 0.0) + conversions / len(distinct)
    return credit


def test_exact_coalition_computation_matches_the_closed_form(random_rows: list[PathRow]) -> None:
    result = Shapley()(random_rows)
    assert result.method.startswith("exact")
    expected = equal_split_over_distinct_channels(random_rows)
    assert result.conversions == pytest.approx(expected, rel=1e-12)


def test_textbook_two_channel_game() -> None:
    # v({a}) = 2, v({b}) = 0, v({a, b}) = 2 + 0 + 4: a earns 2 + 4/2, b earns 4/2.
    rows = rows_from([("a", 2, 20, 0), ("a>b>a", 4, 40, 3), ("b", 0, 0, 5)])
    result = Shapley()(rows)
    assert result.conversions == pytest.approx({"a": 4.0, "b": 2.0})
    assert result.value == pytest.approx({"a": 40.0, "b": 20.0})


def test_sampled_agrees_with_exact_within_the_stated_error(random_rows: list[PathRow]) -> None:
    exact = Shapley()(random_rows)
    sampled = Shapley(exact_max_channels=0, permutations=400, seed=7)(random_rows)
    assert sampled.method == "sampled, 400 permutations (seed 7)"
    assert sampled.standard_errors is not None and sampled.value_standard_errors is not None
    for channel, credit in exact.conversions.items():
        error = sampled.standard_errors[channel]
        assert error > 0
        assert abs(sampled.conversions[channel] - credit) <= 4 * error
        value_error = sampled.value_standard_errors[channel]
        assert abs(sampled.value[channel] - exact.value[channel]) <= 4 * value_error
    # Every sampled order splits the whole worth, so the sum is exact regardless of noise.
    assert sum(sampled.conversions.values()) == pytest.approx(exact.total_conversions)


def test_sampling_is_reproducible_with_a_seed(random_rows: list[PathRow]) -> None:
    one = Shapley(exact_max_channels=0, permutations=50, seed=3)(random_rows)
    two = Shapley(exact_max_channels=0, permutations=50, seed=3)(random_rows)
    assert one == two


def test_more_than_twelve_channels_switches_to_sampling() -> None:
    rows = rows_from([(">".join(f"c{i}" for i in range(k, k + 3)), 1, 1, 0) for k in range(12)])
    result = Shapley(permutations=100)(rows)
    assert len(result.conversions) == 14
    assert result.method.startswith("sampled")
    assert result.standard_errors is not None
    assert result.conversions == pytest.approx(
        equal_split_over_distinct_channels(rows),
        abs=max(4 * max(result.standard_errors.values()), 1e-9),
    )
