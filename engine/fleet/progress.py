"""The live progress bar of `policy fleet` on stderr: repositories done and failed, ETA."""

from __future__ import annotations

from typing import Any


class FleetProgress:
    """A rich progress bar over the fleet's repositories; shown only on a terminal."""

    def __init__(self, total: int, color: bool) -> None:
        from engine.progress_bar import progress_bar

        self._progress = progress_bar("repositories", color, failed=True, eta=True)
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
