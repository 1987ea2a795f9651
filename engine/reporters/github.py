"""`--format github`: GitHub Actions workflow commands, shown as annotations on the run and PR.

One `::error`/`::warning`/`::notice` line per finding of a failed rule (by the
rule's severity; `info` is a notice), with `file` and `line` when the finding
names them; a failed rule without findings gets one annotation without a file.
A rule that could not be evaluated is an `::error` (it fails the run whatever
its severity). Waived rules and the findings a waiver covers are not annotated.
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


def render(report: Report, out: TextIO, options: ReportOptions) -> None:
    lines: list[str] = []
    for result in report.results:
        if result.status == "fail":
            lines.extend(_failure_lines(result))
        elif result.status == "error":
            lines.extend(_error_lines(result))
    overall = report.summary.overall
    lines.append(
        f"rulepack: {summary_line(overall, report.summary.by_severity)}; "
        f"success rate {rate_text(overall)}"
    )
    out.write("\n".join(lines) + "\n")
