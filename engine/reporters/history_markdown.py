"""`policy history --format markdown`: the table of commits, for a pull request or a wiki."""

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
    title,
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_history(history: History, out: TextIO, options: ReportOptions) -> None:
    lines = [f"## History of {_cell(title(history))}", ""]
    lines += [f"> {_cell(note)}" for note in history.notes]
    if history.notes:
        lines.append("")
    lines += [
        "| Date | Commit | Score | Level | Passed | Failed | Changed |",
        "| --- | --- | ---: | --- | ---: | ---: | --- |",
    ]
    for point in history.points:
        failed = point.counts["failed"] + point.counts["errored"]
        cells = [
            day(point),
            f"`{short_id(point)}`",
            percent(point.score),
            level_text(point),
            str(point.counts["passed"]),
            str(failed),
            changes_text(point, history),
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    categories = category_lines(history)
    if categories:
        lines += ["", "| Category | Score, oldest to newest | Latest |", "| --- | --- | ---: |"]
        lines += [f"| {_cell(c)} | {s} | {percent(latest)} |" for c, s, latest in categories]
    out.write("\n".join(lines) + "\n")
