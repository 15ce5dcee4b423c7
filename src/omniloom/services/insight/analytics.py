"""Analytics over the whole event log: attribution by model, journey KPIs, channel transitions.

The log is read in pages inside one read unit and kept only as touchpoints; journeys and models
are pure functions (``omniloom.analytics``) and run in a worker thread, so a large log does not
hold up other requests while the models solve.

Only events through a selling channel (web, mobile, POS, social, messaging) by an identified
customer are touchpoints: the back office (``admin``: clock sweeps, order moves) is not a door a
shopper walks through, and an anonymous cart cannot be put on anyone's journey.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import timedelta

import msgspec
from sqlalchemy import Connection, RowMapping

from omniloom.analytics import (
    Journey,
    Touchpoint,
    build_journeys,
    journey_kpis,
    journey_paths,
    touchpoints_from_events,
)
from omniloom.analytics.journeys import CHANNEL_KEYS, ChannelKey
from omniloom.analytics.kpis import transition_matrix
from omniloom.analytics.models import Attribution
from omniloom.analytics.models.markov import MAX_ORDER
from omniloom.analytics.registry import MODEL_NAMES, ModelSettings, run_models
from omniloom.domain.channels import SELLING_CHANNELS
from omniloom.domain.errors import FieldError, InvalidInput
from omniloom.domain.stages import count_by_stage, stage_of
from omniloom.services.carts.cart import DEFAULT_CURRENCY
from omniloom.services.insight.events import EventView
from omniloom.services.kernel.runtime import Runtime
from omniloom.store import event_log

PAGE_SIZE = 5_000
ALL_MODELS = "all"
MAX_LOOKBACK_DAYS = 3_650
MAX_HALF_LIFE_DAYS = 365.0
# A minute: the models measure time in timedeltas, where a far smaller half-life rounds to 0.
MIN_HALF_LIFE_DAYS = 1 / 1440
SHOPPER_CHANNELS = frozenset(channel.value for channel in SELLING_CHANNELS)


class ChannelCredit(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What one model credits to one channel.

    Credit is split across a journey's touches, so both figures are floats: ``conversions`` is a
    fractional number of orders and ``value`` a fractional amount of order totals in minor units
    (cents). Over a model's channels they add up to the report's ``conversions`` and ``value``.
    Removal effects (Markov) and standard errors (sampled Shapley) appear only where computed.
    """

    channel: str
    conversions: float
    value: float
    removal_effect: float | None = None
    value_removal_effect: float | None = None
    standard_error: float | None = None
    value_standard_error: float | None = None


class ModelAttribution(msgspec.Struct, frozen=True, kw_only=True):
    """One model's credit per channel, the parameters it ran with and how it was computed."""

    model: str
    parameters: dict[str, int | float | str]
    method: str
    channels: list[ChannelCredit]


class AttributionReport(msgspec.Struct, frozen=True, kw_only=True):
    """Attribution of the orders in the event log, model by model, side by side.

    ``conversions`` counts the orders placed by identified customers and ``value`` sums their
    totals: whole orders, so an integer in minor units of ``currency``. Every model splits exactly
    these between the channels (see ``ChannelCredit``). ``journeys`` includes those that did not
    convert, which the Markov model needs.
    """

    key: ChannelKey
    lookback_days: int
    currency: str
    journeys: int
    conversions: int
    value: int
    models: list[ModelAttribution]


class PathLengthCount(msgspec.Struct, frozen=True):
    length: int  # touches on the journey
    conversions: int
    non_converting: int


class TimeToConvert(msgspec.Struct, frozen=True):
    label: str  # e.g. "1 hour to 1 day", from the journey's first touch to its order
    conversions: int


