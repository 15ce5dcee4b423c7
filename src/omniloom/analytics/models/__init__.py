"""Attribution models.

Path models (no timestamps needed) run on aggregated ``PathRow``s and, through ``journey_paths``,
on journeys; journey models need the touchpoints' times or event types.
"""

from __future__ import annotations

from omniloom.analytics.models.base import Attribution, JourneyModel, PathModel
from omniloom.analytics.models.heuristic import (
    FirstTouch,
    LastNonDirect,
    LastTouch,
    Linear,
    PositionBased,
)
from omniloom.analytics.models.journey_rules import TimeDecay, WShaped
from omniloom.analytics.models.markov import Markov
from omniloom.analytics.models.shapley import Shapley

PATH_MODEL_NAMES = ("first_touch", "last_touch", "linear", "position_based", "markov", "shapley")


def path_models(*, markov_order: int = 1) -> list[PathModel]:
    """The models that need no timestamps, in report order (what ``omniloom attribution`` runs)."""
    return [FirstTouch(), LastTouch(), Linear(), PositionBased(), Markov(markov_order), Shapley()]


__all__ = [
    "PATH_MODEL_NAMES",
    "Attribution",
    "FirstTouch",
    "JourneyModel",
    "LastNonDirect",
    "LastTouch",
    "Linear",
    "Markov",
    "PathModel",
    "PositionBased",
    "Shapley",
    "TimeDecay",
    "WShaped",
    "path_models",
]
