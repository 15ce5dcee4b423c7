from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from omniloom.analytics.journeys import (
    Touchpoint,
    build_journeys,
    build_sessions,
    journey_paths,
)
from omniloom.analytics.paths import PathRow

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def touch(
    minutes: float,
    channel: str,
    event: str = "product.viewed",
    *,
    customer: str = "cus_1",
    value: float | None = None,
    **extra: str,
) -> Touchpoint:
    return Touchpoint(
        customer_id=customer,
        timestamp=T0 + timedelta(minutes=minutes),
        channel=channel,
        event_type=event,
        value=value,
        order_id=f"ord_{minutes:g}" if event == "order.placed" else None,
        **extra,
    )


DAY = 24 * 60


def test_a_conversion_closes_the_journey_and_later_touches_form_a_null_journey() -> None:
    touches = [
        touch(0, "app"),
        touch(10, "web", "cart.item_added"),
        touch(60, "pos", "order.placed", value=4999),
        touch(2 * DAY, "email"),
    ]
    first, second = build_journeys(reversed(touches))  # input order does not matter
    assert first.path == ("app", "web", "pos")
    assert first.converted and first.value == 4999 and first.order_id == "ord_60"
    assert second.path == ("email",) and not second.converted and second.value == 0


def test_touches_older_than_the_lookback_become_their_own_null_journey() -> None:
    touches = [touch(0, "social"), touch(40 * DAY, "email"), touch(41 * DAY, "web", "order.placed")]
    old, recent = build_journeys(touches, lookback=timedelta(days=30))
    assert (old.path, old.converted) == (("social",), False)
    assert (recent.path, recent.converted) == (("email", "web"), True)
    # With a longer window the same touches are one converting journey.
    (single,) = build_journeys(touches, lookback=timedelta(days=60))
    assert single.path == ("social", "email", "web")


def test_journeys_are_per_customer_and_each_order_starts_a_new_one() -> None:
    touches = [
        touch(0, "web", customer="cus_b"),
        touch(5, "web", "order.placed", customer="cus_b", value=10),
        touch(1, "app", customer="cus_a"),
        touch(7, "app", "order.placed", customer="cus_b", value=20),
    ]
    journeys = build_journeys(touches)
    assert [(j.customer_id, j.path, j.converted) for j in journeys] == [
        ("cus_a", ("app",), False),
        ("cus_b", ("web", "web"), True),
        ("cus_b", ("app",), True),
    ]


def test_channel_key_can_split_by_campaign_or_device() -> None:
    touches = [
        touch(0, "email", source="newsletter", medium="email"),
        touch(1, "web", device_id="dev_phone"),
        touch(2, "web", "order.placed", device_id="dev_laptop", value=1),
    ]
    by_campaign = build_journeys(touches, key="channel_source_medium")[0].path
    by_device = build_journeys(touches, key="channel_device")[0].path
    assert by_campaign == ("email:newsletter/email", "web", "web")
    assert by_device == ("email", "web:dev_phone", "web:dev_laptop")
    with pytest.raises(ValueError, match="unknown channel key"):
        build_journeys(touches, key="campaign")  # type: ignore[arg-type]


def test_naive_timestamps_are_rejected() -> None:
    naive = Touchpoint(
        customer_id="c", timestamp=datetime(2024, 1, 1), channel="web", event_type="x"
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        build_journeys([naive])


def test_sessions_split_after_thirty_idle_minutes_across_channels() -> None:
    touches = [touch(0, "app"), touch(29, "pos"), touch(59, "pos"), touch(90, "web")]
    sessions = build_sessions(touches)
    assert [s.channels for s in sessions] == [("app", "pos"), ("web",)]
    assert sessions[0].ended_at - sessions[0].started_at == timedelta(minutes=59)
    assert len(build_sessions(touches, idle=timedelta(minutes=20))) == 4


def test_journey_paths_count_conversions_value_and_nulls() -> None:
    touches = [
        touch(0, "app", "order.placed", customer="a", value=5),
        touch(0, "app", "order.placed", customer="b", value=7),
        touch(0, "app", customer="c"),
    ]
    assert journey_paths(build_journeys(touches)) == [PathRow(("app",), 2.0, 12.0, 1.0)]
