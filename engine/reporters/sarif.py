"""`--format sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run. `tool.driver` is rulepack, with one reporting descriptor per rule of
the report (title, remediation as full description and help, docs as helpUri,
severity as the default level). Each finding of a failed rule is one result,
located by a URI relative to the snapshot root (`originalUriBaseIds.SRCROOT`).
Code scanning refuses a result without a location, so a finding that names no
file (a required file is missing, a program failed) points at the file its
rule names outright (`README.md` of `exists: [README.md]`), else at the repo
config in the snapshot (`.rulepack.yaml`), else at the snapshot root (`.`).
A finding a waiver covers (and each of a waived rule) is a result too, with
`suppressions: [{kind: external, status: accepted, justification: REASON}]`:
viewers list it as dismissed, and the exception stays on record.

A rule that could not be evaluated is not a result: SARIF's result kinds say
what a rule found (`fail`, `pass`, `notApplicable`...), and none means "the
check could not run". The spec's place for that is a tool execution
notification of level `error` on the invocation, tied to the rule by
`associatedRule`; consumers then know the results may be incomplete (SARIF
2.1.0, §3.20.21 and appendix I). The invocation itself succeeded: rulepack ran
to its end.

Passed and skipped rules are not written as results: code-scanning viewers
would list them as alerts. Nothing depends on time or on the machine beyond
the snapshot root the report holds.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any, TextIO
from urllib.parse import quote

from engine.model.results import Finding, Report, RuleResult
from engine.model.waivers import Waiver
from engine.printable import json_safe
from engine.reporters import ReportOptions

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: The uriBaseId every artifact location is relative to: the snapshot root.
ROOT_ID = "SRCROOT"

_ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"]+")

#: rulepack severity -> SARIF level (SARIF has no "info"; its lowest problem level is "note")
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def root_uri(root: str) -> str:
    """The snapshot root as a `file:` URI ending in a slash, as originalUriBaseIds requires."""
    path = PurePosixPath(root)
    uri = path.as_uri() if path.is_absolute() else quote(root)
    return uri if uri.endswith("/") else uri + "/"


def artifact_uri(path: str) -> str:
    """A snapshot path as a relative URI reference: spaces, `#`, `%` and `?` percent-encoded."""
    return quote(path, safe="/")


def rule_ids(results: tuple[RuleResult, ...]) -> dict[tuple[str, str], str]:
    """(pack, rule) -> descriptor id: the rule id, or `pack/rule` where two packs share it."""
    packs_of: dict[str, set[str]] = {}
    for result in results:
        packs_of.setdefault(result.rule, set()).add(result.pack)
    return {
        (r.pack, r.rule): r.rule if len(packs_of[r.rule]) == 1 else f"{r.pack}/{r.rule}"
        for r in results
    }


def _descriptor(result: RuleResult, rule_id: str) -> dict[str, Any]:
    title = result.title or result.rule
    remediation = result.remediation.strip()
    descriptor: dict[str, Any] = {
        "id": rule_id,
        "shortDescription": {"text": title},
        # GitHub requires non-empty full description and help: fall back to the title.
        "fullDescription": {"text": remediation or title},
        "help": {"text": remediation or title},
    }
    if _ABSOLUTE_URI.fullmatch(result.docs):
        descriptor["helpUri"] = result.docs
    elif result.docs:  # not a URI (helpUri must be one): keep it readable in the help
        descriptor["help"] = {"text": f"{descriptor['help']['text']}\n\nDocs: {result.docs}"}
    descriptor["defaultConfiguration"] = {"level": LEVELS[result.severity]}
    descriptor["properties"] = {
        "pack": result.pack,
        "category": result.category,
        "severity": result.severity,
        "tags": [result.category, *result.tags],
    }
    return descriptor


def _location(finding: Finding) -> dict[str, Any] | None:
    if not finding.path:
        return None
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": artifact_uri(finding.path), "uriBaseId": ROOT_ID}
    }
    if finding.line and finding.line > 0:
        physical["region"] = {"startLine": finding.line}
    return {"physicalLocation": physical}


def fallback_path(report: Report, result: RuleResult) -> str:
    """Where a finding of `result` that names no file points: the file the rule names,
    else the repo config in the snapshot, else the snapshot root (`.`)."""
    return result.subject or report.config_file or "."


def _results(report: Report, result: RuleResult, rule_id: str, index: int) -> list[dict[str, Any]]:
    # A failure without findings (a required file that is missing) is still one result.
    findings = result.findings or (Finding(result.message or result.title),)
    fallback = Finding("", fallback_path(report, result))
    out = []
    for finding in findings:
        entry: dict[str, Any] = {
            "ruleId": rule_id,
            "ruleIndex": index,
            "kind": "fail",
            "level": LEVELS[result.severity],
            "message": {"text": finding.message or result.message or result.title},
            "locations": [_location(finding) or _location(fallback)],
        }
        if finding.document is not None:
            entry["properties"] = {"document": finding.document}
        if finding.baseline is not None:  # with --baseline / --new-since
            entry["baselineState"] = "unchanged" if finding.baseline == "known" else "new"
        waiver = finding.waived or result.waived
        if waiver is not None:
            entry["suppressions"] = [suppression(waiver)]
        out.append(entry)
    return out


def suppression(waiver: Waiver) -> dict[str, Any]:
    """A waiver as SARIF says a result was accepted by someone outside the code (§3.35)."""
    return {"kind": "external", "status": "accepted", "justification": waiver.reason}


def _notification(result: RuleResult, rule_id: str, index: int) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": "error",
        "message": {"text": result.reason or result.message or "could not be evaluated"},
        "associatedRule": {"id": rule_id, "index": index},
    }
    locations = [loc for loc in map(_location, result.findings) if loc is not None]
    if locations:
        notification["locations"] = locations
    return notification


def to_dict(report: Report) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log (plain JSON data)."""
    ids = rule_ids(report.results)
    descriptors: list[dict[str, Any]] = []
    index_of: dict[str, int] = {}
    for result in report.results:
        rule_id = ids[(result.pack, result.rule)]
        if rule_id not in index_of:
            index_of[rule_id] = len(descriptors)
            descriptors.append(_descriptor(result, rule_id))
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for result in report.results:
        rule_id = ids[(result.pack, result.rule)]
        if result.status in ("fail", "waived"):  # waived ones carry their suppressions
            results.extend(_results(report, result, rule_id, index_of[rule_id]))
        elif result.status == "error":
            notifications.append(_notification(result, rule_id, index_of[rule_id]))
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "rulepack",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "rules": descriptors,
            }
        },
        "invocations": [invocation],
        "originalUriBaseIds": {ROOT_ID: {"uri": root_uri(report.snapshot.root)}},
        "results": results,
        "properties": {
            "packs": [{"name": p.name, "version": p.version} for p in report.packs],
            "snapshot": {
                "kind": report.snapshot.kind,
                "ref": report.snapshot.ref,
                "commit": report.snapshot.commit,
            },
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(report: Report, out: TextIO, options: ReportOptions) -> None:
    out.write(json_safe(json.dumps(to_dict(report), indent=2, ensure_ascii=False)) + "\n")
