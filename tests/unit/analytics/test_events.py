from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from omniloom.analytics.events import touchpoints_from_events
from omniloom.analytics.journeys import build_journeys

T0 = datetime(2024, 9, 1, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Event:
    type: str
    minutes: int
    channel: str | None
    customer_id: str | None = "cus_1"
    order_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def occurred_at(self) -> datetime:
        return T0 + timedelta(minutes=self.minutes)


def test_event_log_becomes_a_journey_with_the_order_value_in_minor_units() -> None:
    events = [
        Event(
            "cart.item_added",
            0,
            "mobile",
            data={"sku": "TEE-M", "source": "ig", "medium": "social"},
        ),
        Event("cart.item_added", 1, "web", customer_id=None),  # anonymous: not placeable
        Event("order.placed", 30, "pos", order_id="ord_1", data={"total": 2599, "currency": "EUR"}),
        Event("inventory.reserved", 30, "pos", order_id="ord_1"),
        Event("payment.captured", 30, "pos", order_id="ord_1", data={"amount": 2599}),
        Event("clock.advanced", 40, None),
    ]
    touchpoints = touchpoints_from_events(events)
    assert [(t.event_type, t.channel) for t in touchpoints] == [
        ("cart.item_added", "mobile"),
        ("order.placed", "pos"),
    ]
    assert touchpoints[0].source == "ig" and touchpoints[0].medium == "social"
    (journey,) = build_journeys(touchpoints)
    assert journey.path == ("mobile", "pos")
    assert journey.converted and journey.value == 2599 and journey.order_id == "ord_1"
