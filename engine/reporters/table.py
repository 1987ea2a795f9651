"""`--format table`: the terminal report, verdict first, then what failed, by category.

The verdict leads (one line, then the counts, then each pack); failures and
errors follow, grouped by category, the most severe first, each with its
first findings and the fix. Passed and skipped rules are counted, not listed,
unless `--show` (or `-v`) asks for them. Under the pre-commit hook (`--staged`)
the report is brief: only what fails the run, within one screen, ending with
the command that shows everything.

Colour only on a terminal and never when NO_COLOR is set; the same text
without colour is what a pre-commit hook or a CI log shows, written without
loading rich (engine/reporters/styled.py). Every text from the report is shown
`printable` (engine/printable.py): rich writes the only escape sequences, its
colours.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import TYPE_CHECKING, TextIO

from engine.model.results import STATUS_WORDS, Counts, Report, RuleResult, Status, count
from engine.model.snapshots import SnapshotInfo
from engine.printable import printable
from engine.reporters import ReportOptions
from engine.reporters.styled import Column, Columns, Line, Screen, Shown

if TYPE_CHECKING:
    from rich.progress import TaskID  # the bar itself is loaded only on a terminal
from engine.reporters.common import (
    count_cells,
    findings_to_show,
    is_filtered_out,
    judged_text,
    levels_lines,
    most_severe_first,
    place,
    success_text,
    summary_parts,
    verdict_text,
    waived_text,
    waivers_section,
)

#: Findings shown per rule; the rest are counted.
MAX_FINDINGS = 20
#: What the table lists when `--show` does not say.
DEFAULT_SHOW: frozenset[Status] = frozenset({"fail", "error", "waived"})
#: The brief report (the pre-commit hook) fits in this many lines, with at most
#: BRIEF_FINDINGS findings per rule, each in at most BRIEF_MESSAGE_LINES lines.
BRIEF_LINES = 36
BRIEF_FINDINGS = 3
BRIEF_MESSAGE_LINES = 6
#: How each status is counted in the report's sentences.

_BADGES = {
    "pass": ("✓ pass ", "green"),
    "fail": ("✗ fail ", "bold red"),
    "skip": ("- skip ", "dim"),
    "error": ("! error", "bold magenta"),
    "waived": ("~ waive", "yellow"),
}
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}
_INDENT = " " * 11


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
    if status == "waived":
        return "yellow"
    return ""


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


def _verdict(report: Report) -> Line:
    """The first line: whether the run holds, and what fails it."""
    fails = report.verdict.fails
    return Line(_line(verdict_text(report)), style="bold red" if fails else "bold green")


def _counts(report: Report) -> Line:
    """`90 rules · 30 passed · 29 failed (1 error, 17 warning, 11 info) · ...`."""
    overall = report.summary.overall
    line = Line()
    for i, (part, status) in enumerate(summary_parts(overall, report.summary.by_severity)):
        if i:
            line.append(" · ")
        line.append(part, style=_summary_style(status, overall))
    return line


def _packs(report: Report) -> list[Line]:
    """A line per pack: its name, version and success rate. (A pack's level and
    score, when packs declare levels, belong on this line.)"""
    lines = []
    for pack in report.packs:
        counts = count(r for r in report.results if r.pack == pack.name)
        text = Line(_line(f"{pack.name} {pack.version}"), style="bold")
        text.append(f" · success {success_text(counts)}")
        lines.append(text)
    return lines


def _where(report: Report) -> Line:
    """`rulepack 0.1.0 · /repo (staged) (3f2c…)`: what judged which snapshot."""
    snapshot = report.snapshot
    where = snapshot.root
    if snapshot.kind == "ref":
        where += f" @ {snapshot.ref}"
    elif snapshot.kind == "staged":
        where += " (staged)"
    if snapshot.commit:
        where += f" ({snapshot.commit[:12]})"
    return Line(f"rulepack {report.tool_version} · {_line(where)}", style="dim")


def _heading(report: Report, category_id: str) -> Line:
    """`High availability · 5 failed · 1 passed · 3 skipped · 6 of 9 judged`."""
    counts = report.summary.by_category[category_id]
    parts = [f"{n} {STATUS_WORDS[status]}" for status, n in _by_status(counts).items() if n]
    heading = Line(_line(report.category_title(category_id)), style="bold underline")
    heading.append(" · " + " · ".join([*parts, judged_text(counts)]), style="dim")
    return heading


def _finding_lines(result: RuleResult, limit: int, message_lines: int | None) -> list[Line]:
    """The first `limit` findings of a result, each message cut at `message_lines`."""
    shown = findings_to_show(result)
    lines = []
    for finding in shown[:limit]:
        where = _line(place(finding))
        text = Line(_INDENT + "• ")
        if where:
            text.append(where, style="bold")
            text.append(": ")
        first, *extra = printable(finding.message).splitlines() or [""]
        text.append(first)
        lines.append(text)
        if message_lines is not None and len(extra) >= message_lines:
            extra = [
                *extra[: message_lines - 1],
                f"… ({len(extra) - message_lines + 1} more lines)",
            ]
        lines.extend(Line(f"{_INDENT}    {more}", style="dim") for more in extra)
    if len(shown) > limit:
        lines.append(Line(f"{_INDENT}• … and {len(shown) - limit} more", style="dim"))
    known = sum(f.baseline == "known" for f in result.findings)
    if known:
        lines.append(
            Line(f"{_INDENT}({known} known findings hidden: in the baseline)", style="dim")
        )
    return lines


def _rule_lines(
    result: RuleResult, limit: int = MAX_FINDINGS, message_lines: int | None = None
) -> list[Line]:
    badge, style = _BADGES[result.status]
    line = Line("  ")
    line.append(badge, style=style)
    line.append(f"  {_line(result.rule)}", style="bold")
    line.append(f"  {_line(result.title)}")
    if result.status == "fail":
        line.append(f"  [{result.severity}]", style=_SEVERITY_STYLE[result.severity])
    if result.baseline == "known":
        line.append("  (known: in the baseline)", style="dim")
    lines = [line]
    if result.waived is not None and result.status == "waived":
        lines.append(Line(f"{_INDENT}{_line(waived_text(result.waived))}", style="yellow"))
    if result.status in ("skip", "error") and result.reason:
        lines.append(
            Line(
                f"{_INDENT}{_line(result.reason)}",
                style="dim" if result.status == "skip" else "magenta",
            )
        )
    if result.status in ("fail", "error"):
        lines.extend(_finding_lines(result, limit, message_lines))
        if result.status == "fail" and not result.findings and result.message:
            lines.append(Line(f"{_INDENT}{_line(result.message)}"))
    if result.status == "fail":
        if result.remediation:
            fix = Line(f"{_INDENT}fix: ", style="bold cyan")
            fix.append(printable(result.remediation.strip()).replace("\n", f"\n{_INDENT}     "))
            lines.append(fix)
        if result.docs:
            lines.append(Line(f"{_INDENT}docs: {_line(result.docs)}", style="dim"))
    return lines + _waiver_lines(result, _INDENT)


def _waiver_lines(result: RuleResult, indent: str) -> list[Line]:
    """What waivers say on a result: its waived findings (counted) and the waivers' notes."""
    lines = []
    waived = sum(f.waived is not None for f in result.findings)
    if waived and result.status == "fail":
        lines.append(Line(f"{indent}({waived} waived findings hidden)", style="dim"))
    lines.extend(
        Line(f"{indent}{_line(note.message)}", style="yellow")
        for note in result.notes
        if note.waiver
    )
    return lines


