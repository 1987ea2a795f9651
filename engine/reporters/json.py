"""`--format json`: the report as schemas/report.schema.json describes it.

Keys are written in a fixed order and nothing depends on time or on the
machine except `duration_ms`, so the same inputs give byte-identical output
apart from timings.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from engine.model.results import Counts, Finding, Note, Report, RuleResult

if TYPE_CHECKING:
    from engine.reporters import ReportOptions

SCHEMA_ID = "rulepack/report/v1"


def _counts(counts: Counts) -> dict[str, Any]:
    return {
        "total": counts.total,
        "passed": counts.passed,
        "failed": counts.failed,
        "skipped": counts.skipped,
        "errored": counts.errored,
        "success_rate": counts.success_rate,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "path": finding.path,
        "line": finding.line,
        "document": finding.document,
        "message": finding.message,
    }
    if finding.baseline is not None:  # only with --baseline / --new-since
        data["baseline"] = finding.baseline
    return data


def _note(note: Note) -> dict[str, Any]:
    return {"path": note.path, "message": note.message}


def _result(result: RuleResult) -> dict[str, Any]:
    data = {
        "rule": result.rule,
        "pack": result.pack,
        "category": result.category,
        "severity": result.severity,
        "status": result.status,
        "title": result.title,
        "message": result.message,
        "remediation": result.remediation,
        "docs": result.docs,
        "reason": result.reason,
        "tags": list(result.tags),
        "findings": [_finding(f) for f in result.findings],
        "notes": [_note(n) for n in result.notes],
        "duration_ms": result.duration_ms,
    }
    if result.baseline is not None:  # only with --baseline / --new-since
        data["baseline"] = result.baseline
    return data


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


def to_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON data."""
    summary = report.summary
    overall = _counts(summary.overall)
    success_rate = overall.pop("success_rate")
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": "rulepack", "version": report.tool_version},
        "snapshot": {
            "kind": report.snapshot.kind,
            "root": report.snapshot.root,
            "ref": report.snapshot.ref,
            "commit": report.snapshot.commit,
        },
        "packs": [
            {"name": p.name, "version": p.version, "source": p.source, "path": p.path}
            for p in report.packs
        ],
        "categories": [{"id": c.id, "title": c.title, "pack": c.pack} for c in report.categories],
        "summary": {
            **overall,
            "waived": summary.waived,
            "by_severity": dict(summary.by_severity),
            "success_rate": success_rate,
            "by_category": {cid: _counts(c) for cid, c in summary.by_category.items()},
            **_baseline(report),
        },
        "results": [_result(r) for r in report.results],
    }


def render(report: Report, out: TextIO, options: ReportOptions) -> None:
    json.dump(to_dict(report), out, indent=2, ensure_ascii=False)
    out.write("\n")
