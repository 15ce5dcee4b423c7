"""Shapley-value attribution over channel coalitions.

The worth of a coalition S of channels is the conversions (or value) of the paths whose set of
channels is a subset of S: what those channels would have converted on their own. A channel's
credit is its average marginal worth over all orders in which the channels could join.

- Up to ``exact_max_channels`` channels (12 by default: 4,096 coalitions), the value is computed
  exactly: worth of every coalition by a subset-sum transform, then the Shapley formula.
- Beyond that, permutations are sampled; each sampled order splits the total worth exactly, so
  credits still sum to the conversions, and the result carries the standard error of each mean.

Note for readers and tests: this worth is a sum of unanimity games (one per distinct channel
set), so its exact Shapley value equals "each converting path's conversions split equally over its
distinct channels". The coalition computation is kept because it is the definition, and the
tests use the closed form as an independent check of it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from omniloom.analytics.models.base import Attribution
from omniloom.analytics.paths import PathRow, aggregate_paths, channels_in

EXACT_MAX_CHANNELS = 12
DEFAULT_PERMUTATIONS = 2000


class Shapley:
    name = "shapley"

    def __init__(
        self,
        *,
        exact_max_channels: int = EXACT_MAX_CHANNELS,
        permutations: int = DEFAULT_PERMUTATIONS,
        seed: int = 0,
    ) -> None:
        if exact_max_channels > 20:
            raise ValueError("exact Shapley over more than 20 channels needs 2^20+ coalitions")
        if permutations < 2:
            raise ValueError("sampling needs at least 2 permutations for a standard error")
        self.exact_max_channels = exact_max_channels
        self.permutations = permutations
        self.seed = seed

    def __call__(self, rows: Sequence[PathRow]) -> Attribution:
        totals = aggregate_paths(rows)
        channels = channels_in(totals)
        bit = {channel: 1 << i for i, channel in enumerate(channels)}
        # Worth only depends on which channels a path touched: sum conversions per channel set.
        worth: dict[int, list[float]] = {}
        for path, (conversions, value, _nulls) in totals.items():
            if conversions == 0.0:
                continue
            mask = 0
            for channel in set(path):
                mask |= bit[channel]
            acc = worth.setdefault(mask, [0.0, 0.0])
            acc[0] += conversions
            acc[1] += value
        total_conversions = sum(acc[0] for acc in worth.values())
        total_value = sum(acc[1] for acc in worth.values())
        if len(channels) <= self.exact_max_channels:
            conv, val = _exact(worth, len(channels))
            errors: tuple[list[float], list[float]] | None = None
            method = f"exact over {2 ** len(channels)} coalitions"
        else:
            conv, val, errors = _sampled(worth, len(channels), self.permutations, self.seed)
            method = f"sampled, {self.permutations} permutations (seed {self.seed})"
        return Attribution(
            model=self.name,
            conversions=dict(zip(channels, conv, strict=True)),
            value=dict(zip(channels, val, strict=True)),
            total_conversions=total_conversions,
            total_value=total_value,
            standard_errors=dict(zip(channels, errors[0], strict=True)) if errors else None,
            value_standard_errors=dict(zip(channels, errors[1], strict=True)) if errors else None,
            method=method,
        )


def _exact(worth: dict[int, list[float]], n: int) -> tuple[list[float], list[float]]:
    size = 1 << n
    v_conv = [0.0] * size
    v_value = [0.0] * size
    for mask, (conversions, value) in worth.items():
        v_conv[mask] = conversions
        v_value[mask] = value
    # Subset-sum (zeta) transform: v[S] becomes the sum over all T ⊆ S, in n * 2^n steps.
    for i in range(n):
        b = 1 << i
        for mask in range(size):
            if mask & b:
                v_conv[mask] += v_conv[mask ^ b]
                v_value[mask] += v_value[mask ^ b]
    # weight[k] = k! (n - k - 1)! / n!: the share of orders in which a channel joins k others.
    weight = [math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n) for k in range(n)]
    popcount = [0] * size
    for mask in range(1, size):
        popcount[mask] = popcount[mask >> 1] + (mask & 1)
    conv = [0.0] * n
    val = [0.0] * n
    for i in range(n):
        b = 1 << i
        sc = sv = 0.0
        for mask in range(size):
            if not mask & b:
                w = weight[popcount[mask]]
                sc += w * (v_conv[mask | b] - v_conv[mask])
                sv += w * (v_value[mask | b] - v_value[mask])
        conv[i] = sc
        val[i] = sv
    return conv, val


def _sampled(
    worth: dict[int, list[float]], n: int, permutations: int, seed: int
) -> tuple[list[float], list[float], tuple[list[float], list[float]]]:
    """Mean marginal contributions over random orders, with standard errors of the means.

    In a given order, a channel set's worth is added exactly when its last member joins, so one
    order costs one pass over the distinct channel sets.
    """
    rng = random.Random(seed)
    members = [([i for i in range(n) if mask >> i & 1], c, v) for mask, (c, v) in worth.items()]
    sum_c = [0.0] * n
    sum_v = [0.0] * n
    sq_c = [0.0] * n
    sq_v = [0.0] * n
    position = list(range(n))
    for _ in range(permutations):
        rng.shuffle(position)
        got_c = [0.0] * n
        got_v = [0.0] * n
        for channels, c, v in members:
            last = max(channels, key=position.__getitem__)
            got_c[last] += c
            got_v[last] += v
        for i in range(n):
            sum_c[i] += got_c[i]
            sum_v[i] += got_v[i]
            sq_c[i] += got_c[i] * got_c[i]
            sq_v[i] += got_v[i] * got_v[i]
    m = permutations
    mean_c = [s / m for s in sum_c]
    mean_v = [s / m for s in sum_v]
    return mean_c, mean_v, (_errors(sum_c, sq_c, m), _errors(sum_v, sq_v, m))


def _errors(sums: list[float], squares: list[float], m: int) -> list[float]:
    # Standard error of the mean: sample variance (m - 1 denominator) over m, square-rooted.
    return [
        math.sqrt(max(0.0, (sq - s * s / m) / (m - 1)) / m)
        for s, sq in zip(sums, squares, strict=True)
    ]