def _waivers(report: Report) -> list[Line]:
    """The waivers section: every waiver of the config and its state in this run."""
    if not report.waivers:
        return []
    styles = {"active": "yellow", "expired": "red", "unused": "dim"}
    lines = [Line("Waivers", style="bold underline")]
    for use, text in waivers_section(report):
        lines.append(Line(f"  {_line(text)}", style=styles[use.state]))
    return [Line(), *lines]


def _summary_table(report: Report) -> Columns:
    numbers = ("total", "passed", "failed", "skipped", "errored", "success")
    table = Columns((Column("category"), *(Column(name, "right") for name in numbers)))
    for category_id, counts in report.summary.by_category.items():
        cells = [*count_cells(counts)[:-1], success_text(counts)]
        table.rows.append((_line(report.category_title(category_id)), *cells))
    return table


def _by_status(counts: Counts) -> dict[Status, int]:
    """The counts by status, in the order the report names them: failures first."""
    return {status: counts.of(status) for status in ("fail", "error", "pass", "skip", "waived")}


def _not_listed(counts: Counts, show: Collection[Status]) -> str:
    """`30 passed, 31 skipped`: what the listing left out, by status."""
    numbers = _by_status(counts).items()
    return ", ".join(f"{n} {STATUS_WORDS[s]}" for s, n in numbers if n and s not in show)


def _test_lines(report: Report) -> list[Shown]:
    """The test table of the `tests` rules, then each one's failures by message and its
    slowest tests; nothing when no rule read a test report."""
    from engine.reporters import tests_section

    rows = tests_section.rows(report)
    if not rows:
        return []
    # A terminal is narrow: the category names the row, and the rule only where a
    # category has several `tests` rules; the failure analysis below names the rules.
    numbers = ("tests", "passed", "failed", "errored", "skipped", "flaky", "success", "time")
    table = Columns((Column("category"), *(Column(name, "right", True) for name in numbers)))
    per_category = Counter(row[0] for row in rows)
    for category, rule, *cells in rows:
        label = category if per_category[category] == 1 else f"{category} ({rule})"
        table.rows.append((_line(label), *cells))
    lines: list[Shown] = [Line(""), Line("Tests", style="bold underline"), table]
    for analysis in tests_section.analyses(report):
        lines.append(Line(""))
        lines.append(Line(f"Failures of {_line(analysis.rule)}, by message:", style="bold"))
        for times, message, tests in analysis.groups:
            lines.append(Line(f"  {times} {_line(message)}: {_line(tests)}"))
        slowest = ", ".join(f"{_line(name)} ({took})" for name, took in analysis.slowest)
        lines.append(Line(f"  slowest: {slowest}", style="dim"))
    return lines


