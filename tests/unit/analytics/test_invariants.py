"""Properties every model must have, whatever its rule."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from omniloom.analytics.journeys import Touchpoint, build_journeys, journey_paths
from omniloom.analytics.models import (
    Attribution,
    LastNonDirect,
    Markov,
    PathModel,
    Shapley,
    TimeDecay,
    WShaped,
    path_models,
)
from omniloom.analytics.paths import PathRow

from .conftest import rows_from


def all_path_models() -> list[PathModel]:
    return [
        *path_models(),
        LastNonDirect(),
        Markov(2),
        Markov(3),
        Markov(4),
        Shapley(exact_max_channels=0, permutations=30),
    ]


def assert_sums(result: Attribution, conversions: float, value: float) -> None:
    assert result.total_conversions == pytest.approx(conversions, rel=1e-12)
    assert result.total_value == pytest.approx(value, rel=1e-12)
    assert sum(result.conversions.values()) == pytest.approx(conversions, rel=1e-9)
    assert sum(result.value.values()) == pytest.approx(value, rel=1e-9)
    assert min(result.conversions.values()) >= -1e-9


@pytest.mark.parametrize("data", ["vignette", "three_paths", "random_rows"])
def test_credits_sum_to_conversions_and_value(data: str, request: pytest.FixtureRequest) -> None:
    rows: list[PathRow] = request.getfixturevalue(data)
    conversions = sum(r.conversions for r in rows)
    value = sum(r.value for r in rows)
    for model in all_path_models():
        assert_sums(model(rows), conversions, value)


def test_every_model_credits_exactly_the_pathdata_conversions(pathdata: list[PathRow]) -> None:
    for model in [*path_models(), Markov(2), Markov(3)]:
        result = model(pathdata)
        assert sum(result.conversions.values()) == pytest.approx(19_785, abs=1e-6), model.name
        assert sum(result.value.values()) == pytest.approx(74_802.972, abs=1e-3), model.name


def test_symmetric_channels_get_equal_credit() -> None:
    # x and y play the same role everywhere (the data is unchanged by swapping them).
    rows = rows_from(
        [
            ("x>y>z", 3, 30, 1),
            ("y>x>z", 3, 30, 1),
            ("x>z", 1, 7, 4),
            ("y>z", 1, 7, 4),
            ("z>x", 0, 0, 2),
            ("z>y", 0, 0, 2),
        ]
    )
    for model in all_path_models():
        if isinstance(model, Shapley) and model.exact_max_channels == 0:
            continue  # sampled: equal only up to its standard error
        result = model(rows)
        assert result.conversions["x"] == pytest.approx(result.conversions["y"]), model.name
        assert result.value["x"] == pytest.approx(result.value["y"]), model.name


def test_renaming_channels_only_renames_the_credit(random_rows: list[PathRow]) -> None:
    rename = {"email": "zz-email", "app": "aa-app"}
    renamed = [
        PathRow(tuple(rename.get(c, c) for c in r.path), r.conversions, r.value, r.nulls)
        for r in random_rows
    ]
    for model in path_models():
        before, after = model(random_rows), model(renamed)
        for channel, credit in before.conversions.items():
            assert after.conversions[rename.get(channel, channel)] == pytest.approx(credit)


def simulated_journeys(seed: int) -> list[Touchpoint]:
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    events = ["product.viewed", "customer.registered", "cart.item_added", "order.placed"]
    touches = []
    for customer in range(60):
        at = start
        for _ in range(rng.randint(1, 12)):
            at += timedelta(hours=rng.uniform(0.1, 200))
            event = rng.choices(events, weights=[6, 1, 2, 1])[0]
            touches.append(
                Touchpoint(
                    customer_id=f"cus_{customer}",
                    timestamp=at,
                    channel=rng.choice(["web", "app", "pos", "email", "social"]),
                    event_type=event,
                    value=rng.randint(500, 20_000) if event == "order.placed" else None,
                )
            )
    return touches


def test_journey_models_and_path_models_agree_on_totals() -> None:
    journeys = build_journeys(simulated_journeys(5))
    converted = [j for j in journeys if j.converted]
    assert converted and len(converted) < len(journeys)
    conversions = float(len(converted))
    value = float(sum(j.value for j in converted))
    for journey_model in (TimeDecay(), WShaped()):
        assert_sums(journey_model(journeys), conversions, value)
    rows = journey_paths(journeys)
    for model in path_models():
        assert_sums(model(rows), conversions, value)
