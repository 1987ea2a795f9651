"""The live progress bar of `policy fleet` on stderr: repositories done and failed, ETA."""

from __future__ import annotations

import sys
from typing import Any


class FleetProgress:
    """A rich progress bar over the fleet's repositories; shown only on a terminal."""

    def __init__(self, total: int, color: bool) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("repositories"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr, no_color=not color),
            transient=True,
        )
        self._failed = 0
        self._task = self._progress.add_task("", total=total, failed=0)

    def __enter__(self) -> FleetProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def done(self, row: dict[str, Any]) -> None:
        """One repository came back; a failed one (errored, or its run fails) is counted."""
        if row["status"] == "error" or row.get("fails"):
            self._failed += 1
        self._progress.update(self._task, advance=1, failed=self._failed)
