"""`policy fleet --format html`: the fleet's dashboard, one self-contained file.

Charts by plotly.js through engine/reporters/charts.py, as `policy history`
draws them (embedded, nothing fetched, scripts allowed by their hashes only):
per pack with levels, a stacked bar per owner of its repositories at each
level; the mean score per owner. Then the rollups per owner and per tag and a
table of every repository. Every string from a repository is HTML-escaped in
the tables, and goes into the charts as JSON data, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from engine.fleet.rollup import NO_LEVEL, FleetReport, Rollup
from engine.reporters import ReportOptions
from engine.reporters.charts import Chart, chart_div, page
from engine.reporters.fleet_common import ROLLUP_COLUMNS, headline, rollup_cells, score_text
from engine.reporters.html import esc

#: Level colours, highest first (GitHub's Primer palette); a pack with more levels reuses
#: the last.
LEVEL_COLOURS = ("#bf8700", "#6e7781", "#953800", "#0969da", "#8250df")
NONE_COLOUR = "#cf222e"
SCORE_COLOUR = "#0969da"
OUTCOME_CLASS = {"pass": "pass", "fail": "fail", "error": "error"}
#: Pixels per owner in a chart, and around the bars.
ROW_PIXELS, MARGIN_PIXELS = 28, 90

_CSS = """
body{font:14px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;
margin:0;padding:16px 24px}h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#59636e}.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));
gap:16px}
table{border-collapse:collapse;margin:8px 0;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #d0d7de;padding:4px 10px;text-align:left;vertical-align:top}
td.n{text-align:right}th{background:#f6f8fa}
.badge{display:inline-block;border-radius:10px;padding:0 8px;color:#fff;font-size:12px;
font-weight:600}.pass{background:#1a7f37}.fail{background:#cf222e}.error{background:#8250df}
code{font:12px ui-monospace,monospace}
""".strip()


def _colour(index: int, level: str) -> str:
    return NONE_COLOUR if level == NO_LEVEL else LEVEL_COLOURS[min(index, len(LEVEL_COLOURS) - 1)]


def _layout(title: str, rollups: Sequence[Rollup], **more: object) -> dict[str, object]:
    return {
        "title": {"text": title},
        "height": MARGIN_PIXELS + ROW_PIXELS * max(len(rollups), 1),
        "margin": {"l": 160, "r": 20, "t": 40, "b": 40},
        "yaxis": {"autorange": "reversed", "automargin": True},
        **more,
    }


def level_chart(pack: str, index: int, rollups: Sequence[Rollup]) -> Chart:
    """A stacked bar per owner: its repositories at each level of `pack`, highest first."""
    groups = [r.group for r in rollups]
    counts = [dict(dict(r.levels).get(pack, ())) for r in rollups]
    levels = [level for level, _ in dict(rollups[0].levels).get(pack, ())] if rollups else []
    traces: list[dict[str, object]] = [
        {
            "type": "bar",
            "orientation": "h",
            "name": level,
            "y": groups,
            "x": [found.get(level, 0) for found in counts],
            "marker": {"color": _colour(j, level)},
        }
        for j, level in enumerate(levels)
    ]
    layout = _layout(f"{pack}: repositories per level", rollups, barmode="stack")
    return Chart(f"levels-{index}", traces, layout)


def score_chart(rollups: Sequence[Rollup]) -> Chart:
    """A bar per owner: the mean score of its repositories, out of 100."""
    trace = {
        "type": "bar",
        "orientation": "h",
        "name": "mean score",
        "y": [r.group for r in rollups],
        "x": [r.mean_score or 0 for r in rollups],
        "text": [score_text(r.mean_score) for r in rollups],
        "marker": {"color": SCORE_COLOUR},
    }
    layout = _layout("Mean score", rollups, xaxis={"range": [0, 100], "ticksuffix": "%"})
    return Chart("scores", [trace], layout)


def _rollup_table(title: str, rollups: Sequence[Rollup], anchor: str) -> str:
    if not rollups:
        return ""
    head = "<tr>" + "".join(f"<th>{column}</th>" for column in ROLLUP_COLUMNS) + "</tr>"
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in rollup_cells(r)) + "</tr>"
        for r in rollups
    )
    return f'<h2 id="{anchor}">{esc(title)}</h2><table class="{anchor}">{head}{rows}</table>'


def _repositories(report: FleetReport) -> str:
    head = (
        "<tr><th>Repository</th><th>Outcome</th><th>Owner</th><th>Tags</th><th>Score</th>"
        "<th>Levels</th><th>Failing rules or error</th></tr>"
    )
    rows = []
    for o in report.repositories:
        levels = ", ".join(f"{pack} {level or 'none'}" for pack, level in o.levels) or "-"
        what = o.error or ", ".join(rule for _, rule in o.failing) or "-"
        rows.append(
            f'<tr data-repository="{esc(o.name)}"><td>{esc(o.name)}</td>'
            f'<td><span class="badge {OUTCOME_CLASS[o.outcome]}">{o.outcome}</span></td>'
            f"<td>{esc(o.owner or '-')}</td><td>{esc(', '.join(o.tags) or '-')}</td>"
            f"<td class=n>{score_text(o.score)}</td><td>{esc(levels)}</td>"
            f"<td>{esc(what)}</td></tr>"
        )
    table = f'<table class="repositories">{head}{"".join(rows)}</table>'
    return f'<h2 id="repositories">Repositories</h2>{table}'


def render_fleet(report: FleetReport, out: TextIO, options: ReportOptions) -> None:
    charts = [level_chart(pack, i, report.owners) for i, (pack, _) in enumerate(report.level_order)]
    charts.append(score_chart(report.owners))
    body = [
        f"<h1>rulepack fleet <code>{esc(report.fleet_run)}</code></h1>",
        f'<p class="meta">rulepack {esc(report.tool_version)} · {esc(headline(report))}</p>',
        f'<div class="charts">{"".join(chart_div(c) for c in charts)}</div>',
        _rollup_table("Per owner", report.owners, "owners"),
        _rollup_table("Per tag", report.tags, "tags"),
        _repositories(report),
    ]
    title = f"rulepack fleet {report.fleet_run}"
    out.write(page(title, _CSS, "\n".join(body), charts))
