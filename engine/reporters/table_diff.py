"""`policy diff --format table`: what got worse, what got better, and the verdict, as text.

Plain lines for a terminal or a CI log (no colour): each rule whose status
moved or whose findings changed, with `+` new and `-` fixed findings; the
rules that did not change only when `--show` names their status. Text
from the report is shown `printable` (engine/printable.py), one line each.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from engine.model.diff import Diff, RuleChange
from engine.model.results import Finding
from engine.model.snapshots import SnapshotInfo
from engine.printable import printable
from engine.reporters import ReportOptions
from engine.reporters.common import place, waivers_section


def describe(info: SnapshotInfo) -> str:
    """How a snapshot is named in the text output."""
    if info.kind == "ref":
        return f"{printable(info.ref or '', newlines=False)} ({(info.commit or '')[:12]})"
    if info.kind == "staged":
        return "the index (--staged)"
    return "the working tree"


def _line(finding: Finding) -> str:
    where = printable(place(finding), newlines=False)
    first = printable((finding.message.splitlines() or [""])[0], newlines=False)
    return f"{where}: {first}" if where else first


def _status(change: RuleChange) -> str:
    before = change.before.status if change.before else "(absent)"
    after = change.after.status if change.after else "(absent)"
    return after if before == after else f"{before} → {after}"


def _section(
    title: str, changes: Sequence[RuleChange], out: TextIO, unchanged: bool = False
) -> None:
    """The changes under `title`, each with its new and fixed findings (and, with
    `unchanged`, those in both runs, marked `=`)."""
    if not changes:
        return
    out.write(f"\n{title}\n")
    for change in changes:
        record = change.record
        rule, title = (printable(text, newlines=False) for text in (record.rule, record.title))
        out.write(f"  {rule}  {title}  [{record.severity}]  {_status(change)}\n")
        for finding in change.findings.new:
            out.write(f"      + {_line(finding)}\n")
        for finding in change.findings.fixed:
            out.write(f"      - {_line(finding)}\n")
        for finding in change.findings.unchanged if unchanged else ():
            out.write(f"      = {_line(finding)}\n")


def section(change: RuleChange) -> str | None:
    """Where the text output lists a change: worse, better, other, or nowhere."""
    if change.regressed():
        return "worse"
    if change.change == "better" or change.findings.fixed:
        return "better"
    return None if change.change == "same" else "other"


def _waivers(diff: Diff, out: TextIO) -> None:
    """The exceptions HEAD adds or extends: a reviewer should see every one."""
    if not diff.waivers:
        return
    out.write("\nWaivers added or extended:\n")
    for use, text in waivers_section(diff):
        was = f" (was {use.previous_expires.isoformat()})" if use.previous_expires else ""
        out.write(f"  {printable(text, newlines=False)}{was}\n")


def render_diff(diff: Diff, out: TextIO, options: ReportOptions) -> None:
    """The diff for a terminal or a log: what got worse, what got better, a verdict."""
    out.write(
        f"rulepack {diff.tool_version} diff · {describe(diff.base)} → {describe(diff.head)}\n"
    )
    placed: dict[str | None, list[RuleChange]] = {}
    for change in diff.changes:
        placed.setdefault(section(change), []).append(change)
    _section("Got worse (+ new findings):", placed.get("worse", []), out)
    _section("Got better (- fixed findings):", placed.get("better", []), out)
    _section("Other status changes:", placed.get("other", []), out)
    show = options.show or frozenset()
    same = [c for c in placed.get(None, []) if c.after and c.after.status in show]
    _section("Unchanged (= findings in both):", same, out, unchanged=True)
    _waivers(diff, out)
    counts = diff.summary
    out.write(
        f"\nSummary: findings {counts.new_findings} new, {counts.fixed_findings} fixed, "
        f"{counts.unchanged_findings} unchanged · rules {len(placed.get('worse', []))} "
        f"worse, {len(placed.get('better', []))} better, {len(placed.get('other', []))} "
        "otherwise changed\n"
    )
    if diff.got_worse:
        out.write(f"Verdict: worse at --fail-on {diff.fail_on}\n")
    else:
        out.write(f"Verdict: nothing got worse at --fail-on {diff.fail_on}\n")
