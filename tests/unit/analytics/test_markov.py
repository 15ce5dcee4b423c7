from __future__ import annotations

import pytest

from omniloom.analytics.models import Markov
from omniloom.analytics.models.absorbing import absorb
from omniloom.analytics.models.markov import MarkovFit
from omniloom.analytics.paths import PathRow

from .conftest import rows_from


def test_vignette_first_order_gives_a_two_b_one(vignette: list[PathRow]) -> None:
    result = Markov(order=1)(vignette)
    assert result.conversions == pytest.approx({"A": 2.0, "B": 1.0}, abs=1e-12)
    assert result.removal_effects == pytest.approx({"A": 1.0, "B": 0.5}, abs=1e-12)


def test_three_path_example_gives_point_two_point_four_point_four(
    three_paths: list[PathRow],
) -> None:
    result = Markov()(three_paths)
    assert result.conversions == pytest.approx({"C1": 0.2, "C2": 0.4, "C3": 0.4}, abs=1e-12)
    assert result.removal_effects == pytest.approx({"C1": 0.5, "C2": 1.0, "C3": 1.0}, abs=1e-12)


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_the_fitted_chain_reproduces_the_observed_conversion_rate_and_value(
    random_rows: list[PathRow], order: int
) -> None:
    # Flow conservation: the maximum-likelihood chain's absorption equals the empirical rates, so
    # this checks the chain estimate and the linear solve together against plain sums.
    fit = MarkovFit(random_rows, order)
    full = absorb(fit.chain)
    assert full.conversion == pytest.approx(fit.total_conversions / fit.total_paths, rel=1e-11)
    assert full.value == pytest.approx(fit.total_value / fit.total_paths, rel=1e-11)


def test_gauss_seidel_agrees_with_gaussian_elimination(random_rows: list[PathRow]) -> None:
    fit = MarkovFit(random_rows, 2)
    assert fit.chain.size > 20
    for channel in ["email", "store", None]:
        removed = fit.removed_states(channel) if channel else None
        dense = absorb(fit.chain, removed, dense_limit=10_000)
        sweeps = absorb(fit.chain, removed, dense_limit=0)
        assert sweeps.conversion == pytest.approx(dense.conversion, abs=1e-12)
        assert sweeps.value == pytest.approx(dense.value, rel=1e-11)


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_a_channel_every_path_starts_or_converts_through_has_removal_effect_one(order: int) -> None:
    rows = rows_from(
        [
            ("entry>x>y>exit", 3, 30, 2),
            ("entry>y>exit", 1, 5, 4),
            ("entry>x>x", 0, 0, 6),
            ("entry>y>x>exit", 2, 8, 1),
        ]
    )
    effects = Markov(order)(rows).removal_effects
    assert effects is not None
    assert effects["entry"] == pytest.approx(1.0)  # every path starts there
    assert effects["exit"] == pytest.approx(1.0)  # every conversion leaves from there


def test_first_order_chain_can_bypass_a_channel_every_conversion_used() -> None:
    # Only a>c>b converts, yet the first-order chain also walks a>b>(conversion), because b's
    # next step does not remember c. Order 2 remembers, and c becomes indispensable.
    rows = rows_from([("a>c>b", 1, 1, 0), ("a>b", 0, 0, 1)])
    first = Markov(1)(rows).removal_effects
    second = Markov(2)(rows).removal_effects
    assert first is not None and second is not None
    assert first["c"] == pytest.approx(0.5)
    assert second["c"] == pytest.approx(1.0)


def test_value_credit_follows_where_the_large_orders_convert() -> None:
    # Both channels convert equally often, but orders after "premium" are worth nine times more.
    rows = rows_from([("ad>premium", 1, 90.0, 1), ("ad>basic", 1, 10.0, 1)])
    result = Markov()(rows)
    assert result.conversions == pytest.approx({"ad": 1.0, "basic": 0.5, "premium": 0.5})
    assert result.value == pytest.approx({"ad": 50.0, "basic": 5.0, "premium": 45.0})


def test_no_conversions_means_no_credit() -> None:
    result = Markov()(rows_from([("a>b", 0, 0, 3)]))
    assert result.conversions == {"a": 0.0, "b": 0.0}
    assert result.total_conversions == 0.0


def test_order_is_validated() -> None:
    with pytest.raises(ValueError, match="between 1 and 4"):
        Markov(order=5)


def test_pathdata_is_close_to_channelattribution_simulation(pathdata: list[PathRow]) -> None:
    # ChannelAttribution 2.2.5 markov_model(PathData, order=1, seed=1) simulates 100,000+ paths;
    # its estimates should agree with the exact answer to within its simulation noise.
    simulated = {"alpha": 5357.33, "iota": 3794.61, "eta": 3345.78, "beta": 2550.14}
    exact = Markov()(pathdata).conversions
    for channel, estimate in simulated.items():
        assert exact[channel] == pytest.approx(estimate, rel=0.03)
