"""Analytics: attribution by model, journey KPIs and channel transitions, across all customers."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import Parameter

from omniloom.analytics.journeys import CHANNEL_KEYS
from omniloom.analytics.models.markov import MAX_ORDER
from omniloom.analytics.registry import MODEL_NAMES
from omniloom.api.http import runtime_of
from omniloom.services.insight import analytics
from omniloom.services.insight.analytics import (
    MAX_HALF_LIFE_DAYS,
    MAX_LOOKBACK_DAYS,
    MIN_HALF_LIFE_DAYS,
    AttributionReport,
    KpiReport,
    TransitionReport,
)

Key = Annotated[
    str,
    Parameter(
        description="What counts as a channel: "
        + ", ".join(CHANNEL_KEYS)
        + " (campaign source/medium or device split the bare channel).",
        max_length=40,
    ),
]
LookbackDays = Annotated[
    int,
    Parameter(
        ge=1,
        le=MAX_LOOKBACK_DAYS,
        description="Touches older than this before an order start a non-converting journey.",
    ),
]


class AnalyticsController(Controller):
    path = "/v1/analytics"
    tags = ["analytics"]

    @get("/attribution", summary="Credit orders to channels by one or more attribution models")
    async def attribution(
        self,
        request: Request[Any, Any, Any],
        model: Annotated[
            list[str] | None,
            Parameter(
                description="Repeat or comma-separate: "
                + ", ".join(MODEL_NAMES)
                + "; `all` (the default) runs every model.",
            ),
        ] = None,
        key: Key = "channel",
        lookback_days: LookbackDays = 30,
        markov_order: Annotated[int, Parameter(ge=1, le=MAX_ORDER)] = 1,
        half_life_days: Annotated[
            float,
            Parameter(
                ge=MIN_HALF_LIFE_DAYS,
                le=MAX_HALF_LIFE_DAYS,
                description="Time-decay half-life, a minute (1/1440) to a year.",
            ),
        ] = 7.0,
    ) -> AttributionReport:
        return await analytics.attribution(
            runtime_of(request),
            models=model,
            key=key,
            lookback_days=lookback_days,
            markov_order=markov_order,
            half_life_days=half_life_days,
        )

    @get("/kpis", summary="Journey KPIs: conversion, abandonment, paths, revenue by channel")
    async def kpis(
        self,
        request: Request[Any, Any, Any],
        key: Key = "channel",
        lookback_days: LookbackDays = 30,
    ) -> KpiReport:
        return await analytics.kpis(runtime_of(request), key=key, lookback_days=lookback_days)

    @get("/transitions", summary="Channel transition matrix over every journey")
    async def transitions(
        self,
        request: Request[Any, Any, Any],
        key: Key = "channel",
        lookback_days: LookbackDays = 30,
    ) -> TransitionReport:
        return await analytics.transitions(
            runtime_of(request), key=key, lookback_days=lookback_days
        )
