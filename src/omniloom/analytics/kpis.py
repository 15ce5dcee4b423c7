"""Journey and path KPIs: conversion, abandonment, cross-channel share, path shape, revenue.

``path_kpis`` needs only aggregated paths (so it works on a ChannelAttribution file);
``journey_kpis`` adds what only journeys know: carts, customers and the time it took to convert.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from itertools import pairwise

import msgspec

from omniloom.analytics.journeys import Journey, journey_paths
from omniloom.analytics.models.heuristic import LastTouch, Linear
from omniloom.analytics.paths import PathRow, aggregate_paths, channels_in

START = "(start)"
CONVERSION = "(conversion)"
NULL = "(null)"
CART_EVENT = "cart.item_added"

# Upper bounds of the time-to-convert buckets; the last bucket is open-ended.
TIME_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("under 1 hour", timedelta(hours=1)),
    ("1 hour to 1 day", timedelta(days=1)),
    ("1 to 7 days", timedelta(days=7)),
    ("7 to 30 days", timedelta(days=30)),
    ("30 days or more", None),
)


class TransitionMatrix(msgspec.Struct, frozen=True, kw_only=True):
    """Observed moves between channels, from ``(start)`` to ``(conversion)`` or ``(null)``.

    Each path row counts once per journey it stands for (conversions + nulls).
    """

    states: list[str]  # (start), channels…, (conversion), (null)
    counts: dict[str, dict[str, float]]

    def probabilities(self) -> dict[str, dict[str, float]]:
        result: dict[str, dict[str, float]] = {}
        for origin, row in self.counts.items():
            total = sum(row.values())
            result[origin] = {to: count / total for to, count in row.items()} if total else {}
        return result


class PathLength(msgspec.Struct, frozen=True):
    length: int
    conversions: float
    nulls: float


class PathKpis(msgspec.Struct, frozen=True, kw_only=True):
    journeys: float  # conversions + non-converting journeys
    conversions: float
    value: float
    conversion_rate: float
    conversion_rate_by_channel: dict[str, float]  # among journeys that touched the channel
    cross_channel_share: float  # of conversions whose path used more than one channel
    path_lengths: list[PathLength]
    average_order_value: float | None
    revenue_last_touch: dict[str, float]
    revenue_linear: dict[str, float]
    transitions: TransitionMatrix


class TimeBucket(msgspec.Struct, frozen=True):
    label: str
    conversions: int


class JourneyKpis(msgspec.Struct, frozen=True, kw_only=True):
    paths: PathKpis
    customers: int
    cart_abandonment_rate: float | None  # None when no journey added to a cart
    time_to_convert: list[TimeBucket]  # first touch to order, per converting journey


def transition_matrix(rows: Sequence[PathRow]) -> TransitionMatrix:
    totals = aggregate_paths(rows)
    counts: dict[str, dict[str, float]] = {}

    def add(origin: str, target: str, weight: float) -> None:
        if weight:
            row = counts.setdefault(origin, {})
            row[target] = row.get(target, 0.0) + weight

    for path, (conversions, _value, nulls) in totals.items():
        weight = conversions + nulls
        add(START, path[0], weight)
        for origin, target in pairwise(path):
            add(origin, target, weight)
        add(path[-1], CONVERSION, conversions)
        add(path[-1], NULL, nulls)
    return TransitionMatrix(states=[START, *channels_in(totals), CONVERSION, NULL], counts=counts)


def path_kpis(rows: Sequence[PathRow]) -> PathKpis:
    totals = aggregate_paths(rows)
    channels = channels_in(totals)
    conversions = sum(acc[0] for acc in totals.values())
    value = sum(acc[1] for acc in totals.values())
    journeys = conversions + sum(acc[2] for acc in totals.values())
    touched: dict[str, list[float]] = {channel: [0.0, 0.0] for channel in channels}
    lengths: dict[int, list[float]] = {}
    cross = 0.0
    for path, (conv, _value, nulls) in totals.items():
        distinct = set(path)
        for channel in distinct:
            touched[channel][0] += conv
            touched[channel][1] += conv + nulls
        if len(distinct) > 1:
            cross += conv
        bucket = lengths.setdefault(len(path), [0.0, 0.0])
        bucket[0] += conv
        bucket[1] += nulls
    merged = list(totals.items())
    rows_once = [PathRow(path, c, v, n) for path, (c, v, n) in merged]
    return PathKpis(
        journeys=journeys,
        conversions=conversions,
        value=value,
        conversion_rate=_ratio(conversions, journeys) or 0.0,
        conversion_rate_by_channel={ch: _ratio(c, n) or 0.0 for ch, (c, n) in touched.items()},
        cross_channel_share=_ratio(cross, conversions) or 0.0,
        path_lengths=[PathLength(k, c, n) for k, (c, n) in sorted(lengths.items())],
        average_order_value=_ratio(value, conversions),
        revenue_last_touch=LastTouch()(rows_once).value,
        revenue_linear=Linear()(rows_once).value,
        transitions=transition_matrix(rows_once),
    )


def journey_kpis(journeys: Sequence[Journey], *, cart_event: str = CART_EVENT) -> JourneyKpis:
    carted = [j for j in journeys if any(tp.event_type == cart_event for tp in j.touchpoints)]
    abandoned = sum(1 for j in carted if not j.converted)
    buckets = dict.fromkeys((label for label, _ in TIME_BUCKETS), 0)
    for journey in journeys:
        if journey.converted:
            buckets[_bucket(journey.ended_at - journey.started_at)] += 1
    return JourneyKpis(
        paths=path_kpis(journey_paths(journeys)),
        customers=len({j.customer_id for j in journeys}),
        cart_abandonment_rate=_ratio(abandoned, len(carted)),
        time_to_convert=[TimeBucket(label, count) for label, count in buckets.items()],
    )


def _bucket(elapsed: timedelta) -> str:
    for label, bound in TIME_BUCKETS:
        if bound is None or elapsed < bound:
            return label
    raise AssertionError("the last bucket is open-ended")  # pragma: no cover


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None
