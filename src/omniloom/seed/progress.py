"""How long-running seeding stages report how far they have got.

A reporter is any callable taking the stage name, the rows done and the rows expected. Stages
call it about every tenth of the way and once at the end, so a reporter never needs to throttle
and the stages pay next to nothing for reporting.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]


def ignore_progress(stage: str, done: int, total: int) -> None:
    """The reporter for callers that do not want to hear about progress."""


def report_every(total: int, parts: int = 10) -> int:
    """Rows between two reports for a stage of ``total`` rows (the last report is separate)."""
    return max(1, -(-total // parts))
