"""Golden journals: a run's journal compared with one committed earlier, as a readable diff.

A golden journal is the JSONL journal of a known-good run, kept beside the scenarios
(``scenarios/golden/<file stem>.jsonl``). Because replays are byte-identical, any difference is
a change in behaviour: an id, a timestamp, an event more or less, a field's value.
"""

from __future__ import annotations

import difflib
from pathlib import Path

MAX_DIFF_LINES = 40


def golden_path(folder: Path, scenario_path: Path) -> Path:
    return folder / f"{scenario_path.stem}.jsonl"


def compare(journal: bytes, golden: Path) -> str:
    """Empty when ``journal`` equals the golden file; else a unified diff (cut to a screenful)."""
    if not golden.is_file():
        return f"no golden journal {golden} (write one with --write-golden {golden.parent})"
    expected = golden.read_bytes()
    if expected == journal:
        return ""
    diff = list(
        difflib.unified_diff(
            expected.decode().splitlines(),
            journal.decode().splitlines(),
            fromfile=str(golden),
            tofile="this run",
            lineterm="",
            n=1,
        )
    )
    shown = diff[:MAX_DIFF_LINES]
    if len(diff) > MAX_DIFF_LINES:
        shown.append(f"… {len(diff) - MAX_DIFF_LINES} more diff lines")
    return "\n".join(shown)
