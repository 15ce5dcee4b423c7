"""Markov-chain attribution by removal effect, solved exactly (orders 1–4).

Each distinct path ``c1 > c2 > … > cn`` is read as a walk ``start → s1 → … → sn → conversion``
(once per conversion) or ``→ null`` (once per non-converting journey), where the state ``si`` is the
tuple of the last ``order`` channels up to ``ci`` (shorter at the start of a path). Transition
probabilities are the observed counts, normalised per state.

The removal effect of a channel is ``1 - P(conversion | its states lead to null) / P(conversion)``;
credits are the total conversions split in proportion to the removal effects. Value is attributed
the same way with the expected conversion value instead of the probability, so a channel that
leads to large orders gets more value credit than conversion credit.

Everything is one pass over the rows (they are aggregated by path first) plus one linear solve
per channel — see ``absorbing.py``. ChannelAttribution estimates the same quantities by simulating
paths; here they are computed, so the result is exact and needs no seed.
"""

from __future__ import annotations

from collections.abc import Sequence

from omniloom.analytics.models.absorbing import DENSE_LIMIT, AbsorbingChain, absorb
from omniloom.analytics.models.base import Attribution, proportional
from omniloom.analytics.paths import PathRow, aggregate_paths, channels_in

MAX_ORDER = 4

# Order 1 keys states by the channel itself (no tuple slicing in the common case); higher orders
# by the tuple of the last ``order`` channels.
State = str | tuple[str, ...]


class MarkovFit:
    """The chain estimated from path rows, with the channels each state contains."""

    def __init__(self, rows: Sequence[PathRow], order: int) -> None:
        if not 1 <= order <= MAX_ORDER:
            raise ValueError(f"Markov order must be between 1 and {MAX_ORDER}, got {order}")
        self.order = order
        totals = aggregate_paths(rows)
        self.channels = channels_in(totals)
        self.total_conversions = sum(acc[0] for acc in totals.values())
        self.total_value = sum(acc[1] for acc in totals.values())
        self.total_paths = sum(acc[0] + acc[2] for acc in totals.values())
        self.state_channels: list[frozenset[str]] = []  # the channels each state remembers
        self.chain = self._estimate(totals)

    def _estimate(self, totals: dict[tuple[str, ...], list[float]]) -> AbsorbingChain:
        ids: dict[State, int] = {}
        moves: dict[tuple[int, int], float] = {}
        starts: dict[int, float] = {}
        conv: dict[int, float] = {}
        value: dict[int, float] = {}
        out: dict[int, float] = {}
        k = self.order
        for path, (c, v, n) in totals.items():
            weight = c + n
            if weight <= 0.0:
                continue
            keys: Sequence[State] = (
                path if k == 1 else [path[max(0, i - k + 1) : i + 1] for i in range(len(path))]
            )
            previous = -1
            for key in keys:
                state = ids.get(key)
                if state is None:
                    state = ids[key] = len(ids)
                if previous < 0:
                    starts[state] = starts.get(state, 0.0) + weight
                else:
                    edge = (previous, state)
                    moves[edge] = moves.get(edge, 0.0) + weight
                    out[previous] = out.get(previous, 0.0) + weight
                previous = state
            conv[previous] = conv.get(previous, 0.0) + c
            value[previous] = value.get(previous, 0.0) + v
            out[previous] = out.get(previous, 0.0) + weight

        size = len(ids)
        self.state_channels = [
            frozenset((key,)) if isinstance(key, str) else frozenset(key) for key in ids
        ]
        successors: list[list[tuple[int, float]]] = [[] for _ in range(size)]
        loops = [0.0] * size
        for (a, b), count in moves.items():
            p = count / out[a]
            if a == b:
                loops[a] = p
            else:
                successors[a].append((b, p))
        norm = sum(starts.values())
        return AbsorbingChain(
            successors=successors,
            loops=loops,
            conversion=[conv.get(i, 0.0) / out[i] for i in range(size)],
            reward=[value.get(i, 0.0) / out[i] for i in range(size)],
            start=[(s, count / norm) for s, count in starts.items()],
            order=_successors_first(successors, starts),
        )

    def removed_states(self, channel: str) -> list[bool]:
        """The states that remember ``channel``: removing it sends them to null."""
        return [channel in channels for channels in self.state_channels]


class Markov:
    """Removal-effect attribution on an order-``order`` chain (see the module docstring)."""

    def __init__(self, order: int = 1, *, dense_limit: int = DENSE_LIMIT) -> None:
        if not 1 <= order <= MAX_ORDER:
            raise ValueError(f"Markov order must be between 1 and {MAX_ORDER}, got {order}")
        self.order = order
        self.dense_limit = dense_limit
        self.name = "markov"

    def __call__(self, rows: Sequence[PathRow]) -> Attribution:
        fit = MarkovFit(rows, self.order)
        effects: dict[str, float] = {}
        value_effects: dict[str, float] = {}
        if fit.total_conversions > 0:
            base = absorb(fit.chain, dense_limit=self.dense_limit)
            for channel in fit.channels:
                removed = absorb(
                    fit.chain,
                    fit.removed_states(channel),
                    dense_limit=self.dense_limit,
                    guess=base.by_state,
                )
                effects[channel] = _effect(removed.conversion, base.conversion)
                value_effects[channel] = _effect(removed.value, base.value)
        return Attribution(
            model=self.name,
            conversions=proportional(effects, fit.total_conversions, fit.channels),
            value=proportional(value_effects, fit.total_value, fit.channels),
            total_conversions=fit.total_conversions,
            total_value=fit.total_value,
            removal_effects={ch: effects.get(ch, 0.0) for ch in fit.channels},
            value_removal_effects={ch: value_effects.get(ch, 0.0) for ch in fit.channels},
            method=f"exact absorbing chain, order {self.order}, {fit.chain.size} states",
        )


def _effect(removed: float, base: float) -> float:
    if base <= 0.0:
        return 0.0
    # Clamp rounding noise: removing states can only lower the probability of converting.
    return min(1.0, max(0.0, 1.0 - removed / base))


def _successors_first(
    successors: list[list[tuple[int, float]]], starts: dict[int, float]
) -> list[int]:
    """Depth-first post-order from the start: every state after the states it leads to.

    A state's value depends on its successors, so in this order one Gauss–Seidel sweep is exact
    on the acyclic part of the chain and only the cycles need repeated sweeps.
    """
    done: list[int] = []
    visited: set[int] = set()
    for root in starts:
        if root in visited:
            continue
        visited.add(root)
        stack = [(root, iter(successors[root]))]
        while stack:
            state, pending = stack[-1]
            for succ, _p in pending:
                if succ not in visited:
                    visited.add(succ)
                    stack.append((succ, iter(successors[succ])))
                    break
            else:
                stack.pop()
                done.append(state)
    return done
