"""`--format markdown`: a report to commit or paste into a pull-request comment.

GitHub-flavoured Markdown: the verdict and totals, a table of counts per
category, a table of the rules that were judged, then every failure (most
severe first) and error with its findings as `path:line` and the remediation;
skipped rules are folded into a <details> block. Everything taken from the
report is escaped, so a `|` or a newline in a message cannot break a table and
`<b>` stays text; escape sequences and bidi controls are shown as text
(engine/printable.py). Only the `code spans` of rule text stay code spans
(engine/reporters/code_spans.py).

The report stays within `--max-chars` characters (65,000: GitHub refuses a
comment of 65,536), whatever the repository. Each rule lists at most 20
findings ("… and N more"); when that is still too long, the skipped rules go,
then the table of rules, then findings per rule (10, 5, 3, 1, none), then
whole sections of the rules that do not fail the run, least severe first, and
the rules that do last. The verdict and the counts always stay. A closing
line says what was left out and how to get the full report.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TextIO

from engine.model.results import Report, RuleResult
from engine.model.severity import SEVERITIES
from engine.printable import UNSAFE, printable
from engine.reporters import ReportOptions
from engine.reporters.code_spans import spans
from engine.reporters.common import (
    by_category,
    count_cells,
    finding_items,
    findings_to_show,
    is_filtered_out,
    levels_lines,
    rate_text,
    summary_line,
    waiver_state,
)

#: Findings listed per rule, fewest last: the budget takes the first that fits.
FINDING_LIMITS = (20, 10, 5, 3, 1, 0)
#: Characters of a message quoted in full: a finding that quotes a whole file stays readable.
MAX_MESSAGE = 500

STATUS_LABELS = {
    "pass": "✅ pass",
    "fail": "❌ fail",
    "skip": "⏭️ skip",
    "error": "⚠️ error",
    "waived": "🏳️ waived",
}

# CommonMark lets a backslash escape any ASCII punctuation; these are the ones
# that can start emphasis, code, links, HTML, entities, strikethrough or a cell.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#])")
_NEWLINES = re.compile(r"\r\n|\r|\n")
# At the start of a list item or paragraph these would open a nested list.
_BLOCK_START = re.compile(r"^(?:([-+])|(\d+)([.)]))")
_SAFE_URL = re.compile(r"https?://[^\s<>]+")


def text(value: str) -> str:
    """Plain text safe inside a paragraph, a list item or a table cell: one line."""
    return _escaped(printable(value).strip(), at_start=True)


def _escaped(value: str, at_start: bool) -> str:
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", value)
    if at_start:
        escaped = _BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)
    return _NEWLINES.sub("<br>", escaped)


def prose(value: str, in_table: bool = False) -> str:
    """Rule or finding text as `text` writes it, but its `code spans` stay code spans."""
    found = spans(printable(value).strip())
    return "".join(
        code(span.text, in_table) if span.code else _escaped(span.text, at_start=i == 0)
        for i, span in enumerate(found)
    )


def code(value: str, in_table: bool = False) -> str:
    """A code span showing `value` verbatim (one line)."""
    value = printable(value, newlines=False)
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each side when both sides have one (or a backtick).
    spaced = value[:1] == value[-1:] == " " and value.strip(" ")
    if value.startswith("`") or value.endswith("`") or spaced:
        value = f" {value} "
    if in_table:
        # GFM splits table cells before it reads code spans: a pipe must be escaped even here.
        value = value.replace("|", "\\|")
    return f"{fence}{value}{fence}"


def link(url: str, label: str) -> str:
    """A link to an http(s) URL; any other value is shown as text, never made clickable."""
    if not _SAFE_URL.fullmatch(url) or UNSAFE.search(url):
        return text(url)
    target = url.replace("(", "%28").replace(")", "%29")
    return f"[{text(label)}]({target})"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _header(report: Report, options: ReportOptions) -> list[str]:
    fails = report.verdict.fails
    verdict = "❌ fails" if fails else "✅ holds"
    overall = report.summary.overall
    packs = ", ".join(code(f"{p.name} {p.version}") for p in report.packs)
    snapshot = report.snapshot
    where: str = snapshot.kind
    if snapshot.ref:
        where += f" {code(snapshot.ref)}"
    if snapshot.commit:
        where += f" at {code(snapshot.commit[:12])}"
    return [
        f"## rulepack report: {verdict}",
        "",
        f"Packs: {packs} · snapshot: {where} · fail on: {code(report.fail_on)}",
        "",
        f"**Success rate: {rate_text(overall)}** · "
        f"{text(summary_line(overall, report.summary.by_severity))}",
    ]


def _category_table(report: Report) -> list[str]:
    lines = [
        "",
        "| Category | Rules | Passed | Failed | Skipped | Errored | Success rate |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for category_id, counts in report.summary.by_category.items():
        lines.append(_row([text(report.category_title(category_id)), *count_cells(counts)]))
    lines.append(_row(["**Total**", *count_cells(report.summary.overall)]))
    return lines


def _tests(report: Report) -> list[str]:
    """The test table of the `tests` rules and their failure analysis (none: nothing)."""
    from engine.reporters import tests_section

    rows = tests_section.rows(report)
    if not rows:
        return []
    columns = tests_section.COLUMNS
    lines = [
        "",
        "### Tests",
        "",
        _row(list(columns)),
        "| --- | --- |" + " ---: |" * (len(columns) - 2),
        *(_row([text(row[0]), code(row[1], in_table=True), *row[2:]]) for row in rows),
    ]
    for analysis in tests_section.analyses(report):
        lines += ["", f"Failures of {code(analysis.rule)}, by message:", ""]
        lines += [
            f"- {count} {text(message)}: {text(tests)}" for count, message, tests in analysis.groups
        ]
        slowest = ", ".join(f"{text(name)} ({took})" for name, took in analysis.slowest)
        lines += ["", f"Slowest: {slowest}"]
    return lines


def _rules_table(report: Report) -> list[str]:
    judged = [r for r in report.results if r.status != "skip"]
    if not judged:
        return []
    lines = [
        "",
        "### Rules",
        "",
        "| Status | Rule | Category | Severity | Title |",
        "| --- | --- | --- | --- | --- |",
    ]
    for result in judged:
        lines.append(
            _row(
                [
                    STATUS_LABELS[result.status],
                    code(result.rule, in_table=True),
                    text(report.category_title(result.category)),
                    result.severity,
                    prose(result.title, in_table=True),
                ]
            )
        )
    return lines


def shorten(value: str, limit: int = MAX_MESSAGE) -> str:
    """`value`, cut to `limit` characters with an ellipsis when longer."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _finding_line(where: str, message: str) -> str:
    message = shorten(message)
    return f"- {code(shorten(where))} {prose(message)}" if where else f"- {prose(message)}"


