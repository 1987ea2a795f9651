"""`policy history` and `policy trend` on a terminal: one row per commit, newest first,
then a sparkline of each category's score, oldest to newest."""

from __future__ import annotations

from typing import TextIO

from engine.history.model import History
from engine.reporters import ReportOptions
from engine.reporters.history_common import (
    category_lines,
    changes_text,
    day,
    level_text,
    percent,
    short_id,
    sparkline,
    title,
)


def render_history(history: History, out: TextIO, options: ReportOptions) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(
        file=out,
        width=options.width or 120,
        no_color=not options.color,
        force_terminal=options.color,
        highlight=False,
        emoji=False,
    )
    console.print(f"History of {title(history)}", markup=False)
    for note in history.notes:
        console.print(f"note: {note}", markup=False)
    if not history.points:
        console.print("no runs to show", markup=False)
        return
    table = Table(show_edge=False, pad_edge=False)
    for column in ("Date", "Commit", "Score", "Level", "Passed", "Failed", "Changed"):
        table.add_column(
            column, justify="right" if column in ("Score", "Passed", "Failed") else "left"
        )
    for point in history.points:
        table.add_row(
            day(point),
            short_id(point),
            percent(point.score),
            level_text(point),
            str(point.counts["passed"]),
            str(point.counts["failed"] + point.counts["errored"]),
            changes_text(point, history),
        )
    console.print(table)
    scores = [p.score for p in reversed(history.points)]
    console.print(f"\nScore, oldest to newest: {sparkline(scores)}", markup=False)
    lines = category_lines(history)
    if lines:
        width = max(len(category) for category, _, _ in lines)
        console.print("By category:", markup=False)
        for category, spark, latest in lines:
            console.print(f"  {category:<{width}}  {spark}  {percent(latest)}", markup=False)
