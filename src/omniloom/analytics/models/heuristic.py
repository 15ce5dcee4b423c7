"""Rule-based models that split each path's conversions by position alone.

They need no timestamps, so they run on aggregated path rows: every distinct path is weighted by
its conversion count and value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from omniloom.analytics.models.base import Attribution, Credits
from omniloom.analytics.paths import PathRow, aggregate_paths, channels_in

# A rule returns (channel, share) pairs whose shares sum to 1 for a non-empty path.
ShareRule = Callable[[tuple[str, ...]], Sequence[tuple[str, float]]]


def split_by_rule(rows: Sequence[PathRow], rule: ShareRule, model: str) -> Attribution:
    totals = aggregate_paths(rows)
    credits = Credits(channels_in(totals))
    for path, (conversions, value, _nulls) in totals.items():
        if conversions == 0.0:
            continue
        credits.add_total(conversions, value)
        for channel, share in rule(path):
            credits.give(channel, share, conversions, value)
    return credits.result(model)


class FirstTouch:
    name = "first_touch"

    def __call__(self, rows: Sequence[PathRow]) -> Attribution:
        return split_by_rule(rows, lambda path: ((path[0], 1.0),), self.name)


class LastTouch:
    name = "last_touch"

    def __call__(self, rows: Sequence[PathRow]) -> Attribution:
        return split_by_rule(rows, lambda path: ((path[-1], 1.0),), self.name)


class LastNonDirect:
    """Last touch that is not ``direct``; a journey that was direct all along credits direct.

    Direct traffic is the shopper coming back by themselves, so it should not take the credit from
    the campaign that brought them — unless nothing else was there.
    """

    name = "last_non_direct"

    def __init__(self, direct: str = "direct") -> None:
        self.direct = direct

    def __call__(self, rows: Sequence[PathRow]) -> Attribution:
        return split_by_rule(rows, self._rule, self.name)

    def _rule(self, path: tuple[str, ...]) -> Sequence[tuple[str, float]]:
        for channel in reversed(path):
            if channel != self.direct:
                return ((channel, 1.0),)
        return ((self.direct, 1.0),)


class Linear:
    """Every touch gets an equal share; a channel touched twice gets two shares."""

    name = "linear"

    def __call__(self, rows: Sequence[PathRow]) -> Attribution:
        return split_by_rule(rows, _linear_rule, self.name)


def _linear_rule(path: tuple[str, ...]) -> Sequence[tuple[str, float]]:
    share = 1.0 / len(path)
    return [(channel, share) for channel in path]


class PositionBased:
    """U-shaped: ``first`` to the first touch, ``last`` to the last, the rest split in between.

    Short paths, stated because tools differ here: a one-touch path gives that touch 100%; a
    two-touch path splits ``first : last`` (50/50 with the default 40/40), since there is no middle.
    """

    name = "position_based"

    def __init__(self, first: float = 0.4, last: float = 0.4) -> None:
        if first < 0 or last < 0 or first + last > 1 or first + last == 0:
            raise ValueError("position weights need first, last >= 0 and 0 < first + last <= 1")
        self.first = first
        self.last = last

    def __call__(self, rows: Sequence[PathRow]) -> Attribution:
        return split_by_rule(rows, self.shares, self.name)

    def shares(self, path: tuple[str, ...]) -> Sequence[tuple[str, float]]:
        n = len(path)
        if n == 1:
            return ((path[0], 1.0),)
        if n == 2:
            ends = self.first + self.last
            return ((path[0], self.first / ends), (path[1], self.last / ends))
        middle = (1.0 - self.first - self.last) / (n - 2)
        return [
            (path[0], self.first),
            *((channel, middle) for channel in path[1:-1]),
            (path[-1], self.last),
        ]