def _finding_lines(result: RuleResult, limit: int) -> list[str]:
    return finding_items(result, limit, _finding_line, lambda n: f"- … and {n} more")


def _rule_section(report: Report, result: RuleResult, limit: int) -> list[str]:
    category = text(report.category_title(result.category))
    lines = ["", f"#### {code(result.rule)} {prose(result.title)}", ""]
    if result.status == "fail":
        lines.append(f"Severity **{result.severity}** · {category}")
    else:
        lines.append(f"Could not be evaluated · {category}")
        lines.extend(["", f"**Cause:** {prose(shorten(result.reason or result.message))}"])
    findings = _finding_lines(result, limit)
    if result.status == "fail" and not findings and result.message:
        findings = [f"- {prose(shorten(result.message))}"]
    if findings:
        lines.extend(["", *findings])
    if result.status == "fail" and result.remediation.strip():
        lines.extend(["", f"**Fix:** {prose(result.remediation)}"])
    if result.status == "fail" and result.docs:
        lines.extend(["", f"**Docs:** {link(result.docs, result.docs)}"])
    return lines


def _failures(report: Report) -> list[RuleResult]:
    failures = [r for r in report.results if r.status == "fail"]
    return sorted(failures, key=lambda r: SEVERITIES.index(r.severity))  # stable: report order


def _errors(report: Report) -> list[RuleResult]:
    return [r for r in report.results if r.status == "error"]


def _problems(report: Report, limit: int, dropped: frozenset[int]) -> list[str]:
    """The sections of the failures and of the errors, each rule with at most `limit`
    findings; the results whose `id()` is in `dropped` are left out."""
    lines: list[str] = []
    for heading, results in (("Failures", _failures(report)), ("Errors", _errors(report))):
        if results:
            lines.extend(["", f"### {heading} ({len(results)})"])
        for result in results:
            if id(result) not in dropped:
                lines.extend(_rule_section(report, result, limit))
    return lines


def _skipped(report: Report) -> list[str]:
    skipped = [r for r in report.results if r.status == "skip"]
    if not skipped:
        return []
    shown = [r for r in skipped if not is_filtered_out(r)]
    lines = ["", "<details>", f"<summary>Skipped ({len(skipped)})</summary>", ""]
    if shown:
        lines.extend(["| Rule | Category | Reason |", "| --- | --- | --- |"])
        for category_id, results in by_category(shown).items():
            category = text(report.category_title(category_id))
            for result in results:
                reason = prose(result.reason or "", in_table=True)
                lines.append(_row([code(result.rule, in_table=True), category, reason]))
        lines.append("")
    filtered = len(skipped) - len(shown)
    if filtered:
        lines.extend([f"{filtered} rule(s) filtered out by `--category`, `--rule` or `--tag`.", ""])
    lines.append("</details>")
    return lines


def _levels(report: Report) -> list[str]:
    """Each pack's level and score, and what its next level needs, as a list."""
    lines = levels_lines(report, text, code)
    return ["", *(f"- {line}" for line in lines)] if lines else []


