"""Aggregated customer paths: the data every path-based attribution model works on.

A ``PathRow`` is one distinct path with how often it converted, for how much, and how often it
ended without a conversion ("null") — the shape of a ChannelAttribution path file
(see ``pathfile.py``) and of ``journey_paths`` over built journeys.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import msgspec

CHANNEL_SEPARATOR = ">"


class PathRow(msgspec.Struct, frozen=True, gc=False):
    """One distinct path with its conversions, conversion value and non-converting journeys.

    ``gc=False`` because a million of these hold only strings and floats: keeping them out of the
    cyclic garbage collector makes reading big files markedly faster.
    """

    path: tuple[str, ...]
    conversions: float
    value: float
    nulls: float


def split_path(text: str) -> tuple[str, ...]:
    """``"a > b>c"`` → ``("a", "b", "c")``; a surrounding pair of double quotes is dropped.

    Raises ValueError for an empty path or an empty channel name.
    """
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    channels = tuple(channel.strip() for channel in text.split(CHANNEL_SEPARATOR))
    if not all(channels):
        raise ValueError(
            "empty path" if len(channels) == 1 else f"empty channel name in path {text!r}"
        )
    return channels


def format_path(path: Sequence[str]) -> str:
    return " > ".join(path)


def aggregate_paths(rows: Iterable[PathRow]) -> dict[tuple[str, ...], list[float]]:
    """Sum rows that share a path: ``{path: [conversions, value, nulls]}``.

    Every model starts here, so a file of many repeated paths costs one dictionary pass and the
    model then works on the distinct paths only.
    """
    totals: dict[tuple[str, ...], list[float]] = {}
    get = totals.get
    for row in rows:
        acc = get(row.path)
        if acc is None:
            totals[row.path] = [row.conversions, row.value, row.nulls]
        else:
            acc[0] += row.conversions
            acc[1] += row.value
            acc[2] += row.nulls
    return totals


def channels_in(paths: Iterable[Sequence[str]]) -> list[str]:
    """Every channel on any of ``paths``, sorted (so reports line up across models).

    Pass the keys of ``aggregate_paths`` rather than a million rows: it is the same set.
    """
    seen: set[str] = set()
    for path in paths:
        seen.update(path)
    return sorted(seen)
