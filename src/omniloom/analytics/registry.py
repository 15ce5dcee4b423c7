"""Attribution models by name, configured from plain settings: what an API or a CLI picks from.

Path models run on the journeys aggregated into path rows, journey models on the journeys
themselves; either way each result comes back with the parameters the model ran with, so a reader
of the numbers can tell a 7-day half-life from a 1-day one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import msgspec

from omniloom.analytics.journeys import Journey, journey_paths
from omniloom.analytics.models import (
    Attribution,
    FirstTouch,
    LastNonDirect,
    LastTouch,
    Linear,
    Markov,
    PositionBased,
    Shapley,
    TimeDecay,
    WShaped,
)
from omniloom.analytics.paths import PathRow

MODEL_NAMES: tuple[str, ...] = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "time_decay",
    "position_based",
    "w_shaped",
    "markov",
    "shapley",
)

ParameterValue = int | float | str
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True, slots=True)
class ModelSettings:
    markov_order: int = 1
    half_life: timedelta = timedelta(days=7)


class ModelRun(msgspec.Struct, frozen=True):
    attribution: Attribution
    parameters: dict[str, ParameterValue]


def run_models(
    journeys: Sequence[Journey], names: Sequence[str], settings: ModelSettings | None = None
) -> list[ModelRun]:
    """Run the named models, in the order given, over the same journeys.

    Raises ValueError for a name not in ``MODEL_NAMES`` (callers validate input before this).
    """
    settings = settings or ModelSettings()
    rows: list[PathRow] | None = None
    runs: list[ModelRun] = []
    for name in names:
        if name in ("time_decay", "w_shaped"):
            runs.append(_journey_model(name, journeys, settings))
            continue
        if rows is None:
            rows = journey_paths(journeys)
        runs.append(_path_model(name, rows, settings))
    return runs


def _journey_model(name: str, journeys: Sequence[Journey], settings: ModelSettings) -> ModelRun:
    if name == "time_decay":
        decay = TimeDecay(settings.half_life)
        days = decay.half_life.total_seconds() / SECONDS_PER_DAY
        return ModelRun(decay(journeys), {"half_life_days": days})
    w = WShaped()
    weights: dict[str, ParameterValue] = {
        "first": w.first,
        "lead": w.lead,
        "opportunity": w.opportunity,
        "rest": w.rest,
        "lead_events": ",".join(sorted(w.lead_events)),
        "opportunity_events": ",".join(sorted(w.opportunity_events)),
    }
    return ModelRun(w(journeys), weights)


def _path_model(name: str, rows: Sequence[PathRow], settings: ModelSettings) -> ModelRun:
    match name:
        case "first_touch":
            return ModelRun(FirstTouch()(rows), {})
        case "last_touch":
            return ModelRun(LastTouch()(rows), {})
        case "last_non_direct":
            non_direct = LastNonDirect()
            return ModelRun(non_direct(rows), {"direct": non_direct.direct})
        case "linear":
            return ModelRun(Linear()(rows), {})
        case "position_based":
            position = PositionBased()
            return ModelRun(position(rows), {"first": position.first, "last": position.last})
        case "markov":
            markov = Markov(settings.markov_order)
            return ModelRun(markov(rows), {"order": markov.order})
        case "shapley":
            shapley = Shapley()
            return ModelRun(
                shapley(rows),
                {
                    "exact_max_channels": shapley.exact_max_channels,
                    "permutations": shapley.permutations,
                    "seed": shapley.seed,
                },
            )
    raise ValueError(f"unknown model {name!r}; expected one of {', '.join(MODEL_NAMES)}")
