"""`policy fleet --format html`: the fleet's dashboard, one self-contained file.

Inline SVG charts (repositories per level and mean score, per owner), then
the rollups per owner and per tag and a table of every repository. Nothing
is fetched and no script runs: the Content-Security-Policy allows the page's
own style only. Every string from a repository is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from engine.fleet.rollup import NO_LEVEL, FleetReport, Rollup
from engine.reporters import ReportOptions
from engine.reporters.fleet_common import ROLLUP_COLUMNS, headline, rollup_cells, score_text
from engine.reporters.html import esc

CSP = "default-src 'none'; style-src 'unsafe-inline'"
#: Level colours, highest first; a pack with more levels reuses the last.
LEVEL_COLOURS = ("#bf8700", "#6e7781", "#953800", "#0969da", "#8250df")
NONE_COLOUR = "#cf222e"
OUTCOME_CLASS = {"pass": "pass", "fail": "fail", "error": "error"}
BAR_WIDTH, ROW_HEIGHT, LABEL_WIDTH = 420, 22, 180

_CSS = """
body{font:14px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;
margin:0;padding:16px 24px}h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#59636e}.charts{display:flex;flex-wrap:wrap;gap:32px}
table{border-collapse:collapse;margin:8px 0;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #d0d7de;padding:4px 10px;text-align:left;vertical-align:top}
td.n{text-align:right}th{background:#f6f8fa}svg{max-width:100%;height:auto}
.badge{display:inline-block;border-radius:10px;padding:0 8px;color:#fff;font-size:12px;
font-weight:600}.pass{background:#1a7f37}.fail{background:#cf222e}.error{background:#8250df}
.legend span{display:inline-block;margin-right:12px}.legend i{display:inline-block;width:10px;
height:10px;margin-right:4px;border-radius:2px}code{font:12px ui-monospace,monospace}
""".strip()


def _colour(index: int, level: str) -> str:
    return NONE_COLOUR if level == NO_LEVEL else LEVEL_COLOURS[min(index, len(LEVEL_COLOURS) - 1)]


def level_chart(pack: str, rollups: Sequence[Rollup]) -> str:
    """One stacked bar per group: its repositories at each level of `pack`."""
    counted = [(r.group, dict(r.levels).get(pack, ())) for r in rollups]
    most = max((sum(n for _, n in counts) for _, counts in counted), default=0) or 1
    rows = []
    for i, (group, counts) in enumerate(counted):
        y = i * ROW_HEIGHT
        x = float(LABEL_WIDTH)
        parts = [f'<text x="0" y="{y + 15}">{esc(group)}</text>']
        for j, (level, n) in enumerate(counts):
            if n:
                width = BAR_WIDTH * n / most
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="16" '
                    f'fill="{_colour(j, level)}"><title>{esc(level)}: {n}</title></rect>'
                )
                x += width
        rows.append(f'<g class="levels" data-group="{esc(group)}">{"".join(parts)}</g>')
    height = max(len(counted), 1) * ROW_HEIGHT
    legend = "".join(
        f'<span><i style="background:{_colour(j, level)}"></i>{esc(level)}</span>'
        for j, (level, _) in enumerate(counted[0][1] if counted else ())
    )
    return (
        f"<figure><figcaption>{esc(pack)}: repositories per level</figcaption>"
        f'<svg class="level-chart" data-pack="{esc(pack)}" width="{LABEL_WIDTH + BAR_WIDTH}" '
        f'height="{height}" role="img">{"".join(rows)}</svg>'
        f'<div class="legend">{legend}</div></figure>'
    )


def score_chart(rollups: Sequence[Rollup]) -> str:
    """One bar per group: its mean score, out of 100."""
    rows = []
    for i, r in enumerate(rollups):
        y = i * ROW_HEIGHT
        width = BAR_WIDTH * (r.mean_score or 0) / 100
        rows.append(
            f'<g class="score" data-group="{esc(r.group)}"><text x="0" y="{y + 15}">'
            f'{esc(r.group)}</text><rect x="{LABEL_WIDTH}" y="{y + 3}" width="{width:.1f}" '
            f'height="16" fill="#0969da"><title>{score_text(r.mean_score)}</title></rect>'
            f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + 15}">{score_text(r.mean_score)}'
            "</text></g>"
        )
    height = max(len(rollups), 1) * ROW_HEIGHT
    return (
        "<figure><figcaption>Mean score</figcaption>"
        f'<svg class="score-chart" width="{LABEL_WIDTH + BAR_WIDTH + 60}" height="{height}" '
        f'role="img">{"".join(rows)}</svg></figure>'
    )


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
    charts = [level_chart(pack, report.owners) for pack, _ in report.level_order]
    charts.append(score_chart(report.owners))
    page = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>rulepack fleet {esc(report.fleet_run)}</title>",
        f"<style>{_CSS}</style>",
        "</head><body>",
        f"<h1>rulepack fleet <code>{esc(report.fleet_run)}</code></h1>",
        f'<p class="meta">rulepack {esc(report.tool_version)} · {esc(headline(report))}</p>',
        f'<div class="charts">{"".join(charts)}</div>',
        _rollup_table("Per owner", report.owners, "owners"),
        _rollup_table("Per tag", report.tags, "tags"),
        _repositories(report),
        "</body></html>",
    ]
    out.write("\n".join(page) + "\n")
