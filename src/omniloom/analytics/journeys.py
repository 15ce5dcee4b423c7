"""Customer journeys and sessions built from touchpoints.

A journey is one customer's ordered touchpoints up to and including a conversion
(``order.placed``), restricted to a lookback window before that conversion. Touchpoints that fall
out of the window, and those after a customer's last order, form non-converting journeys: they are
the "null" paths that Markov and conversion-rate figures need.

Everything here is a pure function over a list of touchpoints; the caller decides which events
count as touchpoints (the event log has many that do not, such as ``inventory.reserved``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Literal

import msgspec

from omniloom.analytics.paths import PathRow

CONVERSION_EVENT = "order.placed"
DEFAULT_LOOKBACK = timedelta(days=30)
DEFAULT_SESSION_IDLE = timedelta(minutes=30)

ChannelKey = Literal["channel", "channel_source_medium", "channel_device"]
CHANNEL_KEYS: tuple[ChannelKey, ...] = ("channel", "channel_source_medium", "channel_device")


class Touchpoint(msgspec.Struct, frozen=True, kw_only=True):
    """One interaction of a customer with the store, as analytics sees it.

    ``value`` is only meaningful on a conversion. Analytics is unit-agnostic: pass integer minor
    units from the core or floats from elsewhere, but one kind per analysis.
    """

    customer_id: str
    timestamp: datetime  # must be timezone-aware: journeys cross devices and time zones
    channel: str
    event_type: str
    source: str | None = None  # campaign source, e.g. "newsletter"
    medium: str | None = None  # campaign medium, e.g. "email"
    device_id: str | None = None
    order_id: str | None = None
    value: int | float | None = None


class Journey(msgspec.Struct, frozen=True, kw_only=True):
    customer_id: str
    touchpoints: tuple[Touchpoint, ...]
    path: tuple[str, ...]  # the attribution key of each touchpoint, in order
    converted: bool
    order_id: str | None = None
    value: float = 0.0

    @property
    def started_at(self) -> datetime:
        return self.touchpoints[0].timestamp

    @property
    def ended_at(self) -> datetime:
        return self.touchpoints[-1].timestamp


class Session(msgspec.Struct, frozen=True, kw_only=True):
    customer_id: str
    touchpoints: tuple[Touchpoint, ...]

    @property
    def started_at(self) -> datetime:
        return self.touchpoints[0].timestamp

    @property
    def ended_at(self) -> datetime:
        return self.touchpoints[-1].timestamp

    @property
    def channels(self) -> tuple[str, ...]:
        """Distinct channels in the order they were first used."""
        return tuple(dict.fromkeys(tp.channel for tp in self.touchpoints))


def channel_key(key: ChannelKey) -> Callable[[Touchpoint], str]:
    """The function that names a touchpoint's "channel" for attribution.

    ``channel_source_medium`` separates e.g. ``email:newsletter/email`` from ``email:promo/email``;
    ``channel_device`` separates the same channel used on two devices. Missing parts fall back to
    the bare channel, so untagged traffic is not split into a separate bucket per missing field.
    """
    match key:
        case "channel":
            return _by_channel
        case "channel_source_medium":
            return _by_source_medium
        case "channel_device":
            return _by_device
    raise ValueError(f"unknown channel key {key!r}; expected one of {', '.join(CHANNEL_KEYS)}")


def build_journeys(
    touchpoints: Iterable[Touchpoint],
    *,
    lookback: timedelta = DEFAULT_LOOKBACK,
    key: ChannelKey = "channel",
    conversion_event: str = CONVERSION_EVENT,
) -> list[Journey]:
    """Split each customer's touchpoints into journeys, ordered by customer then time.

    - A conversion closes a journey; the conversion touchpoint is its last touch (buying in the
      store is itself a touch on the store channel).
    - Only touchpoints within ``lookback`` before the conversion belong to it; older ones since the
      previous conversion become a non-converting journey of their own.
    - Touchpoints after a customer's last conversion are a non-converting journey.
    Ties in time keep input order (a stable sort), so an event log replays deterministically.
    """
    if lookback <= timedelta(0):
        raise ValueError("lookback must be positive")
    name = channel_key(key)
    journeys: list[Journey] = []
    for customer_id, touches in _by_customer(touchpoints).items():
        pending: list[Touchpoint] = []
        for touch in touches:
            pending.append(touch)
            if touch.event_type != conversion_event:
                continue
            cutoff = touch.timestamp - lookback
            split = next(i for i, tp in enumerate(pending) if tp.timestamp >= cutoff)
            if split:
                journeys.append(_journey(customer_id, pending[:split], name, None))
            journeys.append(_journey(customer_id, pending[split:], name, touch))
            pending = []
        if pending:
            journeys.append(_journey(customer_id, pending, name, None))
    return journeys


def build_sessions(
    touchpoints: Iterable[Touchpoint], *, idle: timedelta = DEFAULT_SESSION_IDLE
) -> list[Session]:
    """Group each customer's touchpoints into sessions; a gap longer than ``idle`` starts anew.

    Sessions are per customer, not per device: switching from the app to the store within the idle
    time continues the same session, which is the omnichannel view of a visit.
    """
    if idle <= timedelta(0):
        raise ValueError("idle must be positive")
    sessions: list[Session] = []
    for customer_id, touches in _by_customer(touchpoints).items():
        current: list[Touchpoint] = [touches[0]]
        for touch in touches[1:]:
            if touch.timestamp - current[-1].timestamp > idle:
                sessions.append(Session(customer_id=customer_id, touchpoints=tuple(current)))
                current = []
            current.append(touch)
        sessions.append(Session(customer_id=customer_id, touchpoints=tuple(current)))
    return sessions


def _by_customer(touchpoints: Iterable[Touchpoint]) -> dict[str, list[Touchpoint]]:
    grouped: dict[str, list[Touchpoint]] = {}
    for touch in touchpoints:
        if touch.timestamp.tzinfo is None or touch.timestamp.utcoffset() is None:
            raise ValueError(
                f"touchpoint of customer {touch.customer_id!r} at {touch.timestamp.isoformat()} "
                "has a naive timestamp; analytics needs timezone-aware times"
            )
        grouped.setdefault(touch.customer_id, []).append(touch)
    for touches in grouped.values():
        touches.sort(key=_timestamp)
    return dict(sorted(grouped.items()))


def _journey(
    customer_id: str,
    touches: Sequence[Touchpoint],
    name: Callable[[Touchpoint], str],
    conversion: Touchpoint | None,
) -> Journey:
    return Journey(
        customer_id=customer_id,
        touchpoints=tuple(touches),
        path=tuple(name(tp) for tp in touches),
        converted=conversion is not None,
        order_id=conversion.order_id if conversion else None,
        value=float(conversion.value or 0) if conversion else 0.0,
    )


def _timestamp(touch: Touchpoint) -> datetime:
    return touch.timestamp


def _by_channel(touch: Touchpoint) -> str:
    return touch.channel


def _by_source_medium(touch: Touchpoint) -> str:
    if touch.source is None and touch.medium is None:
        return touch.channel
    return f"{touch.channel}:{touch.source or '(none)'}/{touch.medium or '(none)'}"


def _by_device(touch: Touchpoint) -> str:
    return touch.channel if touch.device_id is None else f"{touch.channel}:{touch.device_id}"


def journey_paths(journeys: Iterable[Journey]) -> list[PathRow]:
    """Aggregate journeys into path rows, so every path model also runs on journeys.

    A converting journey counts one conversion with its order value; any other counts one null.
    """
    totals: dict[tuple[str, ...], list[float]] = {}
    for journey in journeys:
        if not journey.path:
            continue
        acc = totals.setdefault(journey.path, [0.0, 0.0, 0.0])
        if journey.converted:
            acc[0] += 1.0
            acc[1] += journey.value
        else:
            acc[2] += 1.0
    return [PathRow(path, c, v, n) for path, (c, v, n) in totals.items()]
