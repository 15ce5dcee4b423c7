"""Time, injected everywhere: nothing in omniloom reads the wall clock directly.

The simulated clock starts frozen so that tests and replays are deterministic; it can be set,
advanced, or left running at wall-clock pace from where it stands.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    def __init__(self, start: datetime, *, frozen: bool = True) -> None:
        if start.tzinfo is None:
            raise ValueError("the simulated clock needs an aware datetime")
        self._anchor = start.astimezone(UTC)
        self._anchor_wall = time.monotonic()
        self._frozen = frozen

    @property
    def frozen(self) -> bool:
        return self._frozen

    def now(self) -> datetime:
        if self._frozen:
            return self._anchor
        return self._anchor + timedelta(seconds=time.monotonic() - self._anchor_wall)

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the simulated clock needs an aware datetime")
        self._anchor = moment.astimezone(UTC)
        self._anchor_wall = time.monotonic()

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self.set(self.now() + delta)
        return self._anchor

    def freeze(self) -> None:
        self.set(self.now())
        self._frozen = True

    def resume(self) -> None:
        self.set(self.now())
        self._frozen = False
