"""Charts drawn by plotly.js, embedded in one self-contained HTML page.

plotly (the `charts` extra) ships plotly.js; it is read from the package and
written into the page, so nothing is fetched when the page is opened, and the
page's Content-Security-Policy lets only its own scripts run, by their hashes.
Figures are plain data (plotly's JSON figure format), built by the callers:
`policy history`/`trend` (history_html.py) and the fleet dashboard.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.errors import InputError


@dataclass(frozen=True)
class Chart:
    """One figure: its element id, its traces and its layout, as plotly.js takes them."""

    id: str
    traces: list[dict[str, Any]]
    layout: dict[str, Any] = field(default_factory=dict)


def plotly_js() -> str:
    """The source of plotly.js as the installed plotly package ships it."""
    from importlib import resources

    try:
        bundle = resources.files("plotly") / "package_data" / "plotly.min.js"
        return bundle.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        raise InputError(
            "--format html draws its charts with plotly, which is not installed: "
            "pip install 'rulepack[charts]'"
        ) from None


def chart_div(chart: Chart) -> str:
    """The element a chart is drawn in."""
    return f'<div class="chart" id="{html.escape(chart.id)}"></div>'


def _script_text(text: str) -> str:
    """JSON made safe inside <script>: it cannot close the element or open a comment."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def drawing_script(charts: Sequence[Chart]) -> str:
    """The script that draws `charts` (the same bytes for the same charts)."""
    config = {"displaylogo": False, "responsive": True}
    calls = [
        f"Plotly.newPlot({json.dumps(c.id)}, {_json(c.traces)}, {_json(c.layout)}, "
        f"{_json(config)});"
        for c in charts
    ]
    return "\n".join(calls)


def _json(value: Any) -> str:
    return _script_text(json.dumps(value, sort_keys=True, ensure_ascii=False))


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def page(title: str, css: str, body: str, charts: Sequence[Chart]) -> str:
    """A whole HTML page: `body` (HTML) with `charts` drawn in their divs."""
    scripts = [plotly_js(), drawing_script(charts)]
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src {' '.join(_hash(s) for s in scripts)}"
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{css}</style>",
            "</head><body>",
            body,
            *(f"<script>{s}</script>" for s in scripts),
            "</body></html>",
            "",
        ]
    )
