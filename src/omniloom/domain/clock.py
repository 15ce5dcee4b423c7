"""Time, injected everywhere: nothing in omniloom reads the wall clock directly, and the domain
does not even know where wall time comes from (the composition root hands it a wall source).

The simulated clock is a state — the simulated instant at an anchor on the wall, and how many
simulated seconds pass per wall second (the compression factor; 0 is frozen) — from which `now`
is derived. Because the state is plain data, every server process can share it (the database
keeps it) and a restarted process continues from where the clock was. Each stored state has a
revision, one more than the state it replaced, so a process holding several copies (one just
read, one just heard of) keeps the newest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

# Seconds on a wall clock every process shares (e.g. time.time); given by the composition root.
WallSource = Callable[[], float]
# At most this many simulated seconds per wall second (a year per minute).
MAX_FACTOR = 1_000_000.0


class Clock(Protocol):
    def now(self) -> datetime: ...


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the simulated clock needs an aware datetime")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ClockState:
    anchor: datetime  # the simulated instant ...
    wall: float  # ... at this wall second
    factor: float = 0.0  # simulated seconds per wall second; 0: frozen
    # How many times the state was stored before this one (the store numbers them).
    revision: int = 0

    @property
    def frozen(self) -> bool:
        return self.factor == 0

    def at(self, wall: float) -> datetime:
        if self.frozen or wall <= self.wall:
            return self.anchor
        return self.anchor + timedelta(seconds=(wall - self.wall) * self.factor)

    def moved_to(self, moment: datetime, wall: float) -> ClockState:
        return replace(self, anchor=_aware(moment), wall=wall)

    def running_at(self, factor: float, wall: float) -> ClockState:
        if not 0 <= factor <= MAX_FACTOR:
            raise ValueError(f"the compression factor must lie in [0, {MAX_FACTOR:g}]")
        return ClockState(self.at(wall), wall, factor, self.revision)

    def newer_than(self, other: ClockState) -> bool:
        return self.revision > other.revision

    def next_revision(self) -> ClockState:
        """This state as the one stored after ``self.revision``."""
        return replace(self, revision=self.revision + 1)


def _no_wall() -> float:
    return 0.0


class SimulatedClock:
    """A clock that starts frozen and moves when told; given a wall source, it can also run
    by itself, `factor` simulated seconds per wall second."""

    def __init__(self, start: datetime, *, frozen: bool = True, wall: WallSource = _no_wall):
        self._wall = wall
        self.state = ClockState(_aware(start), wall(), 0.0 if frozen else 1.0)

    @property
    def frozen(self) -> bool:
        return self.state.frozen

    @property
    def factor(self) -> float:
        return self.state.factor

    def now(self) -> datetime:
        return self.state.at(self._wall())

    def set(self, moment: datetime) -> None:
        self.state = self.state.moved_to(moment, self._wall())

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self.set(self.now() + delta)
        return self.state.anchor

    def run_at(self, factor: float) -> None:
        """Run `factor` simulated seconds per wall second from where the clock stands (0: stop)."""
        self.state = self.state.running_at(factor, self._wall())

    def freeze(self) -> None:
        self.run_at(0.0)

    def resume(self) -> None:
        self.run_at(1.0)
