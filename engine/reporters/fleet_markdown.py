"""`policy fleet --format markdown`: the fleet for an issue, a wiki page or a chat.

The headline, the rollups per owner and per tag, then one row per
repository. Everything from the repositories is escaped as in the run's
Markdown report (engine/reporters/markdown.py), so a `|` in a name cannot
break a table.
"""

from __future__ import annotations

from typing import TextIO

from engine.fleet.rollup import FleetReport, Rollup
from engine.reporters import ReportOptions
from engine.reporters.fleet_common import ROLLUP_COLUMNS, headline, rollup_cells, score_text
from engine.reporters.markdown import code, text

OUTCOME_LABELS = {"pass": "✅ holds", "fail": "❌ fails", "error": "⚠️ error"}


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _rollups(title: str, rollups: tuple[Rollup, ...]) -> list[str]:
    if not rollups:
        return []
    lines = ["", f"### {title}", "", _row(list(ROLLUP_COLUMNS))]
    lines.append("| --- | ---: | ---: | ---: | ---: | --- | --- | --- |")
    lines += [_row([text(cell) for cell in rollup_cells(r)]) for r in rollups]
    return lines


def render_fleet(report: FleetReport, out: TextIO, options: ReportOptions) -> None:
    lines = [
        f"## rulepack fleet {code(report.fleet_run)}",
        "",
        f"**{text(headline(report))}**",
        *_rollups("Per owner", report.owners),
        *_rollups("Per tag", report.tags),
        "",
        "### Repositories",
        "",
        "| Repository | Outcome | Owner | Score | Levels | Failing rules or error |",
        "| --- | --- | --- | ---: | --- | --- |",
    ]
    for o in report.repositories:
        levels = ", ".join(f"{pack} {level or 'none'}" for pack, level in o.levels) or "-"
        what = o.error or ", ".join(rule for _, rule in o.failing) or "-"
        cells = [text(o.name), OUTCOME_LABELS[o.outcome], text(o.owner or "-")]
        lines.append(_row([*cells, score_text(o.score), text(levels), text(what)]))
    out.write("\n".join(lines) + "\n")
