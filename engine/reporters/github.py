"""`--format github`: GitHub Actions workflow commands, shown as annotations on the run and PR.

One `::error`/`::warning`/`::notice` line per finding of a failed rule (by the
rule's severity; `info` is a notice), with `file` and `line` when the finding
names them; a failed rule without findings gets one annotation without a file.
A rule that could not be evaluated is an `::error` (it fails the run whatever
its severity). A step shows about ten annotations of each kind, so at most
`--max-annotations` (10) of each are written, errors first, then warnings,
then notices, each in report order; one more notice counts what was left out.
Waived rules and the findings a waiver covers are not annotated.
The last line is a plain summary.

Values are escaped as the Actions runner reads them back: in the message `%`,
CR and LF become `%25`, `%0D`, `%0A`; in properties `:` and `,` too. So a
finding that contains a newline followed by `::set-output` stays inside its
annotation and can never start a command of its own, and a file named
`a%0A::error::x` stays that name. Escape sequences and other controls are
shown as text first (engine/printable.py): the log viewer never acts on them.
"""

from __future__ import annotations

from typing import TextIO

from engine.model.results import Finding, Report, RuleResult
from engine.printable import printable
from engine.reporters import ReportOptions
from engine.reporters.common import rate_text, summary_line

#: rulepack severity -> workflow command
COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
#: The workflow commands, most severe first: the order annotations are written in.
ORDER = ("error", "warning", "notice")


def escape_data(value: str) -> str:
    """A command's message, as the runner unescapes it."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A command property's value (`file=`, `title=`...)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, str], message: str) -> str:
    """`::name k=v,k=v::message`, every part escaped."""
    props = ",".join(
        f"{key}={escape_property(printable(value, newlines=False))}"
        for key, value in properties.items()
    )
    return f"::{name}{' ' + props if props else ''}::{escape_data(printable(message))}"


def _properties(finding: Finding | None, title: str) -> dict[str, str]:
    properties: dict[str, str] = {}
    if finding is not None and finding.path:
        properties["file"] = finding.path
        if finding.line and finding.line > 0:
            properties["line"] = str(finding.line)
    properties["title"] = title
    return properties


def _failure_lines(result: RuleResult) -> list[str]:
    title = f"{result.rule}: {result.title}"
    advice = ""
    if result.remediation.strip():
        advice += f"\nfix: {result.remediation.strip()}"
    if result.docs:
        advice += f"\ndocs: {result.docs}"
    name = COMMANDS[result.severity]
    if not result.findings:
        return [command(name, _properties(None, title), (result.message or result.title) + advice)]
    return [  # with a baseline, only what is new is annotated; never what a waiver covers
        command(name, _properties(finding, title), finding.message + advice)
        for finding in result.findings
        if finding.baseline != "known" and finding.waived is None
    ]


def _error_lines(result: RuleResult) -> list[str]:
    title = f"{result.rule}: could not be evaluated"
    reason = result.reason or result.message
    located = [f for f in result.findings if f.path]
    if not located:
        return [command("error", _properties(None, title), reason)]
    return [command("error", _properties(finding, title), finding.message) for finding in located]


def annotations_of(report: Report) -> dict[str, list[str]]:
    """Every annotation of the report by workflow command (`error`, `warning`, `notice`),
    most severe first, each in report order."""
    by_command: dict[str, list[str]] = {name: [] for name in ORDER}
    for result in report.results:
        if result.status == "fail":
            by_command[COMMANDS[result.severity]].extend(_failure_lines(result))
        elif result.status == "error":
            by_command["error"].extend(_error_lines(result))
    return by_command


def _left_out_notice(left_out: dict[str, int], limit: int) -> str:
    total = sum(left_out.values())
    counts = ", ".join(f"{n:,} {name}" for name, n in left_out.items() if n)
    return command(
        "notice",
        {"title": f"rulepack: {total} more annotations"},  # a comma would be escaped
        f"{total:,} annotations left out ({counts}): at most {limit} of each kind are shown "
        "(--max-annotations). Every finding: the job summary, or --format json.",
    )


def render(report: Report, out: TextIO, options: ReportOptions) -> None:
    limit = options.max_annotations
    lines: list[str] = []
    left_out: dict[str, int] = {}
    for name, found in annotations_of(report).items():
        lines.extend(found[:limit])
        left_out[name] = max(0, len(found) - limit)
    if any(left_out.values()):
        lines.append(_left_out_notice(left_out, limit))
    overall = report.summary.overall
    lines.append(
        f"rulepack: {summary_line(overall, report.summary.by_severity)}; "
        f"success rate {rate_text(overall)}"
    )
    out.write("\n".join(lines) + "\n")
