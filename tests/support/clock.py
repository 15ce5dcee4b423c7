"""A wall clock that moves only when a test moves it, for the simulated clock to run on."""

from __future__ import annotations


class FakeWall:
    def __init__(self, seconds: float = 1_800_000_000.0) -> None:
        self.seconds = seconds

    def __call__(self) -> float:
        return self.seconds

    def pass_seconds(self, seconds: float) -> None:
        self.seconds += seconds
