"""What every attribution model returns, and the two shapes a model can have.

Models follow the structlog shape: configured once in ``__init__`` (weights, half-life, order),
then called with data. Path models take aggregated ``PathRow``s — they need no timestamps, so they
run on a ChannelAttribution file as well as on journeys (via ``journey_paths``). Journey models
need timestamps or event types and take ``Journey``s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import msgspec

from omniloom.analytics.journeys import Journey
from omniloom.analytics.paths import PathRow


class Attribution(msgspec.Struct, frozen=True, kw_only=True):
    """Credit per channel. ``conversions`` sums to the total conversions, ``value`` to the value.

    ``removal_effects`` (Markov) and ``standard_errors`` (sampled Shapley, for conversions and for
    value) are only filled by the models that produce them.
    """

    model: str
    conversions: dict[str, float]
    value: dict[str, float]
    total_conversions: float
    total_value: float
    removal_effects: dict[str, float] | None = None
    value_removal_effects: dict[str, float] | None = None
    standard_errors: dict[str, float] | None = None
    value_standard_errors: dict[str, float] | None = None
    method: str = ""  # how it was computed, e.g. "exact" or "sampled, 2000 permutations"


class PathModel(Protocol):
    name: str

    def __call__(self, rows: Sequence[PathRow]) -> Attribution: ...


class JourneyModel(Protocol):
    name: str

    def __call__(self, journeys: Sequence[Journey]) -> Attribution: ...


class Credits:
    """Accumulates fractional credit; channels never credited still appear with zero."""

    def __init__(self, channels: Iterable[str]) -> None:
        self.conversions: dict[str, float] = dict.fromkeys(channels, 0.0)
        self.value: dict[str, float] = dict(self.conversions)
        self.total_conversions = 0.0
        self.total_value = 0.0

    def add_total(self, conversions: float, value: float) -> None:
        self.total_conversions += conversions
        self.total_value += value

    def give(self, channel: str, share: float, conversions: float, value: float) -> None:
        self.conversions[channel] += share * conversions
        self.value[channel] += share * value

    def result(self, model: str, method: str = "") -> Attribution:
        return Attribution(
            model=model,
            conversions=self.conversions,
            value=self.value,
            total_conversions=self.total_conversions,
            total_value=self.total_value,
            method=method,
        )


def proportional(
    weights: dict[str, float], total: float, channels: Iterable[str]
) -> dict[str, float]:
    """Split ``total`` in proportion to ``weights`` (all zero → all zero credit)."""
    norm = sum(weights.values())
    return {ch: (total * weights.get(ch, 0.0) / norm if norm > 0 else 0.0) for ch in channels}
