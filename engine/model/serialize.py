"""The report and the diff as plain JSON data, and a report's results read back.

One place for both directions: `--format json` writes what `report_to_data`
returns (schemas/report.schema.json), and `eval --baseline REPORT.json` reads
it back with `results_from_data`, so the two cannot drift apart. Keys are in a
fixed order and nothing depends on time or the machine except `duration_ms`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.model.diff import Diff
from engine.model.results import (
    Counts,
    Finding,
    Note,
    PackInfo,
    Report,
    RuleResult,
    Summary,
)
from engine.model.snapshots import SnapshotInfo
from engine.model.teststats import TestStats
from engine.model.waivers import Waiver, WaiverUse

REPORT_SCHEMA_ID = "rulepack/report/v1"
DIFF_SCHEMA_ID = "rulepack/diff/v1"


def _counts(counts: Counts) -> dict[str, Any]:
    return {
        "total": counts.total,
        "passed": counts.passed,
        "failed": counts.failed,
        "skipped": counts.skipped,
        "errored": counts.errored,
        "waived": counts.waived,
        "success_rate": counts.success_rate,
        "score": counts.score,
    }


def waiver_mark(waiver: Waiver) -> dict[str, Any]:
    """What a waived result or finding says of the waiver that covers it."""
    return {
        "reason": waiver.reason,
        "owner": waiver.owner,
        "expires": waiver.expires.isoformat(),
        "ticket": waiver.ticket,
    }


def waiver_entry(waiver: Waiver) -> dict[str, Any]:
    """A waiver as the config has it, and where."""
    return {
        "rule": waiver.rule,
        "paths": list(waiver.paths),
        **waiver_mark(waiver),
        "source": waiver.where,
    }


def _waiver_use(use: WaiverUse, change: bool = True) -> dict[str, Any]:
    data = {**waiver_entry(use.waiver), "state": use.state}
    if use.change is not None and change:  # only with --new-since
        data["change"] = use.change
    if use.previous_expires is not None:
        data["previous_expires"] = use.previous_expires.isoformat()
    return data


def _finding(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "path": finding.path,
        "line": finding.line,
        "document": finding.document,
        "message": finding.message,
    }
    if finding.baseline is not None:  # only with --baseline / --new-since
        data["baseline"] = finding.baseline
    if finding.waived is not None:
        data["waived"] = waiver_mark(finding.waived)
    return data


def _result(result: RuleResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rule": result.rule,
        "pack": result.pack,
        "category": result.category,
        "severity": result.severity,
        "level": result.level,
        "weight": result.weight,
        "status": result.status,
        "title": result.title,
        "message": result.message,
        "remediation": result.remediation,
        "docs": result.docs,
        "reason": result.reason,
        "tags": list(result.tags),
        "findings": [_finding(f) for f in result.findings],
        "notes": [{"path": n.path, "message": n.message} for n in result.notes],
        "duration_ms": result.duration_ms,
    }
    if result.baseline is not None:  # only with --baseline / --new-since
        data["baseline"] = result.baseline
    if result.tests is not None:  # only `tests` rules that read reports
        data["tests"] = test_stats_to_data(result.tests)
    if result.waived is not None:
        data["waived"] = waiver_mark(result.waived)
    return data


def test_stats_to_data(stats: TestStats) -> dict[str, Any]:
    """A `tests` rule's statistics, as schemas/report.schema.json's `testStats`."""
    return {
        "tests": stats.tests,
        "passed": stats.passed,
        "failed": stats.failed,
        "errored": stats.errored,
        "skipped": stats.skipped,
        "flaky": stats.flaky,
        "success_rate": stats.success_rate,
        "duration_s": stats.seconds,
        "reports": list(stats.reports),
        "failure_groups": [
            {"message": g.message, "count": g.count, "tests": list(g.tests)}
            for g in stats.failure_groups
        ],
        "slowest": [{"name": t.name, "duration_s": t.seconds} for t in stats.slowest],
    }


def _baseline(report: Report) -> dict[str, Any]:
    info = report.baseline
    if info is None:
        return {}
    return {
        "baseline": {
            "source": info.source,
            "new_findings": info.new_findings,
            "known_findings": info.known_findings,
            "new_results": info.new_results,
            "known_results": info.known_results,
        }
    }


def _pack(pack: PackInfo) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": pack.name,
        "version": pack.version,
        "source": pack.source,
        "path": pack.path,
        "digest": pack.digest,
    }
    if pack.levels:  # only a pack that declares levels
        data["levels"] = [
            {"id": lv.id, "title": lv.title, "description": lv.description} for lv in pack.levels
        ]
    return data


def snapshot_to_data(info: SnapshotInfo) -> dict[str, Any]:
    return {"kind": info.kind, "root": info.root, "ref": info.ref, "commit": info.commit}


def summary_to_data(summary: Summary) -> dict[str, Any]:
    """The summary as the JSON report has it (without `baseline`); the results store keeps
    the same."""
    overall = _counts(summary.overall)
    success_rate = overall.pop("success_rate")
    waived = overall.pop("waived")
    score = overall.pop("score")
    return {
        **overall,
        "waived": waived,
        "by_severity": dict(summary.by_severity),
        "success_rate": success_rate,
        "score": score,
        "by_category": {cid: _counts(c) for cid, c in summary.by_category.items()},
        "levels": {
            pack: {"achieved": s.achieved, "next": s.next, "blocking": list(s.blocking)}
            for pack, s in summary.levels.items()
        },
    }


def report_to_data(report: Report) -> dict[str, Any]:
    """The report as schemas/report.schema.json describes it."""
    return {
        "schema": REPORT_SCHEMA_ID,
        "tool": {"name": "rulepack", "version": report.tool_version},
        "snapshot": snapshot_to_data(report.snapshot),
        "packs": [_pack(p) for p in report.packs],
        "categories": [{"id": c.id, "title": c.title, "pack": c.pack} for c in report.categories],
        "summary": {**summary_to_data(report.summary), **_baseline(report)},
        "results": [_result(r) for r in report.results],
        "waivers": [_waiver_use(use) for use in report.waivers],
    }


def results_from_data(data: Mapping[str, Any]) -> tuple[RuleResult, ...]:
    """The results of a report that `report_to_data` wrote (and the schema validated)."""
    return tuple(_result_from(item) for item in data["results"])


def _result_from(item: Mapping[str, Any]) -> RuleResult:
    return RuleResult(
        rule=item["rule"],
        pack=item["pack"],
        category=item["category"],
        severity=item["severity"],
        status=item["status"],
        title=item["title"],
        message=item["message"],
        remediation=item["remediation"],
        docs=item["docs"],
        reason=item["reason"],
        findings=tuple(
            Finding(f["message"], f["path"], f["line"], f["document"], f.get("baseline"))
            for f in item["findings"]
        ),
        notes=tuple(Note(n["path"], n["message"]) for n in item["notes"]),
        tags=tuple(item["tags"]),
        duration_ms=item["duration_ms"],
        baseline=item.get("baseline"),
        level=item.get("level"),
        weight=item.get("weight", 1),
    )


def _findings(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    return [
        {"path": f.path, "line": f.line, "document": f.document, "message": f.message}
        for f in findings
    ]


def diff_to_data(diff: Diff) -> dict[str, Any]:
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
    counts = diff.summary
    return {
        "schema": DIFF_SCHEMA_ID,
        "tool": {"name": "rulepack", "version": diff.tool_version},
        "base": snapshot_to_data(diff.base),
        "head": snapshot_to_data(diff.head),
        "fail_on": diff.fail_on,
        "summary": {
            "new_findings": counts.new_findings,
            "fixed_findings": counts.fixed_findings,
            "unchanged_findings": counts.unchanged_findings,
            "worse": counts.worse,
            "better": counts.better,
            "changed": counts.changed,
            "got_worse": diff.got_worse,
        },
        "rules": rules,
        "waivers": {
            change: [_waiver_use(u, change=False) for u in diff.waivers if u.change == change]
            for change in ("added", "extended")
        },
    }
