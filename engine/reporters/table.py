"""`--format table`: the terminal report, grouped by category, with a summary.

Colour only on a terminal and never when NO_COLOR is set; the same text
without colour is what a pre-commit hook or a CI log shows. Every text from
the report is shown `printable` (engine/printable.py): rich writes the only
escape sequences, its colours.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.progress import TaskID
from rich.table import Table
from rich.text import Text

from engine.model.results import Counts, Report, RuleResult, Status
from engine.model.snapshots import SnapshotInfo
from engine.printable import printable
from engine.reporters import ReportOptions
from engine.reporters.common import (
    by_category,
    count_cells,
    findings_to_show,
    is_filtered_out,
    levels_lines,
    place,
    rate_text,
    summary_parts,
)

#: Findings shown per rule; the rest are counted.
MAX_FINDINGS = 20

_BADGES = {
    "pass": ("✓ pass ", "green"),
    "fail": ("✗ fail ", "bold red"),
    "skip": ("- skip ", "dim"),
    "error": ("! error", "bold magenta"),
}
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def _line(value: str) -> str:
    """A value shown on one line."""
    return printable(value, newlines=False)


def _summary_style(status: Status | None, overall: Counts) -> str:
    """Passes are green; failures red and errors magenta when there are any."""
    if status == "pass":
        return "green"
    if status == "fail" and overall.failed:
        return "red"
    if status == "error" and overall.errored:
        return "magenta"
    return ""


def _console(out: TextIO, options: ReportOptions) -> Console:
    return Console(
        file=out,
        color_system="standard" if options.color else None,
        no_color=not options.color,
        force_terminal=options.color,
        highlight=False,
        emoji=False,
        soft_wrap=True,
        width=options.width or 100,
    )


def announcement(programs: int, snapshot: SnapshotInfo) -> str:
    """What the table report says before command rules start: how many programs run, where.

    `running 13 programs in /repo (use --no-commands to skip)`; on `--ref` and
    `--staged` they run in a temporary copy of the snapshot, which it names."""
    where = snapshot.root
    if snapshot.kind == "ref":
        where = f"a copy of {snapshot.ref} ({(snapshot.commit or '')[:12]}) of {snapshot.root}"
    elif snapshot.kind == "staged":
        where = f"a copy of the index of {snapshot.root}"
    noun = "program" if programs == 1 else "programs"
    return f"running {programs} {noun} in {where} (use --no-commands to skip)"


def _header(report: Report) -> Text:
    snapshot = report.snapshot
    where = snapshot.root
    if snapshot.kind == "ref":
        where += f" @ {snapshot.ref}"
    elif snapshot.kind == "staged":
        where += " (staged)"
    if snapshot.commit:
        where += f" ({snapshot.commit[:12]})"
    packs = ", ".join(f"{p.name} {p.version}" for p in report.packs)
    text = Text()
    text.append(f"rulepack {report.tool_version}", style="bold")
    text.append(f" · {_line(packs)} · {_line(where)}")
    return text


def _rule_lines(result: RuleResult) -> list[Text]:
    badge, style = _BADGES[result.status]
    line = Text("  ")
    line.append(badge, style=style)
    line.append(f"  {_line(result.rule)}", style="bold")
    line.append(f"  {_line(result.title)}")
    if result.status == "fail":
        line.append(f"  [{result.severity}]", style=_SEVERITY_STYLE[result.severity])
    if result.baseline == "known":
        line.append("  (known: in the baseline)", style="dim")
    lines = [line]
    indent = " " * 11
    if result.status in ("skip", "error") and result.reason:
        lines.append(
            Text(
                f"{indent}{_line(result.reason)}",
                style="dim" if result.status == "skip" else "magenta",
            )
        )
    if result.status in ("fail", "error"):
        shown = findings_to_show(result)
        known = sum(f.baseline == "known" for f in result.findings)
        for finding in shown[:MAX_FINDINGS]:
            where = _line(place(finding))
            text = Text(indent + "• ")
            if where:
                text.append(where, style="bold")
                text.append(": ")
            message_lines = printable(finding.message).splitlines() or [""]
            text.append(message_lines[0])
            lines.append(text)
            lines.extend(Text(f"{indent}    {extra}", style="dim") for extra in message_lines[1:])
        if len(shown) > MAX_FINDINGS:
            lines.append(Text(f"{indent}• … and {len(shown) - MAX_FINDINGS} more", style="dim"))
        if known:
            lines.append(
                Text(f"{indent}({known} known findings hidden: in the baseline)", style="dim")
            )
        if result.status == "fail" and not result.findings and result.message:
            lines.append(Text(f"{indent}{_line(result.message)}"))
        if result.remediation and result.status == "fail":
            fix = Text(f"{indent}fix: ", style="bold cyan")
            fix.append(printable(result.remediation.strip()).replace("\n", f"\n{indent}     "))
            lines.append(fix)
        if result.docs and result.status == "fail":
            lines.append(Text(f"{indent}docs: {_line(result.docs)}", style="dim"))
    return lines


def _summary_table(report: Report) -> Table:
    table = Table(title=None, show_edge=False, pad_edge=False, box=None, header_style="bold")
    table.add_column("category")
    for column in ("total", "passed", "failed", "skipped", "errored", "success"):
        table.add_column(column, justify="right")
    for category_id, counts in report.summary.by_category.items():
        table.add_row(escape(_line(report.category_title(category_id))), *count_cells(counts))
    return table


def render(report: Report, out: TextIO, options: ReportOptions) -> None:
    console = _console(out, options)
    console.print(_header(report))
    for standing in levels_lines(report, _line, _line):
        console.print(Text(standing, style="bold"))
    for category_id, results in by_category(report.results).items():
        console.print()
        counts = report.summary.by_category[category_id]
        heading = Text(_line(report.category_title(category_id)), style="bold underline")
        heading.append(
            f"  {counts.passed}/{counts.passed + counts.failed + counts.errored} passed",
            style="dim",
        )
        console.print(heading)
        hidden = 0
        for result in results:
            if is_filtered_out(result):
                hidden += 1
                continue
            for line in _rule_lines(result):
                console.print(line)
        if hidden:
            console.print(Text(f"  ({hidden} filtered out)", style="dim"))
    console.print()
    console.print(_summary_table(report))
    console.print()
    overall = report.summary.overall
    line = Text("Summary: ", style="bold")
    for i, (part, status) in enumerate(summary_parts(overall, report.summary.by_severity)):
        if i:
            line.append(" · ")
        line.append(part, style=_summary_style(status, overall))
    console.print(line)
    console.print(Text(f"Success rate: {rate_text(overall)}", style="bold"))
    if report.baseline is not None:
        info = report.baseline
        console.print(
            Text(
                f"Baseline {_line(info.source)}: findings {info.new_findings} new, "
                f"{info.known_findings} known (hidden); failed or errored rules "
                f"{info.new_results} new, {info.known_results} known. Only new ones fail the run."
            )
        )


class TerminalProgress:
    """A progress bar on stderr while command rules run."""

    def __init__(self, color: bool) -> None:
        import sys

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._progress = Progress(
            TextColumn("running commands"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=Console(file=sys.stderr, no_color=not color),
            transient=True,
        )
        self._task: TaskID | None = None

    def start(self, total: int) -> None:
        self._task = self._progress.add_task("", total=total)
        self._progress.start()

    def advance(self, result: RuleResult) -> None:
        if self._task is not None:
            description = escape(_line(result.rule))  # the column reads markup
            self._progress.update(self._task, advance=1, description=description)

    def stop(self) -> None:
        self._progress.stop()
