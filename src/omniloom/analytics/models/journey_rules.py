"""Models that need what path rows do not carry: timestamps (time decay) or event types (W-shaped).

Each converting journey has one conversion worth ``journey.value``; its touches get raw weights,
which are normalised per journey so the credits still sum to the conversions and the value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from omniloom.analytics.journeys import Journey
from omniloom.analytics.models.base import Attribution, Credits

DEFAULT_LEAD_EVENTS = frozenset(
    {"customer.registered", "customer.signed_up", "customer.identified"}
)
DEFAULT_OPPORTUNITY_EVENTS = frozenset({"cart.item_added"})

WeightRule = Callable[[Journey], Sequence[float]]


def split_journeys(journeys: Sequence[Journey], rule: WeightRule, model: str) -> Attribution:
    channels = sorted({channel for journey in journeys for channel in journey.path})
    credits = Credits(channels)
    for journey in journeys:
        if not journey.converted or not journey.path:
            continue
        credits.add_total(1.0, journey.value)
        weights = rule(journey)
        norm = sum(weights)
        for channel, weight in zip(journey.path, weights, strict=True):
            credits.give(channel, weight / norm, 1.0, journey.value)
    return credits.result(model)


class TimeDecay:
    """A touch ``d`` before the conversion weighs ``2 ** (-d / half_life)``.

    The conversion touch itself weighs 1, a touch one half-life earlier 0.5, and so on.
    """

    name = "time_decay"

    def __init__(self, half_life: timedelta = timedelta(days=7)) -> None:
        if half_life <= timedelta(0):
            raise ValueError("half_life must be positive")
        self.half_life = half_life

    def __call__(self, journeys: Sequence[Journey]) -> Attribution:
        return split_journeys(journeys, self.weights, self.name)

    def weights(self, journey: Journey) -> list[float]:
        end = journey.ended_at
        seconds = self.half_life.total_seconds()
        return [
            0.5 ** ((end - tp.timestamp).total_seconds() / seconds) for tp in journey.touchpoints
        ]


class WShaped:
    """30% each to the first touch, the lead touch and the opportunity touch; 10% to the rest.

    The lead is the first sign-up/identify event, the opportunity the first add-to-cart (event
    types configurable). Stated rules for the cases the textbook leaves open:
    - milestones on the same touch add up on it;
    - a milestone the journey never reached drops out and the others are scaled up;
    - the ``rest`` share is split equally over the touches that are no milestone, and drops out
      (scaling the milestones up) if there are none.
    """

    name = "w_shaped"

    def __init__(
        self,
        *,
        first: float = 0.3,
        lead: float = 0.3,
        opportunity: float = 0.3,
        rest: float = 0.1,
        lead_events: frozenset[str] = DEFAULT_LEAD_EVENTS,
        opportunity_events: frozenset[str] = DEFAULT_OPPORTUNITY_EVENTS,
    ) -> None:
        if min(first, lead, opportunity, rest) < 0 or first <= 0:
            raise ValueError("W-shaped weights must be >= 0 and the first-touch weight > 0")
        self.first = first
        self.lead = lead
        self.opportunity = opportunity
        self.rest = rest
        self.lead_events = lead_events
        self.opportunity_events = opportunity_events

    def __call__(self, journeys: Sequence[Journey]) -> Attribution:
        return split_journeys(journeys, self.weights, self.name)

    def weights(self, journey: Journey) -> list[float]:
        touches = journey.touchpoints
        weights = [0.0] * len(touches)
        weights[0] += self.first
        milestones = {0}
        for events, weight in (
            (self.lead_events, self.lead),
            (self.opportunity_events, self.opportunity),
        ):
            index = next((i for i, tp in enumerate(touches) if tp.event_type in events), None)
            if index is not None:
                weights[index] += weight
                milestones.add(index)
        others = [i for i in range(len(touches)) if i not in milestones]
        for i in others:
            weights[i] += self.rest / len(others)
        return weights
