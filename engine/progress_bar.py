"""The progress bars rulepack draws on stderr (command rules, history, fleets): one layout,
rich's, loaded only when a terminal shows one."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress


def progress_bar(
    label: str, color: bool, *, failed: bool = False, eta: bool = False, description: bool = False
) -> Progress:
    """`label`, the bar, done of total, then as asked: how many failed (the task's `failed`
    field), the time elapsed, the time left, and the task's description."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns: list[ProgressColumn | str] = [TextColumn(label), BarColumn(), MofNCompleteColumn()]
    if failed:
        columns.append(TextColumn("{task.fields[failed]} failed"))
    columns.append(TimeElapsedColumn())
    if eta:
        columns += [TextColumn("ETA"), TimeRemainingColumn()]
    if description:
        columns.append(TextColumn("{task.description}"))
    return Progress(*columns, console=Console(file=sys.stderr, no_color=not color), transient=True)
