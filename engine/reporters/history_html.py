"""`policy history --format html` (and `trend`): the trend as charts, in one page.

Two charts, oldest commit on the left: the score over time, overall and per
category; and the level each pack reached. Below them, the table of commits,
which reads the same without scripts.
"""

from __future__ import annotations

import html
from typing import Any, TextIO

from engine.history.model import History, Point
from engine.reporters import ReportOptions
from engine.reporters.charts import Chart, chart_div, page
from engine.reporters.history_common import (
    changes_text,
    day,
    level_text,
    percent,
    short_id,
    title,
)

_CSS = """
body{font:14px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;
margin:0;padding:16px 24px}h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:24px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.note{color:#9a6700}.chart{width:100%;height:380px}
table{border-collapse:collapse;margin:8px 0;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #d0d7de;padding:4px 10px;text-align:left;vertical-align:top}
td.n{text-align:right}th{background:#f6f8fa}code{font:12px ui-monospace,monospace}
""".strip()

_AXIS = {"gridcolor": "#d0d7de", "zeroline": False}


def _x(points: list[Point]) -> list[str]:
    """Each point's place on the time axis: its commit date (or its order, without one)."""
    return [p.date.isoformat() if p.date else str(i) for i, p in enumerate(points)]


def score_chart(history: History) -> Chart:
    points = list(reversed(history.points))
    x = _x(points)
    hover = [f"{short_id(p)}<br>{percent(p.score)}" for p in points]
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "overall",
            "x": x,
            "y": [p.score for p in points],
            "text": hover,
            "hoverinfo": "text+name",
            "line": {"width": 3, "color": "#0969da"},
        }
    ]
    for category in history.categories:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": category,
                "x": x,
                "y": [p.categories.get(category) for p in points],
                "line": {"width": 1.5},
                "connectgaps": False,
            }
        )
    layout = {
        "title": {"text": "Score over time, overall and per category"},
        "yaxis": {**_AXIS, "title": {"text": "score (%)"}, "range": [0, 100.5]},
        "xaxis": {**_AXIS, "title": {"text": "commit date"}},
        "margin": {"t": 48, "r": 16, "b": 96},
        "legend": {"orientation": "h", "y": -0.22},
    }
    return Chart("score", traces, layout)


def level_chart(history: History) -> Chart | None:
    """The level each pack reached (none below its lowest), or None without levels."""
    if not history.level_ids:
        return None
    points = list(reversed(history.points))
    names = ["none"]
    for ids in history.level_ids.values():
        names += [level for level in ids if level not in names]
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": pack,
            "x": _x(points),
            "y": [
                names.index(p.levels.get(pack) or "none") if pack in p.levels else None
                for p in points
            ],
            "text": [f"{short_id(p)}: {p.levels.get(pack) or 'none'}" for p in points],
            "hoverinfo": "text+name",
            "line": {"shape": "hv", "width": 2},
        }
        for pack in history.level_ids
    ]
    layout = {
        "title": {"text": "Level over time"},
        "yaxis": {
            **_AXIS,
            "tickvals": list(range(len(names))),
            "ticktext": names,
            "range": [-0.3, len(names) - 0.7],
        },
        "xaxis": {**_AXIS, "title": {"text": "commit date"}},
        "margin": {"t": 48, "r": 16, "b": 96},
        "legend": {"orientation": "h", "y": -0.22},
    }
    return Chart("level", traces, layout)


def _table(history: History) -> str:
    head = "".join(
        f"<th>{h}</th>" for h in ("Date", "Commit", "Score", "Level", "Passed", "Failed", "Changed")
    )
    rows = []
    for point in history.points:
        failed = point.counts["failed"] + point.counts["errored"]
        rows.append(
            f"<tr><td>{day(point)}</td><td><code>{short_id(point)}</code></td>"
            f'<td class="n">{percent(point.score)}</td><td>{html.escape(level_text(point))}</td>'
            f'<td class="n">{point.counts["passed"]}</td><td class="n">{failed}</td>'
            f"<td>{html.escape(changes_text(point, history))}</td></tr>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_history(history: History, out: TextIO, options: ReportOptions) -> None:
    heading = f"History of {title(history)}"
    charts = [score_chart(history)]
    levels = level_chart(history)
    if levels is not None:
        charts.append(levels)
    if not history.points:
        charts = []
    url = history.repository.url
    body = [
        f"<h1>{html.escape(heading)}</h1>",
        *([f'<p class="meta">{html.escape(url)}</p>'] if url else []),
        *(f'<p class="note">{html.escape(note)}</p>' for note in history.notes),
        *([chart_div(chart) for chart in charts] or ["<p>No runs to show.</p>"]),
        "<h2>Commits, newest first</h2>",
        _table(history),
    ]
    out.write(page(heading, _CSS, "\n".join(body), charts))