def _waivers(report: Report) -> list[str]:
    """Every waiver with its state: waived rules show who answers for them, and until when."""
    if not report.waivers:
        return []
    lines = [
        "",
        f"### Waivers ({len(report.waivers)})",
        "",
        "| Rule | Paths | State | Expires | Owner | Reason | Ticket |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for use in report.waivers:
        waiver = use.waiver
        paths = ", ".join(code(p, in_table=True) for p in waiver.paths) or "all"
        cells = [code(waiver.rule, in_table=True), paths, waiver_state(use)]
        cells.append(waiver.expires.isoformat())
        cells += [text(waiver.owner), text(waiver.reason), text(waiver.ticket or "")]
        lines.append(_row(cells))
    return lines


@dataclass(frozen=True)
class Layout:
    """How much of the report is written: findings per rule, optional sections, and the
    failures and errors left out entirely."""

    findings: int = FINDING_LIMITS[0]
    rules_table: bool = True
    skipped: bool = True
    dropped: tuple[RuleResult, ...] = ()


def _layouts() -> Iterator[Layout]:
    """The layouts to try, fullest first, until one fits the budget."""
    yield Layout()
    yield Layout(skipped=False)
    for limit in FINDING_LIMITS:
        yield Layout(limit, rules_table=False, skipped=False)


def _body(report: Report, layout: Layout) -> list[str]:
    dropped = frozenset(id(r) for r in layout.dropped)
    return [
        *(_rules_table(report) if layout.rules_table else []),
        *_problems(report, layout.findings, dropped),
        *_waivers(report),
        *(_skipped(report) if layout.skipped else []),
    ]


def _left_out(report: Report, layout: Layout, budget: int) -> str:
    """The closing line: what `layout` leaves out, and where the rest is; "" for nothing."""
    dropped = {id(r) for r in layout.dropped}
    shown = [r for r in (*_failures(report), *_errors(report)) if id(r) not in dropped]
    findings = sum(max(0, len(findings_to_show(r)) - layout.findings) for r in shown)
    parts = []
    if findings:
        per_rule = f"at most {layout.findings} per rule" if layout.findings else "only counted"
        parts.append(f"{_count(findings, 'finding')} ({per_rule})")
    if layout.dropped:
        severities = Counter(r.severity if r.status == "fail" else "error" for r in layout.dropped)
        which = ", ".join(f"{severities[s]} {s}" for s in SEVERITIES if severities[s])
        parts.append(f"the sections of {_count(len(layout.dropped), 'rule')} ({which})")
    if not layout.rules_table and any(r.status != "skip" for r in report.results):
        parts.append("the table of rules")
    if not layout.skipped and any(r.status == "skip" for r in report.results):
        parts.append("the skipped rules")
    if not parts:
        return ""
    pressed = not layout.skipped or layout.dropped  # the budget made it leave things out
    within = f", to stay within {budget:,} characters" if pressed else ""
    more = " or a larger `--max-chars`" if pressed else ""
    return (
        f"---\n\n**Left out:** {', '.join(parts)}{within}. The full report: the same "
        f"`policy eval` with `--format json` (every finding){more}."
    )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _lowest_first(report: Report) -> list[RuleResult]:
    """Failures and errors in the order their sections go when the budget is short:
    what does not fail the run first, least severe first, later rules before earlier."""
    failing = {id(r) for r in report.verdict.failing}
    problems = [*_failures(report), *_errors(report)]
    rank = {"info": 0, "warning": 1, "error": 2}
    order = sorted(
        range(len(problems)),
        key=lambda i: (id(problems[i]) in failing, rank[problems[i].severity], -i),
    )
    return [problems[i] for i in order]


def _fit(report: Report, head: list[str], budget: int) -> list[str]:
    """`head` and as much of the rest as fits in `budget` characters, with the closing line."""

    def written(layout: Layout) -> list[str]:
        closing = _left_out(report, layout, budget)
        return [*head, *_body(report, layout), *(["", closing] if closing else [])]

    def size(lines: list[str]) -> int:
        return sum(len(line) + 1 for line in lines)

    layout = Layout()
    for layout in _layouts():
        lines = written(layout)
        if size(lines) <= budget:
            return lines
    dropped: list[RuleResult] = []
    for result in _lowest_first(report):
        dropped.append(result)
        lines = written(replace(layout, dropped=tuple(dropped)))
        if size(lines) <= budget:
            return lines
    # The head alone is too long (packs with hundreds of categories): cut it by lines.
    closing = ["", _left_out(report, replace(layout, dropped=tuple(dropped)), budget)]
    if not closing[-1]:
        closing[-1] = (
            f"---\n\n**Left out:** the end of the summary, to stay within {budget:,} characters."
        )
    kept: list[str] = []
    for line in head:
        if size([*kept, line, *closing]) > budget:
            break
        kept.append(line)
    return [*kept, *closing]


def render(report: Report, out: TextIO, options: ReportOptions) -> None:
    head = [
        *_header(report, options),
        *_levels(report),
        *_category_table(report),
        *_tests(report),
    ]
    out.write("\n".join(_fit(report, head, options.max_chars)) + "\n")
