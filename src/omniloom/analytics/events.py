"""Touchpoints from the event log, without importing the service layer.

Analytics stays pure: it accepts anything shaped like an event record (``EventView`` from
``omniloom.services.insight.events`` is one) and keeps the events that are a shopper's
interaction on a channel. Book-keeping events that follow from an interaction (stock
reservations, payment captures) would double-count the same moment, so they are left out by
default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from omniloom.analytics.journeys import CONVERSION_EVENT, Touchpoint

NOT_TOUCHPOINTS = frozenset(
    {
        "inventory.reserved",
        "inventory.released",
        "inventory.committed",
        "payment.authorized",
        "payment.captured",
        "payment.declined",
        "payment.refunded",
        "order.paid",
        "order.routed",
    }
)


class EventRecord(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def channel(self) -> str | None: ...
    @property
    def customer_id(self) -> str | None: ...
    @property
    def order_id(self) -> str | None: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


def touchpoints_from_events(
    events: Iterable[EventRecord],
    *,
    exclude: frozenset[str] = NOT_TOUCHPOINTS,
    value_key: str = "total",
) -> list[Touchpoint]:
    """One touchpoint per customer event on a channel.

    Events without a customer (an anonymous cart before sign-in) or without a channel (a clock
    tick) cannot be placed on a journey and are skipped. An order's value is ``data[value_key]``,
    which the core writes in integer minor units. Campaign ``source``/``medium`` and ``device_id``
    are read from the event data when a client sent them.
    """
    touchpoints: list[Touchpoint] = []
    for event in events:
        if event.type in exclude or event.customer_id is None or event.channel is None:
            continue
        data = event.data
        # The core records campaign fields on the event; older records kept them in data.
        campaign = getattr(event, "campaign", None) or data
        value = data.get(value_key) if event.type == CONVERSION_EVENT else None
        touchpoints.append(
            Touchpoint(
                customer_id=event.customer_id,
                timestamp=event.occurred_at,
                channel=event.channel,
                event_type=event.type,
                source=_text(campaign.get("source")),
                medium=_text(campaign.get("medium")),
                device_id=_text(getattr(event, "device_id", None) or data.get("device_id")),
                order_id=event.order_id,
                value=value if isinstance(value, int | float) else None,
            )
        )
    return touchpoints


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
