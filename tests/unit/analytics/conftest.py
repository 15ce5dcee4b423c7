"""Shared data for the analytics tests: small published examples and the shared path data set."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from omniloom.analytics.pathfile import read_path_file
from omniloom.analytics.paths import PathRow, split_path

PATHDATA = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "attribution" / "pathdata.csv"
)


def rows_from(spec: list[tuple[str, float, float, float]]) -> list[PathRow]:
    """``[("a > b", conversions, value, nulls), …]`` → path rows."""
    return [PathRow(split_path(path), c, v, n) for path, c, v, n in spec]


@pytest.fixture
def vignette() -> list[PathRow]:
    """The ChannelAttribution vignette: three converting paths over channels A and B."""
    return rows_from([("A>B>A>B>B>A", 1, 1, 0), ("A>B>B>A>A", 1, 1, 0), ("A>A", 1, 1, 0)])


@pytest.fixture
def three_paths() -> list[PathRow]:
    """C1>C2>C3 converts once; C1 and C2>C3 end without a conversion."""
    return rows_from([("C1>C2>C3", 1, 1, 0), ("C1", 0, 0, 1), ("C2>C3", 0, 0, 1)])


@pytest.fixture
def random_rows() -> list[PathRow]:
    """Seeded, varied data: repeats, self-loops, fractional counts, rows without conversions."""
    rng = random.Random(20240611)
    channels = ["email", "search", "social", "store", "app", "direct"]
    rows = []
    for _ in range(300):
        path = tuple(rng.choice(channels) for _ in range(rng.randint(1, 7)))
        conversions = float(rng.choice([0, 0, 1, 2, 3.5]))
        value = round(conversions * rng.uniform(5, 120), 2)
        rows.append(
            PathRow(path, conversions, value, float(rng.randint(0 if conversions else 1, 9)))
        )
    return rows


@pytest.fixture(scope="session")
def pathdata() -> list[PathRow]:
    if not PATHDATA.is_file():
        pytest.skip(
            f"shared data set not found at {PATHDATA.resolve()} (needs ../shared beside the repo)"
        )
    return read_path_file(PATHDATA)
