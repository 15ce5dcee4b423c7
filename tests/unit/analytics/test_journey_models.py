from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from omniloom.analytics.journeys import Journey, Touchpoint, build_journeys
from omniloom.analytics.models import TimeDecay, WShaped

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def journey(*touches: tuple[float, str, str], value: float = 100.0) -> list[Journey]:
    """Touches as (days after T0, channel, event type); the last one is made the order."""
    points = [
        Touchpoint(
            customer_id="cus_1",
            timestamp=T0 + timedelta(days=days),
            channel=channel,
            event_type=event,
        )
        for days, channel, event in touches
    ]
    points[-1] = Touchpoint(
        customer_id="cus_1",
        timestamp=points[-1].timestamp,
        channel=points[-1].channel,
        event_type="order.placed",
        value=value,
    )
    return build_journeys(points, lookback=timedelta(days=365))


def test_time_decay_halves_the_weight_every_half_life() -> None:
    journeys = journey((0, "social", "view"), (7, "email", "view"), (14, "web", "order"))
    result = TimeDecay(half_life=timedelta(days=7))(journeys)
    # Raw weights 1/4, 1/2, 1 → shares 1/7, 2/7, 4/7.
    assert result.conversions == pytest.approx({"social": 1 / 7, "email": 2 / 7, "web": 4 / 7})
    assert result.value == pytest.approx({"social": 100 / 7, "email": 200 / 7, "web": 400 / 7})


def test_time_decay_ignores_journeys_without_an_order() -> None:
    unconverted = build_journeys(
        [Touchpoint(customer_id="c", timestamp=T0, channel="web", event_type="view")]
    )
    result = TimeDecay()(unconverted)
    assert result.total_conversions == 0 and result.conversions == {"web": 0.0}


def test_w_shaped_gives_thirty_percent_to_each_milestone_and_ten_to_the_rest() -> None:
    journeys = journey(
        (0, "social", "product.viewed"),
        (1, "email", "customer.registered"),
        (2, "app", "product.viewed"),
        (3, "web", "cart.item_added"),
        (4, "pos", "order"),
    )
    result = WShaped()(journeys)
    assert result.conversions == pytest.approx(
        {"social": 0.3, "email": 0.3, "web": 0.3, "app": 0.05, "pos": 0.05}
    )


def test_w_shaped_rescales_when_milestones_are_missing_or_coincide() -> None:
    # Sign-up on the first touch, no add-to-cart: the first touch holds 0.3 + 0.3, the other
    # touch 0.1; normalised over 0.7.
    journeys = journey((0, "app", "customer.identified"), (1, "pos", "order"))
    result = WShaped()(journeys)
    assert result.conversions == pytest.approx({"app": 6 / 7, "pos": 1 / 7})
    single = WShaped()(journey((0, "pos", "order")))
    assert single.conversions == {"pos": 1.0}