class KpiReport(msgspec.Struct, frozen=True, kw_only=True):
    """Journey KPIs over the event log.

    Counts are whole customers, journeys and orders; rates are fractions from 0 to 1.
    ``revenue`` and ``revenue_by_channel_last_touch`` sum whole order totals, so they are integers
    in minor units of ``currency``. ``average_order_value`` (a mean) and
    ``revenue_by_channel_fractional`` (each order split evenly over its touches, as the linear
    model does) are floats in minor units.
    """

    key: ChannelKey
    lookback_days: int
    currency: str
    customers: int
    journeys: int
    conversions: int
    conversion_rate: float
    conversion_rate_by_channel: dict[str, float]  # among journeys that touched the channel
    cart_abandonment_rate: float | None  # None when no journey added to a cart
    cross_channel_share: float  # of conversions whose journey used more than one channel
    path_lengths: list[PathLengthCount]
    time_to_convert: list[TimeToConvert]
    revenue: int
    average_order_value: float | None  # None without orders
    revenue_by_channel_last_touch: dict[str, int]
    revenue_by_channel_fractional: dict[str, float]
    # Customers at each journey stage, from all their touchpoints (whatever the lookback);
    # every stage is named, zeros included. The rule: omniloom.domain.stages.
    customers_by_stage: dict[str, int]


class TransitionReport(msgspec.Struct, frozen=True, kw_only=True):
    """Observed moves between channels, from ``(start)`` to ``(conversion)`` or ``(null)``.

    ``counts[a][b]`` is how many times a journey went from ``a`` straight to ``b`` (a channel
    followed by itself counts too); ``probabilities`` normalise each row.
    """

    key: ChannelKey
    lookback_days: int
    journeys: int
    states: list[str]
    counts: dict[str, dict[str, int]]
    probabilities: dict[str, dict[str, float]]


async def attribution(
    runtime: Runtime,
    *,
    models: Sequence[str] | None = None,
    key: str = "channel",
    lookback_days: int = 30,
    markov_order: int = 1,
    half_life_days: float = 7.0,
) -> AttributionReport:
    """Attribute the logged orders to channels by each named model (``all`` or none: every one)."""
    names = parse_models(models)
    channel_key = parse_key(key)
    lookback = parse_lookback(lookback_days)
    _check_range("markov_order", markov_order, 1, MAX_ORDER)
    if not MIN_HALF_LIFE_DAYS <= half_life_days <= MAX_HALF_LIFE_DAYS:
        raise _invalid(
            "half_life_days", f"must be a minute (1/1440) to {MAX_HALF_LIFE_DAYS:g} days"
        )
    settings = ModelSettings(markov_order=markov_order, half_life=timedelta(days=half_life_days))

    def report(touchpoints: list[Touchpoint]) -> AttributionReport:
        journeys = build_journeys(touchpoints, lookback=lookback, key=channel_key)
        converted = [j for j in journeys if j.converted]
        return AttributionReport(
            key=channel_key,
            lookback_days=lookback_days,
            currency=DEFAULT_CURRENCY,
            journeys=len(journeys),
            conversions=len(converted),
            value=sum(_minor(j.value) for j in converted),
            models=[
                ModelAttribution(
                    model=run.attribution.model,
                    parameters=run.parameters,
                    method=run.attribution.method,
                    channels=_credits(run.attribution),
                )
                for run in run_models(journeys, names, settings)
            ],
        )

    return await asyncio.to_thread(report, await runtime.read(read_touchpoints))


async def kpis(runtime: Runtime, *, key: str = "channel", lookback_days: int = 30) -> KpiReport:
    channel_key = parse_key(key)
    lookback = parse_lookback(lookback_days)

    def report(touchpoints: list[Touchpoint]) -> KpiReport:
        journeys = build_journeys(touchpoints, lookback=lookback, key=channel_key)
        figures = journey_kpis(journeys)
        paths = figures.paths
        return KpiReport(
            key=channel_key,
            lookback_days=lookback_days,
            currency=DEFAULT_CURRENCY,
            customers=figures.customers,
            journeys=round(paths.journeys),
            conversions=round(paths.conversions),
            conversion_rate=paths.conversion_rate,
            conversion_rate_by_channel=paths.conversion_rate_by_channel,
            cart_abandonment_rate=figures.cart_abandonment_rate,
            cross_channel_share=paths.cross_channel_share,
            path_lengths=[
                PathLengthCount(p.length, round(p.conversions), round(p.nulls))
                for p in paths.path_lengths
            ],
            time_to_convert=[
                TimeToConvert(b.label, b.conversions) for b in figures.time_to_convert
            ],
            revenue=_minor(paths.value),
            average_order_value=paths.average_order_value,
            revenue_by_channel_last_touch={
                channel: _minor(value) for channel, value in paths.revenue_last_touch.items()
            },
            revenue_by_channel_fractional=paths.revenue_linear,
            customers_by_stage=stage_counts(touchpoints),
        )

    return await asyncio.to_thread(report, await runtime.read(read_touchpoints))


