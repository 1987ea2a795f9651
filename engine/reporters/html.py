"""`--format html`: one self-contained page with charts, to archive as a CI artifact or mail.

Everything is inline: the stylesheet, two SVG charts (the statuses of all
rules as a ring, the success rate of each category as bars) and one small
script. No script, font, image or stylesheet is fetched, and the page's
Content-Security-Policy says so (the script runs by its hash alone), so it
looks the same offline and years later. The page takes the window's width.
The summary table links to each category; each category folds (<details>),
open where something failed; passed and skipped rules are folded inside it.
The script adds a box that filters rules and findings as one types; without
it the page reads the same. Every string from the report is HTML-escaped,
`code spans` in rule text become <code>; a `docs` value becomes a link only
when it is an http(s) URL.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from typing import TextIO

from engine.model.results import Counts, Report, RuleResult, Status
from engine.printable import printable
from engine.reporters import ReportOptions
from engine.reporters.code_spans import spans
from engine.reporters.common import (
    by_category,
    count_cells,
    finding_items,
    is_filtered_out,
    levels_lines,
    rate_text,
    summary_line,
    waived_text,
    waiver_state,
)

#: Findings listed per rule; the rest are counted.
MAX_FINDINGS = 100

#: status -> (label, colour); the colours are GitHub's Primer palette.
STATUS_STYLE = {
    "pass": ("passed", "#1a7f37"),
    "fail": ("failed", "#cf222e"),
    "error": ("errored", "#8250df"),
    "skip": ("skipped", "#8c959f"),
    "waived": ("waived", "#9a6700"),
}

_SAFE_URL = re.compile(r"https?://[^\s<>\"']+")

_CSS = """
body{font:14px/1.5 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;
margin:0;padding:16px 24px}[hidden]{display:none!important}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;
border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#59636e;margin:0 0 16px}.verdict{font-weight:600}
.verdict.fails{color:#cf222e}.verdict.holds{color:#1a7f37}
.charts{display:flex;flex-wrap:wrap;gap:32px;align-items:center}
table{border-collapse:collapse;margin:8px 0;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #d0d7de;padding:4px 10px;
text-align:left;vertical-align:top}td.n{text-align:right}th{background:#f6f8fa}
.badge{display:inline-block;border-radius:10px;padding:0 8px;color:#fff;font-size:12px;
font-weight:600}.pass{background:#1a7f37}.fail{background:#cf222e}.error{background:#8250df}
.skip{background:#8c959f}.waived{background:#9a6700}
.rule{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin:8px 0}
.rule h3{font-size:15px;margin:0}.rule .sev{color:#59636e;font-weight:normal}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;padding:1px 4px;
border-radius:4px}ul{margin:4px 0;padding-left:20px}.fix{margin:4px 0}
details{margin:8px 0}summary{cursor:pointer;color:#59636e}
details.category>summary h2{display:inline;border:0;color:#1f2328}
details.category{border-bottom:1px solid #d0d7de;padding-bottom:8px;margin:16px 0}
svg{max-width:100%;height:auto}code,li{overflow-wrap:anywhere}
#search{margin:16px 0}#search input{font:inherit;width:min(480px,100%);padding:4px 8px;
border:1px solid #d0d7de;border-radius:6px}#search output{color:#59636e}
.legend .item{display:inline-block;margin-right:12px}
.legend .key{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}
""".strip()


#: Filters the rules as the reader types and opens the section a link leads to. The page
#: reads the same without it: every section is a <details> the reader opens.
SCRIPT = """
(function () {
  var bar = document.getElementById("search"), box = bar.querySelector("input");
  var count = bar.querySelector("output"), rules = document.querySelectorAll("[data-rule]");
  var folds = document.querySelectorAll("details");
  folds.forEach(function (fold) { fold.dataset.open = fold.open ? "yes" : ""; });
  function filter() {
    var query = box.value.trim().toLowerCase(), shown = 0;
    rules.forEach(function (rule) {
      rule.hidden = query !== "" && rule.textContent.toLowerCase().indexOf(query) < 0;
      if (!rule.hidden) shown++;
    });
    folds.forEach(function (fold) {
      var any = fold.querySelector("[data-rule]:not([hidden])") !== null;
      fold.hidden = query !== "" && !any;
      fold.open = query !== "" ? any : fold.dataset.open === "yes";
    });
    count.textContent = query === "" ? "" : shown + " of " + rules.length + " rules";
  }
  function reveal() {
    var target = null;
    try { target = document.getElementById(decodeURIComponent(location.hash.slice(1))); }
    catch (malformed) { return; }  // a hand-typed "#%E0" names no section
    for (; target; target = target.parentElement) {
      if (target.tagName === "DETAILS") target.open = true;
    }
  }
  box.addEventListener("input", filter);
  window.addEventListener("hashchange", reveal);
  bar.hidden = false;
  reveal();
})();
""".strip()


def esc(value: object) -> str:
    """HTML-escaped text, quotes included (safe in attributes too), shown `printable`."""
    return html.escape(printable(str(value)), quote=True)


def prose(value: str) -> str:
    """Rule or finding text as HTML: its `code spans` as <code>, its lines joined by <br>,
    everything else escaped."""
    parts = []
    for span in spans(printable(value).strip()):
        if span.code:
            parts.append(f"<code>{esc(span.text)}</code>")
        else:
            parts.append("<br>".join(esc(line) for line in span.text.split("\n")))
    return "".join(parts)


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
    shown: tuple[Status, ...] = ("pass", "fail", "error", "skip")
    if counts.waived:  # only runs with waivers
        shown += ("waived",)
    return [(status, counts.of(status)) for status in shown]


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
        title = esc(report.category_title(category_id))
        rows.append(_counts_row(f'<a href="#{_anchor(category_id)}">{title}</a>', counts))
    rows.append(_counts_row("<strong>Total</strong>", report.summary.overall))
    rows.append("</tbody></table>")
    return "".join(rows)


def _tests(report: Report) -> list[str]:
    """The test table of the `tests` rules and their failure analysis (none: nothing)."""
    from engine.reporters import tests_section

    rows = tests_section.rows(report)
    if not rows:
        return []
    head = "".join(f"<th>{esc(column)}</th>" for column in tests_section.COLUMNS)
    body = "".join(
        f"<tr><td>{esc(row[0])}</td><td><code>{esc(row[1])}</code></td>"
        + "".join(f'<td class="n">{esc(cell)}</td>' for cell in row[2:])
        + "</tr>"
        for row in rows
    )
    parts = [
        "<h2>Tests</h2>",
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>",
    ]
    for analysis in tests_section.analyses(report):
        groups = "".join(
            f"<li>{esc(count)} {esc(message)}: {esc(tests)}</li>"
            for count, message, tests in analysis.groups
        )
        slowest = ", ".join(f"{esc(name)} ({esc(took)})" for name, took in analysis.slowest)
        parts.append(
            f"<p>Failures of <code>{esc(analysis.rule)}</code>, by message:</p><ul>{groups}</ul>"
            f"<p>Slowest: {slowest}</p>"
        )
    return parts


def _badge(status: str) -> str:
    return f'<span class="badge {status}">{esc(status)}</span>'


def _finding_item(where: str, message: str) -> str:
    prefix = f"<code>{esc(where)}</code> " if where else ""
    return f"<li>{prefix}{prose(message)}</li>"


def _findings(result: RuleResult) -> str:
    items = finding_items(result, MAX_FINDINGS, _finding_item, lambda n: f"<li>… and {n} more</li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def _rule(result: RuleResult) -> str:
    """A failed or errored rule as a card: what is wrong, where, and how to fix it."""
    parts = [
        f'<div class="rule" id="rule-{esc(result.pack)}-{esc(result.rule)}" '
        f'data-rule="{esc(result.rule)}">',
        f"<h3>{_badge(result.status)} <code>{esc(result.rule)}</code> {prose(result.title)} "
        f'<span class="sev">· {esc(result.severity)}</span></h3>',
    ]
    if result.status == "error":
        parts.append(f"<p>Could not be evaluated: {prose(result.reason or '')}</p>")
    if result.status == "waived" and result.waived is not None:
        parts.append(f"<p>{esc(waived_text(result.waived))}</p>")
    if result.status in ("fail", "error"):
        parts.append(_findings(result))
    if result.status == "fail" and not result.findings and result.message:
        parts.append(f"<p>{prose(result.message)}</p>")
    if result.status == "fail" and result.remediation.strip():
        parts.append(f'<p class="fix"><strong>Fix:</strong> {prose(result.remediation)}</p>')
    if result.status == "fail" and result.docs:
        parts.append(f'<p class="fix"><strong>Docs:</strong> {_link(result.docs)}</p>')
    parts.append("</div>")
    return _lines(parts)


def _lines(parts: list[str]) -> str:
    """Block elements a line each, so the page's source reads (and diffs) well too."""
    return "\n".join(part for part in parts if part)


def _folded(label: str, last: str, rows: list[tuple[RuleResult, str]], note: str = "") -> str:
    """Rules folded into a <details> block, a row each: id, title, and a last cell (HTML)."""
    cells = "".join(
        f'<tr data-rule="{esc(r.rule)}"><td><code>{esc(r.rule)}</code></td>'
        f"<td>{prose(r.title)}</td><td>{last_cell}</td></tr>"
        for r, last_cell in rows
    )
    table = (
        f"<table><thead><tr><th>Rule</th><th>Title</th><th>{last}</th></tr></thead>"
        f"<tbody>{cells}</tbody></table>"
        if cells
        else ""
    )
    return f"<details><summary>{label}</summary>{table}{note}</details>"


def _passed(results: list[RuleResult]) -> str:
    rows = [(r, esc(r.severity)) for r in results if r.status == "pass"]
    return _folded(f"Passed ({len(rows)})", "Severity", rows) if rows else ""


def _skipped(results: list[RuleResult]) -> str:
    skipped = [r for r in results if r.status == "skip"]
    if not skipped:
        return ""
    filtered = sum(1 for r in skipped if is_filtered_out(r))
    note = f"<p>{filtered} filtered out by --category, --rule or --tag.</p>" if filtered else ""
    rows = [(r, prose(r.reason or "")) for r in skipped if not is_filtered_out(r)]
    return _folded(f"Skipped ({len(skipped)})", "Reason", rows, note)


def _anchor(category_id: str) -> str:
    """The id of a category's section, which the summary table links to."""
    return f"category-{esc(category_id)}"


def _category_sections(report: Report) -> list[str]:
    """One <details> per category, open when it holds a failure or an error."""
    sections = []
    for category_id, results in by_category(report.results).items():
        counts = report.summary.by_category[category_id]
        problems = [r for r in results if r.status in ("fail", "error")]
        waived = [r for r in results if r.status == "waived"]  # a card each: who, why, until
        heading = (
            f'<details class="category" id="{_anchor(category_id)}"{" open" if problems else ""}>'
            f"<summary><h2>{esc(report.category_title(category_id))} "
            f'<span class="sev">· {esc(rate_text(counts))}</span></h2></summary>'
        )
        folds = [_passed(results), _skipped(results)]
        cards = [_rule(r) for r in (*problems, *waived)]
        sections.append(_lines([heading, *cards, *folds, "</details>"]))
    return sections


def _waivers(report: Report) -> str:
    """The waivers section: every waiver of the config and its state in this run."""
    if not report.waivers:
        return ""
    rows = "".join(
        f"<tr><td><code>{esc(u.waiver.rule)}</code></td>"
        f"<td>{esc(', '.join(u.waiver.paths) or 'all')}</td><td>{esc(waiver_state(u))}</td>"
        f"<td>{esc(u.waiver.expires.isoformat())}</td><td>{esc(u.waiver.owner)}</td>"
        f"<td>{prose(u.waiver.reason)}</td><td>{esc(u.waiver.ticket or '')}</td></tr>"
        for u in report.waivers
    )
    return (
        "<section><h2>Waivers</h2><table><thead><tr><th>Rule</th><th>Paths</th><th>State</th>"
        "<th>Expires</th><th>Owner</th><th>Reason</th><th>Ticket</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


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


def _csp() -> str:
    """Nothing may be fetched; the page's own style, and its one script by its hash, may run."""
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    return f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'"


def _search_box() -> str:
    """The filter box: hidden until the script shows it, so a page without scripts has none."""
    return (
        '<div id="search" hidden><input type="search" placeholder="Filter rules and findings" '
        'aria-label="Filter rules and findings"> <output></output></div>'
    )


def render(report: Report, out: TextIO, options: ReportOptions) -> None:
    overall = report.summary.overall
    fails = report.verdict.fails
    verdict = "fails" if fails else "holds"
    title = "rulepack report: " + ", ".join(f"{p.name} {p.version}" for p in report.packs)
    page = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_csp()}">',
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
        _search_box(),
        *_tests(report),
        *_category_sections(report),
        _waivers(report),
        f"<script>{SCRIPT}</script>",
        "</body></html>",
    ]
    out.write("\n".join(page) + "\n")
