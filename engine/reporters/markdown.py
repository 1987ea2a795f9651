"""`--format markdown`: a report to commit or paste into a pull-request comment.

GitHub-flavoured Markdown: the verdict and totals, a table of counts per
category, a table of the rules that were judged, then every failure and error
with its findings as `path:line` and the remediation; skipped rules are folded
into a <details> block. Everything taken from the report is escaped, so a `|`
or a newline in a message cannot break a table and `<b>` stays text; escape
sequences and bidi controls are shown as text (engine/printable.py).
"""

from __future__ import annotations

import re
from typing import TextIO

from engine.model.results import Report, RuleResult
from engine.model.severity import SEVERITIES
from engine.printable import UNSAFE, printable
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

#: Findings listed per rule; the rest are counted (a PR comment holds 65,536 characters).
MAX_FINDINGS = 20

STATUS_LABELS = {
    "pass": "✅ pass",
    "fail": "❌ fail",
    "skip": "⏭️ skip",
    "error": "⚠️ error",
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
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", printable(value).strip())
    escaped = _BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)
    return _NEWLINES.sub("<br>", escaped)


def code(value: str, in_table: bool = False) -> str:
    """A code span showing `value` verbatim (one line)."""
    value = printable(value, newlines=False)
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    if value.startswith("`") or value.endswith("`"):
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
                    text(result.title),
                ]
            )
        )
    return lines


def _finding_line(where: str, message: str) -> str:
    return f"- {code(where)} {text(message)}" if where else f"- {text(message)}"


def _finding_lines(result: RuleResult) -> list[str]:
    return finding_items(result, MAX_FINDINGS, _finding_line, lambda n: f"- … and {n} more")


def _rule_section(report: Report, result: RuleResult) -> list[str]:
    category = text(report.category_title(result.category))
    lines = ["", f"#### {code(result.rule)} {text(result.title)}", ""]
    if result.status == "fail":
        lines.append(f"Severity **{result.severity}** · {category}")
    else:
        lines.append(f"Could not be evaluated · {category}")
        lines.extend(["", f"**Cause:** {text(result.reason or result.message)}"])
    findings = _finding_lines(result)
    if result.status == "fail" and not findings and result.message:
        findings = [f"- {text(result.message)}"]
    if findings:
        lines.extend(["", *findings])
    if result.status == "fail" and result.remediation.strip():
        lines.extend(["", f"**Fix:** {text(result.remediation)}"])
    if result.status == "fail" and result.docs:
        lines.extend(["", f"**Docs:** {link(result.docs, result.docs)}"])
    return lines


def _problems(report: Report) -> list[str]:
    failures = [r for r in report.results if r.status == "fail"]
    failures.sort(key=lambda r: SEVERITIES.index(r.severity))  # stable: report order within
    errors = [r for r in report.results if r.status == "error"]
    lines: list[str] = []
    if failures:
        lines.extend(["", f"### Failures ({len(failures)})"])
        for result in failures:
            lines.extend(_rule_section(report, result))
    if errors:
        lines.extend(["", f"### Errors ({len(errors)})"])
        for result in errors:
            lines.extend(_rule_section(report, result))
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
                reason = text(result.reason or "")
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


def render(report: Report, out: TextIO, options: ReportOptions) -> None:
    lines = [
        *_header(report, options),
        *_levels(report),
        *_category_table(report),
        *_rules_table(report),
        *_problems(report),
        *_skipped(report),
    ]
    out.write("\n".join(lines) + "\n")
