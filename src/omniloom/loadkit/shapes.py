"""Load shapes as YAML stages: how many users (closed model) or how many journeys started per
second (open model) at each moment of a run.

A closed model keeps N users busy: a slow server slows the arrivals, which hides its slowness
(coordinated omission). The open model starts journeys on a schedule regardless of responses,
and each journey knows when it was meant to start, so latency is measured from there.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from omniloom.loadkit.files import KitFileError, load_yaml
from omniloom.loadkit.thresholds import Thresholds

Seconds = Annotated[float, msgspec.Meta(gt=0, le=7 * 86_400)]


class Stage(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    duration: Seconds
    # Closed model: users running at the end of the stage. Open model: journeys started per second.
    users: Annotated[int, msgspec.Meta(ge=0, le=100_000)] | None = None
    rate: Annotated[float, msgspec.Meta(ge=0, le=100_000)] | None = None
    # True: move linearly from the previous stage's level to this one; False: step to it at once.
    ramp: bool = False
    # Closed model: users started per second to reach `users` (default: at once, or over the
    # stage when ramping).
    spawn_rate: Annotated[float, msgspec.Meta(gt=0)] | None = None
    # The mix re-weighted during this stage, by journey name (e.g. a flash sale's rush).
    weights: dict[str, Annotated[float, msgspec.Meta(ge=0)]] | None = None
    label: str = ""


class ClockDrive(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The simulated clock during the run: `factor` simulated seconds per wall second."""

    factor: Annotated[float, msgspec.Meta(gt=0, le=1_000_000)]
    start: datetime | None = None


class FlashSale(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """K units of one SKU at one location, nowhere else: shoppers of every channel race for them
    and the verdict expects exactly K orders (one unit each)."""

    product: str
    sku: str
    units: Annotated[int, msgspec.Meta(ge=1, le=100_000)]
    location: str = "loc_store_nyc"


class Shape(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    stages: list[Stage]
    model: Literal["closed", "open"] = "closed"
    # Open model: the users that carry the arrivals, i.e. the most journeys in flight at once.
    pool: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 50
    clock: ClockDrive | None = None
    flash_sale: FlashSale | None = None
    # Closed model: a user pauses between journeys for a time drawn from this range (seconds).
    think_seconds: tuple[float, float] = (0.1, 0.5)
    # Overrides the mix file's thresholds, field by field.
    thresholds: Thresholds | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not self.stages:
            raise ValueError("a shape needs at least one stage")
        level = "rate" if self.model == "open" else "users"
        for number, stage in enumerate(self.stages):
            if getattr(stage, level) is None:
                raise ValueError(f"stages[{number}] needs `{level}` in a {self.model} model")

    @property
    def duration(self) -> float:
        return sum(stage.duration for stage in self.stages)

    def stage_at(self, elapsed: float) -> tuple[int, Stage] | None:
        """The stage running `elapsed` seconds into the run, or None once the shape is over."""
        start = 0.0
        for number, stage in enumerate(self.stages):
            if elapsed < start + stage.duration:
                return number, stage
            start += stage.duration
        return None

    def users_at(self, elapsed: float) -> tuple[int, float] | None:
        """What locust's shape tick answers: (users, spawn rate), or None to stop the run."""
        found = self.stage_at(elapsed)
        if found is None:
            return None
        number, stage = found
        if self.model == "open":
            return self.pool, float(self.pool)
        target = stage.users or 0
        if stage.spawn_rate is not None:
            return target, stage.spawn_rate
        if stage.ramp:
            before = self.stages[number - 1].users or 0 if number else 0
            return target, max(1.0, abs(target - before) / stage.duration)
        return target, float(max(target, 1))

    def rate_at(self, elapsed: float) -> float:
        """Journeys started per second at `elapsed` (open model)."""
        start, before = 0.0, 0.0
        for stage in self.stages:
            rate = stage.rate or 0.0
            if elapsed < start + stage.duration:
                if not stage.ramp:
                    return rate
                return before + (rate - before) * (elapsed - start) / stage.duration
            start, before = start + stage.duration, rate
        return 0.0

    def arrivals(self, share: int = 0, shares: int = 1) -> Iterator[float]:
        """Intended start times (seconds into the run) of the journeys this process starts.

        The k-th journey of the whole run starts when the integral of the rate reaches k; a
        process that is one of `shares` load generators takes every `shares`-th, from `share`.
        """
        if not 0 <= share < shares:
            raise ValueError("share must be in [0, shares)")
        count = 0
        start, before, done = 0.0, 0.0, 0.0  # `done`: arrivals due before this stage
        for stage in self.stages:
            rate = stage.rate or 0.0
            low = before if stage.ramp else rate
            total = done + (low + rate) / 2 * stage.duration
            while count < total:
                if count % shares == share:
                    yield start + _time_to_reach(count - done, low, rate, stage.duration)
                count += 1
            start, before, done = start + stage.duration, rate, total


def _time_to_reach(n: float, low: float, high: float, duration: float) -> float:
    """Seconds into a stage until `n` journeys have started, the rate going low → high."""
    slope = (high - low) / duration
    if abs(slope) < 1e-12:
        return n / low
    # low·t + slope·t²/2 = n, the root that lies in the stage
    return (-low + math.sqrt(max(low * low + 2 * slope * n, 0.0))) / slope


def load_shape(path: str | Path) -> Shape:
    try:
        return load_yaml(path, Shape)
    except ValueError as error:
        if isinstance(error, KitFileError):
            raise
        raise KitFileError(f"{path}: {error}") from None
