"""`--format html`: one self-contained page with charts, to archive as a CI artifact or mail.

Everything is inline: the stylesheet, and two SVG charts (the statuses of all
rules as a ring, the success rate of each category as bars). No script, font,
image or stylesheet is fetched, and the page's Content-Security-Policy says
so, so it looks the same offline and years later. Every string from the report
is HTML-escaped; a `docs` value becomes a link only when it is an http(s) URL.
"""

from __future__ import annotations

import html
import re
from typing import TextIO

from engine.model.results import Counts, Report, RuleResult
from engine.printable import printable
from engine.reporters import ReportOptions
from engine.reporters.common import (
    by_category,
    count_cells,
    finding_items,
    is_filtered_out,
    levels_lines,
    rate_text,
    summary_line,
)

#: Findings listed per rule; the rest are counted.
MAX_FINDINGS = 100

#: status -> (label, colour); the colours are GitHub's Primer palette.
STATUS_STYLE = {
    "pass": ("passed", "#1a7f37"),
    "fail": ("failed", "#cf222e"),
    "error": ("errored", "#8250df"),
    "skip": ("skipped", "#8c959f"),
}

_SAFE_URL = re.compile(r"https?://[^\s<>\"']+")

_CSS = """
body{font:14px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;
margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;
border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#59636e;margin:0 0 16px}.verdict{font-weight:600}
.verdict.fails{color:#cf222e}.verdict.holds{color:#1a7f37}
.charts{display:flex;flex-wrap:wrap;gap:32px;align-items:center}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:4px 10px;
text-align:left;vertical-align:top}td.n{text-align:right}th{background:#f6f8fa}
.badge{display:inline-block;border-radius:10px;padding:0 8px;color:#fff;font-size:12px;
font-weight:600}.pass{background:#1a7f37}.fail{background:#cf222e}.error{background:#8250df}
.skip{background:#8c959f}.rule{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;
margin:8px 0}.rule h3{font-size:15px;margin:0}.rule .sev{color:#59636e;font-weight:normal}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;padding:1px 4px;
border-radius:4px}ul{margin:4px 0;padding-left:20px}.fix{margin:4px 0}
details{margin:8px 0}summary{cursor:pointer;color:#59636e}
.legend .item{display:inline-block;margin-right:12px}
.legend .key{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}
""".strip()


def esc(value: object) -> str:
    """HTML-escaped text, quotes included (safe in attributes too), shown `printable`."""
    return html.escape(printable(str(value)), quote=True)


def _multiline(value: str) -> str:
    return "<br>".join(esc(line) for line in value.strip().splitlines())


def _code(value: str) -> str:
    return f"<code>{esc(value)}</code>"


def _link(url: str) -> str:
    if _SAFE_URL.fullmatch(url):
        return f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(url)}</a>'
    return esc(url)


