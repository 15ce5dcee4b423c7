from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from omniloom.analytics.journeys import Touchpoint, build_journeys
from omniloom.analytics.kpis import (
    CONVERSION,
    NULL,
    START,
    PathLength,
    journey_kpis,
    path_kpis,
    transition_matrix,
)
from omniloom.analytics.paths import PathRow

from .conftest import rows_from

T0 = datetime(2024, 6, 1, 8, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def tp(
    customer: str, hours: float, channel: str, event: str, value: int | None = None
) -> Touchpoint:
    return Touchpoint(
        customer_id=customer, timestamp=at(hours), channel=channel, event_type=event, value=value
    )


def test_path_kpis_on_a_small_hand_checked_example() -> None:
    rows = rows_from([("app>pos", 2, 300.0, 1), ("web", 1, 60.0, 3), ("app>app", 0, 0, 3)])
    kpis = path_kpis(rows)
    assert (kpis.journeys, kpis.conversions, kpis.value) == (10.0, 3.0, 360.0)
    assert kpis.conversion_rate == pytest.approx(0.3)
    # app: journeys touching it 3 + 3, converting 2 → 1/3; pos 2/3; web 1/4.
    assert kpis.conversion_rate_by_channel == pytest.approx(
        {"app": 1 / 3, "pos": 2 / 3, "web": 0.25}
    )
    assert kpis.cross_channel_share == pytest.approx(2 / 3)  # app>pos crosses, web does not
    assert kpis.path_lengths == [PathLength(1, 1.0, 3.0), PathLength(2, 2.0, 4.0)]
    assert kpis.average_order_value == pytest.approx(120.0)
    assert kpis.revenue_last_touch == {"app": 0.0, "pos": 300.0, "web": 60.0}
    assert kpis.revenue_linear == {"app": 150.0, "pos": 150.0, "web": 60.0}


def test_transition_matrix_counts_every_move_once_per_journey() -> None:
    matrix = transition_matrix(rows_from([("a>b>a", 1, 1, 2), ("b", 0, 0, 1)]))
    assert matrix.states == [START, "a", "b", CONVERSION, NULL]
    assert matrix.counts == {
        START: {"a": 3.0, "b": 1.0},
        "a": {"b": 3.0, CONVERSION: 1.0, NULL: 2.0},
        "b": {"a": 3.0, NULL: 1.0},
    }
    probabilities = matrix.probabilities()
    assert probabilities["a"] == pytest.approx({"b": 0.5, CONVERSION: 1 / 6, NULL: 1 / 3})
    assert all(sum(row.values()) == pytest.approx(1.0) for row in probabilities.values())


def test_path_kpis_on_pathdata(pathdata: list[PathRow]) -> None:
    kpis = path_kpis(pathdata)
    assert kpis.conversions == 19_785
    assert kpis.journeys == 19_785 + 68_602
    assert kpis.average_order_value == pytest.approx(74_802.972 / 19_785, rel=1e-6)
    # Every journey leaves (start) once and ends once.
    counts = kpis.transitions.counts
    assert sum(counts[START].values()) == kpis.journeys
    ends = sum(row.get(CONVERSION, 0) + row.get(NULL, 0) for row in counts.values())
    assert ends == kpis.journeys
    assert sum(b.conversions for b in kpis.path_lengths) == 19_785


def test_journey_kpis_abandonment_time_to_convert_and_customers() -> None:
    touches = [
        # cus_a: app browse, cart on web, buys in store 3 hours later.
        tp("cus_a", 0, "app", "product.viewed"),
        tp("cus_a", 1, "web", "cart.item_added"),
        tp("cus_a", 3, "pos", "order.placed", 4_000),
        # cus_b: adds to cart and leaves.
        tp("cus_b", 0, "web", "cart.item_added"),
        # cus_c: buys on the app within minutes, then just browses.
        tp("cus_c", 0, "app", "cart.item_added"),
        tp("cus_c", 0.2, "app", "order.placed", 1_000),
        tp("cus_c", 50, "email", "message.opened"),
    ]
    kpis = journey_kpis(build_journeys(touches))
    assert kpis.customers == 3
    assert kpis.cart_abandonment_rate == pytest.approx(1 / 3)  # 3 journeys carted, 1 no order
    assert {b.label: b.conversions for b in kpis.time_to_convert} == {
        "under 1 hour": 1,
        "1 hour to 1 day": 1,
        "1 to 7 days": 0,
        "7 to 30 days": 0,
        "30 days or more": 0,
    }
    assert kpis.paths.conversions == 2 and kpis.paths.journeys == 4
    assert kpis.paths.cross_channel_share == pytest.approx(0.5)
    assert kpis.paths.average_order_value == pytest.approx(2_500)
    assert kpis.paths.revenue_last_touch == {"app": 1_000, "email": 0, "pos": 4_000, "web": 0}


def test_no_carts_means_no_abandonment_rate() -> None:
    kpis = journey_kpis(build_journeys([tp("c", 0, "web", "product.viewed")]))
    assert kpis.cart_abandonment_rate is None
    assert kpis.paths.average_order_value is None