def render(report: Report, out: TextIO, options: ReportOptions) -> None:
    """The table report: verdict, what failed by category, the counts by category."""
    console = Screen(out, color=options.color, width=options.width or 100)
    if options.brief:
        _render_brief(report, console, options.rest)
        return
    show = options.show if options.show is not None else DEFAULT_SHOW
    # The verdict, then each pack's level and what the next needs, then the counts.
    console.show(_verdict(report))
    for standing in levels_lines(report, _line, _line):
        console.show(Line(standing, style="bold"))
    for line in (_counts(report), *_packs(report), _where(report)):
        console.show(line)
    listed = [r for r in report.results if r.status in show]
    for category_id, results in most_severe_first(listed, report.fail_on).items():
        console.show()
        console.show(_heading(report, category_id))
        for result in results:
            if not is_filtered_out(result):
                for line in _rule_lines(result):
                    console.show(line)
        hidden = sum(map(is_filtered_out, results))
        if hidden:
            console.show(Line(f"  ({hidden} filtered out)", style="dim"))
    for line in _waivers(report):
        console.show(line)
    console.show()
    console.show(_summary_table(report))
    for item in _test_lines(report):
        console.show(item)
    console.show()
    overall = report.summary.overall
    console.show(Line(f"Success rate: {success_text(overall)}", style="bold"))
    left_out = _not_listed(overall, show)
    if left_out:
        console.show(Line(f"Not listed: {left_out} (--show all lists them)", style="dim"))
    if report.baseline is not None:
        info = report.baseline
        console.show(
            Line(
                f"Baseline {_line(info.source)}: findings {info.new_findings} new, "
                f"{info.known_findings} known (hidden); failed or errored rules "
                f"{info.new_results} new, {info.known_results} known. Only new ones fail the run."
            )
        )


def _render_brief(report: Report, console: Screen, rest: str) -> None:
    """What fails the run, in at most BRIEF_LINES lines, ending with `rest`, the
    command that shows everything."""
    head = [_verdict(report), _counts(report)]
    grouped = most_severe_first(report.verdict.failing, report.fail_on).values()
    failing = [result for results in grouped for result in results]
    blocks: list[list[Line]] = []
    for i, result in enumerate(failing):
        block = _rule_lines(result, BRIEF_FINDINGS, BRIEF_MESSAGE_LINES)
        if i == 0 or result.category != failing[i - 1].category:
            title = Line(_line(report.category_title(result.category)), style="bold underline")
            block = [Line(), title, *block]
        blocks.append(block)
    room = BRIEF_LINES - len(head) - 4  # "… and N more", a blank line, the last two lines
    shown, used = 0, 0
    for block in blocks:  # the first always, then as many as fit
        if shown and used + len(block) > room:
            break
        shown, used = shown + 1, used + len(block)
    for line in [*head, *(line for block in blocks[:shown] for line in block)]:
        console.show(line)
    rest_failing = [_line(r.rule) for r in failing[shown:]]
    if rest_failing:
        console.show(
            Line(f"  … and {len(rest_failing)} more that fail the run: {', '.join(rest_failing)}")
        )
    console.show()
    left_out = _not_listed(count(r for r in report.results if not r.fails_at(report.fail_on)), ())
    if left_out:
        console.show(Line(f"Not shown (they do not fail the run): {left_out}"))
    if rest:
        console.show(Line(f"Everything: {_line(rest)}", style="bold"))


class TerminalProgress:
    """A progress bar on stderr while command rules run: how many are done, the time
    since they started, and the rule running (the first, when `--jobs` runs several)."""

    def __init__(self, color: bool) -> None:
        import threading

        from engine.progress_bar import progress_bar

        self._progress = progress_bar("running commands", color, description=True)
        self._task: TaskID | None = None
        self._running: list[str] = []  # rule ids, in the order they started
        self._lock = threading.Lock()  # rules start and end on the pool's threads

    def start(self, total: int) -> None:
        self._task = self._progress.add_task("", total=total)
        self._progress.start()

    def running(self, rule: str) -> None:
        with self._lock:
            self._running.append(rule)
            self._show(advance=0)

    def advance(self, result: RuleResult) -> None:
        with self._lock:
            if result.rule in self._running:
                self._running.remove(result.rule)
            self._show(advance=1)

    def _show(self, advance: int) -> None:
        if self._task is None:
            return
        description = ""
        if self._running:
            description = _line(self._running[0])
            if len(self._running) > 1:
                description += f" (+{len(self._running) - 1} more)"
        from rich.markup import escape  # the column reads markup: a rule id is shown as written

        self._progress.update(self._task, advance=advance, description=escape(description))

    def stop(self) -> None:
        self._progress.stop()
