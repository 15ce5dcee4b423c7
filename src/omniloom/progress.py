"""Progress of a long command: a bar per stage on a terminal, plain lines otherwise.

A bar redrawn in place is for people watching; in a CI log or a file it would be escape codes,
so a stream that is not a terminal gets one line per report instead.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


class Progress:
    """Call with (stage, done, total) as work advances; ``close()`` when it ends."""

    def __init__(
        self, stream: TextIO | None = None, *, quiet: bool = False, min_total: int = 0
    ) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.min_total = min_total  # stages smaller than this finish too fast to show
        self.started = time.perf_counter()
        self._bars: Any = None
        self._tasks: dict[str, Any] = {}
        if not quiet and self.stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bars

            self._bars = Bars(
                TextColumn("{task.description:<24}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
            )
            self._bars.start()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet or total < self.min_total:
            return
        if self._bars is not None:
            task = self._tasks.get(stage)
            if task is None:
                task = self._tasks[stage] = self._bars.add_task(stage, total=total)
            self._bars.update(task, completed=done, total=total)
            return
        elapsed = time.perf_counter() - self.started
        percent = 100 * done // max(total, 1)
        print(
            f"  {elapsed:6.1f} s  {stage:<24} {done:>10,} / {total:,} ({percent}%)",
            file=self.stream,
        )

    def note(self, message: str) -> None:
        if self.quiet:
            return
        if self._bars is not None:
            self._bars.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=self.stream)

    def close(self) -> None:
        if self._bars is not None:
            self._bars.stop()
            self._bars = None
