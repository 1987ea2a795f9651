"""`policy fleet --format table`: the fleet on a terminal.

The headline, one line per repository (outcome, owner, score, levels, what
fails or why it could not be evaluated), then the rollups per owner and per
tag.
"""

from __future__ import annotations

from typing import TextIO

from rich.markup import escape
from rich.table import Table

from engine.fleet.rollup import FleetReport, Rollup
from engine.printable import printable
from engine.reporters import ReportOptions
from engine.reporters.fleet_common import ROLLUP_COLUMNS, headline, rollup_cells, score_text
from engine.reporters.styled import rich_console

OUTCOME_STYLE = {"pass": "green", "fail": "red", "error": "magenta"}


def _cell(value: object) -> str:
    return escape(printable(str(value), newlines=False))


def render_fleet(report: FleetReport, out: TextIO, options: ReportOptions) -> None:
    console = rich_console(out, color=options.color, width=options.width or 100)
    console.print(f"[bold]fleet run {_cell(report.fleet_run)}[/bold]: {_cell(headline(report))}")
    table = Table(title="Repositories", title_justify="left")
    for column in ("repository", "outcome", "owner", "score", "levels", "failing rules / error"):
        table.add_column(column)
    for o in report.repositories:
        style = OUTCOME_STYLE[o.outcome]
        levels = ", ".join(f"{pack} {level or 'none'}" for pack, level in o.levels) or "-"
        what = o.error if o.error else ", ".join(rule for _, rule in o.failing) or "-"
        table.add_row(
            _cell(o.name),
            f"[{style}]{o.outcome}[/{style}]",
            _cell(o.owner or "-"),
            score_text(o.score),
            _cell(levels),
            _cell(what),
        )
    console.print(table)
    for title, rollups in (("Per owner", report.owners), ("Per tag", report.tags)):
        if rollups:
            console.print(_rollup_table(title, rollups))


def _rollup_table(title: str, rollups: tuple[Rollup, ...]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ROLLUP_COLUMNS:
        table.add_column(column.lower())
    for r in rollups:
        table.add_row(*(_cell(cell) for cell in rollup_cells(r)))
    return table
