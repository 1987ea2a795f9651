"""`policy diff BASE [HEAD]`: what got better or worse between two snapshots.

Both snapshots are evaluated with the same options and by the same rules:
the packs and config as HEAD has them (the working tree when HEAD is not
given, the index with `--staged`). A rule added or tightened in HEAD is thus
also applied to BASE, so every difference reported comes from the files.
Findings are matched by rule, path and message (engine/baseline.py).

Exit status 1 only when something got worse at or above `--fail-on`: a rule
that fails or errors now and did not, or a failing rule with new findings.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, TextIO

from engine import __version__
from engine.baseline import RuleChange, compare, records
from engine.commands.eval import EvalRequest, evaluate_workspace, load_workspace
from engine.errors import InputError
from engine.results import FailOn, Finding
from engine.snapshots import open_snapshot
from engine.snapshots.base import SnapshotInfo

SCHEMA_ID = "rulepack/diff/v1"
FORMATS = ("table", "json")


@dataclass(frozen=True)
class DiffRequest:
    base: str  # a ref
    head: str | None = None  # a ref; None: the working tree, or the index with --staged
    evaluation: EvalRequest = field(default_factory=EvalRequest)  # path, packs, output…


@dataclass(frozen=True)
class Diff:
    """Two runs side by side."""

    base: SnapshotInfo
    head: SnapshotInfo
    fail_on: FailOn
    changes: tuple[RuleChange, ...]

    @property
    def got_worse(self) -> bool:
        return any(change.got_worse(self.fail_on) for change in self.changes)


def run(request: DiffRequest) -> int:
    """Evaluate BASE and HEAD, write what changed, return 1 when something got worse."""
    options = request.evaluation
    format_name = options.format or "table"
    if format_name not in FORMATS:
        raise InputError(f"diff: unknown format {format_name!r} (one of: {', '.join(FORMATS)})")
    if request.head is not None and options.staged:
        raise InputError("diff: give HEAD or --staged, not both")
    with ExitStack() as stack:
        head = open_snapshot(options.path, request.head, options.staged, ref_option="HEAD")
        stack.callback(head.close)
        base = open_snapshot(options.path, request.base, ref_option="BASE")
        stack.callback(base.close)
        workspace, fail_on = load_workspace(head, options)
        after = evaluate_workspace(workspace, head, options)
        before = evaluate_workspace(workspace, base, options)
    changes = compare(records(before.results), records(after.results))
    diff = Diff(before.snapshot, after.snapshot, fail_on, tuple(changes))
    render = render_json if format_name == "json" else render_text
    if options.output is None:
        render(diff, sys.stdout)
    else:
        try:
            with options.output.open("w", encoding="utf-8", newline="\n") as out:
                render(diff, out)
        except OSError as exc:
            raise InputError(f"cannot write {options.output}: {exc.strerror or exc}") from None
    return 1 if diff.got_worse else 0


# -- JSON ----------------------------------------------------------------------------


def _snapshot(info: SnapshotInfo) -> dict[str, Any]:
    return {"kind": info.kind, "root": info.root, "ref": info.ref, "commit": info.commit}


def _findings(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    return [
        {"path": f.path, "line": f.line, "document": f.document, "message": f.message}
        for f in findings
    ]


def to_dict(diff: Diff) -> dict[str, Any]:
    """The diff as schemas/diff.schema.json describes it."""
    rules = []
    for change in diff.changes:
        record = change.record
        rules.append(
            {
                "rule": record.rule,
                "pack": record.pack,
                "category": record.category,
                "severity": record.severity,
                "title": record.title,
                "before": change.before.status if change.before else None,
                "after": change.after.status if change.after else None,
                "change": change.change,
                "got_worse": change.got_worse(diff.fail_on),
                "new": _findings(change.findings.new),
                "fixed": _findings(change.findings.fixed),
                "unchanged": _findings(change.findings.unchanged),
            }
        )
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": "rulepack", "version": __version__},
        "base": _snapshot(diff.base),
        "head": _snapshot(diff.head),
        "fail_on": diff.fail_on,
        "summary": summary(diff),
        "rules": rules,
    }


def summary(diff: Diff) -> dict[str, Any]:
    """Counts of findings and of status changes."""
    changes = [c.change for c in diff.changes]
    return {
        "new_findings": sum(len(c.findings.new) for c in diff.changes),
        "fixed_findings": sum(len(c.findings.fixed) for c in diff.changes),
        "unchanged_findings": sum(len(c.findings.unchanged) for c in diff.changes),
        "worse": changes.count("worse"),
        "better": changes.count("better"),
        "changed": changes.count("changed"),
        "got_worse": diff.got_worse,
    }


def render_json(diff: Diff, out: TextIO) -> None:
    json.dump(to_dict(diff), out, indent=2, ensure_ascii=False)
    out.write("\n")


# -- text ----------------------------------------------------------------------------


def describe(info: SnapshotInfo) -> str:
    """How a snapshot is named in the text output."""
    if info.kind == "ref":
        return f"{info.ref} ({(info.commit or '')[:12]})"
    if info.kind == "staged":
        return "the index (--staged)"
    return "the working tree"


def _place(finding: Finding) -> str:
    place = finding.path or ""
    if finding.path and finding.line:
        place += f":{finding.line}"
    first = (finding.message.splitlines() or [""])[0]
    return f"{place}: {first}" if place else first


def _status(change: RuleChange) -> str:
    before = change.before.status if change.before else "(absent)"
    after = change.after.status if change.after else "(absent)"
    return after if before == after else f"{before} → {after}"


def _section(title: str, changes: Sequence[RuleChange], out: TextIO) -> None:
    if not changes:
        return
    out.write(f"\n{title}\n")
    for change in changes:
        record = change.record
        out.write(f"  {record.rule}  {record.title}  [{record.severity}]  {_status(change)}\n")
        for finding in change.findings.new:
            out.write(f"      + {_place(finding)}\n")
        for finding in change.findings.fixed:
            out.write(f"      - {_place(finding)}\n")


def section(change: RuleChange) -> str | None:
    """Where the text output lists a change: worse, better, other, or nowhere."""
    if change.regressed():
        return "worse"
    if change.change == "better" or change.findings.fixed:
        return "better"
    return None if change.change == "same" else "other"


def render_text(diff: Diff, out: TextIO) -> None:
    """The diff for a terminal or a log: what got worse, what got better, a verdict."""
    out.write(f"rulepack {__version__} diff · {describe(diff.base)} → {describe(diff.head)}\n")
    placed: dict[str | None, list[RuleChange]] = {}
    for change in diff.changes:
        placed.setdefault(section(change), []).append(change)
    _section("Got worse (+ new findings):", placed.get("worse", []), out)
    _section("Got better (- fixed findings):", placed.get("better", []), out)
    _section("Other status changes:", placed.get("other", []), out)
    counts = summary(diff)
    out.write(
        f"\nSummary: findings {counts['new_findings']} new, {counts['fixed_findings']} fixed, "
        f"{counts['unchanged_findings']} unchanged · rules {len(placed.get('worse', []))} "
        f"worse, {len(placed.get('better', []))} better, {len(placed.get('other', []))} "
        "otherwise changed\n"
    )
    if diff.got_worse:
        out.write(f"Verdict: worse at --fail-on {diff.fail_on}\n")
    else:
        out.write(f"Verdict: nothing got worse at --fail-on {diff.fail_on}\n")