async def transitions(
    runtime: Runtime, *, key: str = "channel", lookback_days: int = 30
) -> TransitionReport:
    channel_key = parse_key(key)
    lookback = parse_lookback(lookback_days)

    def report(touchpoints: list[Touchpoint]) -> TransitionReport:
        journeys: list[Journey] = build_journeys(touchpoints, lookback=lookback, key=channel_key)
        matrix = transition_matrix(journey_paths(journeys))
        return TransitionReport(
            key=channel_key,
            lookback_days=lookback_days,
            journeys=len(journeys),
            states=matrix.states,
            counts={
                origin: {target: round(count) for target, count in row.items()}
                for origin, row in matrix.counts.items()
            },
            probabilities=matrix.probabilities(),
        )

    return await asyncio.to_thread(report, await runtime.read(read_touchpoints))


def stage_counts(touchpoints: Sequence[Touchpoint]) -> dict[str, int]:
    """How many customers stand at each journey stage, by the stage rule over their touches."""
    by_customer: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for touch in touchpoints:
        by_customer[touch.customer_id].append((touch.event_type, touch.order_id))
    return count_by_stage(stage_of(events) for events in by_customer.values())


def read_touchpoints(conn: Connection) -> list[Touchpoint]:
    """Every touchpoint in the log, read ``PAGE_SIZE`` events at a time in sequence order."""
    touchpoints: list[Touchpoint] = []
    after = 0
    while True:
        rows = event_log.read(conn, after_seq=after, limit=PAGE_SIZE)
        touchpoints.extend(touchpoints_from_events(_shopper_events(rows)))
        if len(rows) < PAGE_SIZE:
            return touchpoints
        after = rows[-1]["seq"]


def _shopper_events(rows: Sequence[RowMapping]) -> Iterator[EventView]:
    for row in rows:
        customer_id = row["customer_id"]
        channel = row["channel"]
        if customer_id is not None and channel in SHOPPER_CHANNELS:
            # Positional, not ``**row``: unpacking a row mapping costs more than the rest.
            yield EventView(
                row["seq"],
                row["id"],
                row["type"],
                row["occurred_at"],
                channel,
                customer_id,
                row["cart_id"],
                row["order_id"],
                row["data"],
                device_id=row["device_id"],
                campaign=row["campaign"],
            )


def parse_models(values: Sequence[str] | None) -> list[str]:
    """Model names, repeated and/or comma-separated; ``all`` (or none at all) is every model."""
    names: list[str] = []
    for value in values or [ALL_MODELS]:
        for name in (part.strip() for part in value.split(",")):
            if name == ALL_MODELS:
                names.extend(MODEL_NAMES)
            elif name in MODEL_NAMES:
                names.append(name)
            else:
                raise _invalid(
                    "model", f"unknown model {name!r}; use {', '.join(MODEL_NAMES)} or all"
                )
    return list(dict.fromkeys(names))


def parse_key(value: str) -> ChannelKey:
    for key in CHANNEL_KEYS:
        if value == key:
            return key
    raise _invalid("key", f"unknown key {value!r}; use one of {', '.join(CHANNEL_KEYS)}")


def parse_lookback(days: int) -> timedelta:
    _check_range("lookback_days", days, 1, MAX_LOOKBACK_DAYS)
    return timedelta(days=days)


def _check_range(field: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise _invalid(field, f"must be between {low} and {high}, got {value}")


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"Invalid {field}: {message}.", errors=[FieldError(field, message)])


def _credits(result: Attribution) -> list[ChannelCredit]:
    def extra(values: dict[str, float] | None, channel: str) -> float | None:
        return None if values is None else values.get(channel)

    return [
        ChannelCredit(
            channel=channel,
            conversions=conversions,
            value=result.value.get(channel, 0.0),
            removal_effect=extra(result.removal_effects, channel),
            value_removal_effect=extra(result.value_removal_effects, channel),
            standard_error=extra(result.standard_errors, channel),
            value_standard_error=extra(result.value_standard_errors, channel),
        )
        for channel, conversions in sorted(result.conversions.items())
    ]


def _minor(value: float) -> int:
    # Sums of integer order totals arrive as floats from the pure models; they are whole.
    return round(value)