def _number(value: float) -> str:
    """Fixed decimals, so the same report draws the same bytes."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _by_status(counts: Counts) -> list[tuple[str, int]]:
    """(status, rules) in the order the ring and its legend show them."""
    return [
        ("pass", counts.passed),
        ("fail", counts.failed),
        ("error", counts.errored),
        ("skip", counts.skipped),
    ]


def status_ring(counts: Counts) -> str:
    """A ring of passed / failed / errored / skipped rules around the success rate."""
    radius = 15.91549  # circumference 100: dash lengths are percentages
    parts = [
        '<svg class="ring" viewBox="0 0 42 42" width="180" height="180" role="img" '
        f'aria-label="{esc(_ring_label(counts))}">',
        f'<circle cx="21" cy="21" r="{radius}" fill="none" stroke="#eaeef2" stroke-width="5"/>',
    ]
    done = 0.0
    for status, value in _by_status(counts):
        if not value or not counts.total:
            continue
        share = 100.0 * value / counts.total
        label, colour = STATUS_STYLE[status]
        parts.append(
            f'<circle cx="21" cy="21" r="{radius}" fill="none" stroke="{colour}" '
            f'stroke-width="5" stroke-dasharray="{_number(share)} {_number(100 - share)}" '
            f'stroke-dashoffset="{_number(25 - done)}"><title>{value} {label}</title></circle>'
        )
        done += share
    parts.append(
        f'<text x="21" y="22" text-anchor="middle" font-size="6" font-weight="600">'
        f"{esc(rate_text(counts))}</text>"
    )
    parts.append(
        '<text x="21" y="27.5" text-anchor="middle" font-size="2.6" fill="#59636e">'
        "success rate</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _ring_label(counts: Counts) -> str:
    return (
        f"{counts.passed} passed, {counts.failed} failed, {counts.errored} errored, "
        f"{counts.skipped} skipped; success rate {rate_text(counts)}"
    )


def category_bars(report: Report) -> str:
    """Horizontal bars: the success rate of each category (n/a when nothing was judged)."""
    categories = list(report.summary.by_category.items())
    label_width, bar_width, row = 220, 320, 26
    height = row * len(categories) + 8
    width = label_width + bar_width + 70
    parts = [
        f'<svg class="bars" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-label="Success rate per category" font-size="13">'
    ]
    for i, (category_id, counts) in enumerate(categories):
        y = 4 + i * row
        title = report.category_title(category_id)
        shown = title if len(title) <= 30 else title[:29] + "…"
        rate = counts.success_rate
        parts.append(
            f"<g><title>{esc(title)}: {esc(rate_text(counts))}</title>"
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end">{esc(shown)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="18" rx="3" '
            'fill="#eaeef2"/>'
        )
        if rate is not None:
            colour = "#1a7f37" if rate >= 100 else "#bf8700" if rate >= 50 else "#cf222e"
            parts.append(
                f'<rect x="{label_width}" y="{y + 3}" width="{_number(bar_width * rate / 100)}" '
                f'height="18" rx="3" fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{label_width + bar_width + 8}" y="{y + 16}">{esc(rate_text(counts))}</text>'
            "</g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _legend(counts: Counts) -> str:
    items = []
    for status, value in _by_status(counts):
        label, colour = STATUS_STYLE[status]
        items.append(
            f'<span class="item"><span class="key" style="background:{colour}"></span>'
            f"{value} {label}</span>"
        )
    return f'<div class="legend">{"".join(items)}</div>'


def _counts_row(label: str, counts: Counts) -> str:
    cells = "".join(f'<td class="n">{esc(cell)}</td>' for cell in count_cells(counts))
    return f"<tr><td>{label}</td>{cells}</tr>"


def _category_table(report: Report) -> str:
    rows = [
        "<table><thead><tr><th>Category</th><th>Rules</th><th>Passed</th><th>Failed</th>"
        "<th>Skipped</th><th>Errored</th><th>Success rate</th></tr></thead><tbody>"
    ]
    for category_id, counts in report.summary.by_category.items():
        rows.append(_counts_row(esc(report.category_title(category_id)), counts))
    rows.append(_counts_row("<strong>Total</strong>", report.summary.overall))
    rows.append("</tbody></table>")
    return "".join(rows)


def _badge(status: str) -> str:
    return f'<span class="badge {status}">{esc(status)}</span>'


def _finding_item(where: str, message: str) -> str:
    prefix = f"<code>{esc(where)}</code> " if where else ""
    return f"<li>{prefix}{_multiline(message)}</li>"


def _findings(result: RuleResult) -> str:
    items = finding_items(result, MAX_FINDINGS, _finding_item, lambda n: f"<li>… and {n} more</li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def _rule(result: RuleResult) -> str:
    parts = [
        f'<div class="rule" id="rule-{esc(result.pack)}-{esc(result.rule)}">',
        f"<h3>{_badge(result.status)} <code>{esc(result.rule)}</code> {esc(result.title)} "
        f'<span class="sev">· {esc(result.severity)}</span></h3>',
    ]
    if result.status == "error":
        parts.append(f"<p>Could not be evaluated: {_multiline(result.reason or '')}</p>")
    if result.status in ("fail", "error"):
        parts.append(_findings(result))
    if result.status == "fail" and not result.findings and result.message:
        parts.append(f"<p>{_multiline(result.message)}</p>")
    if result.status == "fail" and result.remediation.strip():
        parts.append(f'<p class="fix"><strong>Fix:</strong> {_multiline(result.remediation)}</p>')
    if result.status == "fail" and result.docs:
        parts.append(f'<p class="fix"><strong>Docs:</strong> {_link(result.docs)}</p>')
    parts.append("</div>")
    return "".join(parts)


def _skipped(results: list[RuleResult]) -> str:
    skipped = [r for r in results if r.status == "skip"]
    if not skipped:
        return ""
    rows = "".join(
        f"<tr><td><code>{esc(r.rule)}</code></td><td>{esc(r.title)}</td>"
        f"<td>{_multiline(r.reason or '')}</td></tr>"
        for r in skipped
        if not is_filtered_out(r)
    )
    filtered = sum(1 for r in skipped if is_filtered_out(r))
    note = f"<p>{filtered} filtered out by --category, --rule or --tag.</p>" if filtered else ""
    table = (
        f"<table><thead><tr><th>Rule</th><th>Title</th><th>Reason</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        if rows
        else ""
    )
    return f"<details><summary>Skipped ({len(skipped)})</summary>{table}{note}</details>"


def _category_sections(report: Report) -> list[str]:
    sections = []
    for category_id, results in by_category(report.results).items():
        counts = report.summary.by_category[category_id]
        judged = [r for r in results if r.status != "skip"]
        sections.append(
            f"<section><h2>{esc(report.category_title(category_id))} "
            f'<span class="sev">· {esc(rate_text(counts))}</span></h2>'
            + "".join(_rule(r) for r in judged)
            + _skipped(results)
            + "</section>"
        )
    return sections


def _meta(report: Report, options: ReportOptions) -> str:
    packs = ", ".join(f"{esc(p.name)} {esc(p.version)}" for p in report.packs)
    snapshot = report.snapshot
    where = f"{esc(snapshot.kind)} <code>{esc(snapshot.root)}</code>"
    if snapshot.ref:
        where += f" at <code>{esc(snapshot.ref)}</code>"
    if snapshot.commit:
        where += f" (commit <code>{esc(snapshot.commit[:12])}</code>)"
    return (
        f'<p class="meta">rulepack {esc(report.tool_version)} · packs: {packs} · '
        f"snapshot: {where} · fail on: {esc(report.fail_on)}</p>"
    )


def render(report: Report, out: TextIO, options: ReportOptions) -> None:
    overall = report.summary.overall
    fails = report.verdict.fails
    verdict = "fails" if fails else "holds"
    title = "rulepack report: " + ", ".join(f"{p.name} {p.version}" for p in report.packs)
    page = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head><body>",
        f"<h1>{esc(title)}</h1>",
        _meta(report, options),
        f'<p><span class="verdict {verdict}">The run {verdict}.</span> '
        f"{esc(summary_line(overall, report.summary.by_severity))}.</p>",
        *(f'<p class="level">{line}</p>' for line in levels_lines(report, esc, _code)),
        f'<div class="charts"><div>{status_ring(overall)}{_legend(overall)}</div>'
        f"<div>{category_bars(report)}</div></div>",
        "<h2>Summary</h2>",
        _category_table(report),
        *_category_sections(report),
        "</body></html>",
    ]
    out.write("\n".join(page) + "\n")
