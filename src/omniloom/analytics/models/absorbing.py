"""Exact absorption probabilities of an absorbing Markov chain, in pure Python.

The chain has transient states ``0..n-1`` and two absorbing states, conversion and null. For a set
of *removed* states (sent straight to null), we need the probability of being absorbed in
conversion from the start, and the expected conversion value. Both solve ``(I - Q) x = b``:

- small systems (order-1 chains have one state per channel) by Gaussian elimination with partial
  pivoting — exact up to rounding;
- larger ones (higher orders have a state per observed channel tuple) by Gauss–Seidel, sweeping
  states farthest from the start first, to a fixed tolerance of 1e-13. Self-loops are solved
  in closed form (``x_i = (b_i + sum_j q_ij x_j) / (1 - q_ii)``), so repeated touches of one
  channel cost no iterations.

No simulation anywhere: the answer is deterministic and does not depend on a seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

DENSE_LIMIT = 80  # beyond this, O(n^3) pure-Python elimination loses to sparse sweeps
TOLERANCE = 1e-13
MAX_SWEEPS = 200_000


class SolveError(RuntimeError):
    """The iterative solve did not converge (a chain from which absorption is not certain)."""


@dataclass(slots=True)
class AbsorbingChain:
    """Transition probabilities; ``reward[i]`` is the expected conversion value when leaving ``i``
    (``P(i -> conversion)`` times the mean value of the conversions that left from ``i``)."""

    successors: list[list[tuple[int, float]]]  # transient successors, self-loops excluded
    loops: list[float]
    conversion: list[float]
    reward: list[float]
    start: list[tuple[int, float]]
    order: list[int] = field(default_factory=list)  # Gauss–Seidel sweep order

    @property
    def size(self) -> int:
        return len(self.loops)


@dataclass(slots=True, frozen=True)
class Absorption:
    conversion: float  # P(start → conversion)
    value: float  # expected conversion value from the start
    by_state: tuple[list[float], list[float]]  # the same two quantities from every state


def absorb(
    chain: AbsorbingChain,
    removed: Sequence[bool] | None = None,
    *,
    dense_limit: int = DENSE_LIMIT,
    tolerance: float = TOLERANCE,
    guess: tuple[list[float], list[float]] | None = None,
) -> Absorption:
    """Absorption from every state with ``removed`` states sent to null.

    ``guess`` (e.g. the solution without removals) only speeds up the iterative solver.
    """
    dead = list(removed) if removed is not None else [False] * chain.size
    alive = [i for i in range(chain.size) if not dead[i]]
    if len(alive) <= dense_limit:
        x, y = _solve_dense(chain, alive)
    else:
        x, y = _solve_sweeps(chain, dead, tolerance, guess)
    return Absorption(
        conversion=sum(p * x[j] for j, p in chain.start),
        value=sum(p * y[j] for j, p in chain.start),
        by_state=(x, y),
    )


def _solve_dense(chain: AbsorbingChain, alive: list[int]) -> tuple[list[float], list[float]]:
    index = {state: k for k, state in enumerate(alive)}
    n = len(alive)
    # Augmented rows [ (I - Q) | b_conv | b_value ] over the surviving states only.
    matrix = [[0.0] * (n + 2) for _ in range(n)]
    for k, state in enumerate(alive):
        row = matrix[k]
        row[k] = 1.0 - chain.loops[state]
        for succ, p in chain.successors[state]:
            col = index.get(succ)
            if col is not None:
                row[col] -= p
        row[n] = chain.conversion[state]
        row[n + 1] = chain.reward[state]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(matrix[r][col]))
        if abs(matrix[pivot][col]) < 1e-300:
            raise SolveError("singular chain: some state never reaches conversion or null")
        matrix[col], matrix[pivot] = matrix[pivot], matrix[col]
        head = matrix[col]
        inv = 1.0 / head[col]
        for r in range(col + 1, n):
            row = matrix[r]
            factor = row[col] * inv
            if factor:
                for c in range(col, n + 2):
                    row[c] -= factor * head[c]
    x = [0.0] * n
    y = [0.0] * n
    for r in range(n - 1, -1, -1):
        row = matrix[r]
        sx, sy = row[n], row[n + 1]
        for c in range(r + 1, n):
            sx -= row[c] * x[c]
            sy -= row[c] * y[c]
        x[r] = sx / row[r]
        y[r] = sy / row[r]
    full_x = [0.0] * chain.size
    full_y = [0.0] * chain.size
    for k, state in enumerate(alive):
        full_x[state] = x[k]
        full_y[state] = y[k]
    return full_x, full_y


def _solve_sweeps(
    chain: AbsorbingChain,
    dead: list[bool],
    tolerance: float,
    guess: tuple[list[float], list[float]] | None,
) -> tuple[list[float], list[float]]:
    order = [i for i in (chain.order or range(chain.size)) if not dead[i]]
    scale = max(chain.reward, default=0.0) / max(max(chain.conversion, default=0.0), 1e-300)
    scale = scale if scale > 0 else 1.0  # compare value changes on the scale of conversions
    succ = chain.successors
    inv_diag = [1.0 / (1.0 - q) if q < 1.0 else 0.0 for q in chain.loops]
    if guess is None:
        x = [0.0] * chain.size
        y = [0.0] * chain.size
    else:
        x = [0.0 if d else v for v, d in zip(guess[0], dead, strict=True)]
        y = [0.0 if d else v for v, d in zip(guess[1], dead, strict=True)]
    conv, reward = chain.conversion, chain.reward
    for _ in range(MAX_SWEEPS):
        change = 0.0
        for i in order:
            sx = conv[i]
            sy = reward[i]
            for j, p in succ[i]:
                sx += p * x[j]
                sy += p * y[j]
            sx *= inv_diag[i]
            sy *= inv_diag[i]
            delta = abs(sx - x[i]) + abs(sy - y[i]) / scale
            if delta > change:
                change = delta
            x[i] = sx
            y[i] = sy
        if change < tolerance:
            return x, y
    raise SolveError(f"Gauss–Seidel did not converge in {MAX_SWEEPS} sweeps")
