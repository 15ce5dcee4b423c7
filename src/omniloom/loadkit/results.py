"""What the load generators saw, written by each of them at the end of a run and read back
together by the verdict: every request's latency from its intended start, the failures, and the
ids of the orders the store acknowledged."""

from __future__ import annotations

import math
import os
from pathlib import Path

import msgspec


class Tally(msgspec.Struct):
    """One load generator's record of a run (one file per process)."""

    run: str = ""  # the run id its shoppers are tagged with
    requests: int = 0
    failures: int = 0
    # Milliseconds from each request's intended start to its answer.
    latencies_ms: list[float] = msgspec.field(default_factory=list)
    failures_by_name: dict[str, int] = msgspec.field(default_factory=dict)
    orders: list[str] = msgspec.field(default_factory=list)
    journeys_started: int = 0
    # Open model: journeys that started after their intended time, and by how much at most.
    journeys_late: int = 0
    max_lag_ms: float = 0.0

    def request(self, name: str, latency_ms: float, ok: bool) -> None:
        self.requests += 1
        self.latencies_ms.append(latency_ms)
        if not ok:
            self.failures += 1
            self.failures_by_name[name] = self.failures_by_name.get(name, 0) + 1

    def journey(self, lag_ms: float) -> None:
        self.journeys_started += 1
        if lag_ms > 1.0:
            self.journeys_late += 1
            self.max_lag_ms = max(self.max_lag_ms, lag_ms)

    def write(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"tally-{os.getpid()}.json"
        path.write_bytes(msgspec.json.encode(self))
        return path

    def merge(self, other: Tally) -> None:
        self.run = self.run or other.run
        self.requests += other.requests
        self.failures += other.failures
        self.latencies_ms.extend(other.latencies_ms)
        for name, count in other.failures_by_name.items():
            self.failures_by_name[name] = self.failures_by_name.get(name, 0) + count
        self.orders.extend(other.orders)
        self.journeys_started += other.journeys_started
        self.journeys_late += other.journeys_late
        self.max_lag_ms = max(self.max_lag_ms, other.max_lag_ms)


def read_tallies(directory: str | Path) -> Tally:
    """Every load generator's tally in `directory`, merged."""
    total = Tally()
    for path in sorted(Path(directory).glob("tally-*.json")):
        total.merge(msgspec.json.decode(path.read_bytes(), type=Tally))
    return total


def clear_tallies(directory: str | Path) -> None:
    for path in Path(directory).glob("tally-*.json"):
        path.unlink()


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (q in 0–100) of `values`; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]
