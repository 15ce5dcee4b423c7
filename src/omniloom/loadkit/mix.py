"""The journey mix: which journeys run, on which channel, how often, and what a run must meet."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from omniloom.loadkit.files import load_yaml
from omniloom.loadkit.thresholds import Thresholds
from omniloom.scenarios.access import DEMO_KEYS  # the demo store's keys (README)

Channel = Literal["web", "mobile", "social", "messaging", "pos"]


class JourneySpec(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    channel: Channel
    weight: Annotated[float, msgspec.Meta(ge=0)]
    # A journey of the kit (omniloom.loadkit.journeys.JOURNEYS) ...
    journey: str | None = None
    # ... or a scenario file, relative to the mix file.
    scenario: str | None = None

    def __post_init__(self) -> None:
        if (self.journey is None) == (self.scenario is None):
            raise ValueError(f"journey {self.name!r} needs one of `journey` or `scenario`")


class Mix(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    journeys: list[JourneySpec]
    # Seeds the shoppers and every choice a journey makes, so a run can be repeated.
    seed: int = 42
    thresholds: Thresholds = Thresholds(error_rate=0.01, p99_ms=2_000)
    keys: dict[str, str] = msgspec.field(default_factory=lambda: dict(DEMO_KEYS))
    # Where the mix file lives; scenario paths are relative to it.
    home: str = "."

    def __post_init__(self) -> None:
        if not any(spec.weight > 0 for spec in self.journeys):
            raise ValueError("the mix needs a journey with a weight above 0")
        names = [spec.name for spec in self.journeys]
        if len(set(names)) != len(names):
            raise ValueError("journey names must be unique")

    def key_for(self, channel: str) -> str:
        return self.keys.get(channel) or DEMO_KEYS[channel]

    def pick(self, rng: random.Random, weights: dict[str, float] | None = None) -> JourneySpec:
        """A journey drawn by weight; a stage's `weights` are the mix during that stage (the
        journeys it does not name do not run then)."""
        chosen = [spec.weight for spec in self.journeys]
        if weights:
            chosen = [weights.get(spec.name, 0.0) for spec in self.journeys]
        return rng.choices(self.journeys, weights=chosen)[0]

    def check_stage_weights(self, weights: dict[str, float]) -> None:
        unknown = sorted(set(weights) - {spec.name for spec in self.journeys})
        if unknown:
            raise ValueError(f"a stage weights journeys the mix does not have: {unknown}")
        if not any(weights.values()):
            raise ValueError("a stage's weights are all 0")


def load_mix(path: str | Path) -> Mix:
    mix = load_yaml(path, Mix)
    return msgspec.structs.replace(mix, home=str(Path(path).parent))
