"""Two runs compared: which findings are new, which were fixed, which are known.

A finding is identified by its rule, its path and its message, never its
line, so an edit above an old finding does not make it look new. Findings
with the same identity are matched as a multiset (three matches of a regex
where the baseline had two: one is new), pairing equal lines first so that
when nothing moved, the finding reported as new is the one that appeared.

Used by `policy diff` (two snapshots) and by `policy eval --baseline
REPORT.json` / `--new-since REV` (the current run against an earlier one).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from engine.errors import InputError
from engine.model.diff import FAILING, FindingsMatch, RuleChange, RuleRecord, regressed
from engine.model.results import BaselineInfo, Finding, Report, RuleResult
from engine.model.serialize import REPORT_SCHEMA_ID, results_from_data
from engine.texts import MAX_BASELINE_BYTES, BadText, read_input


def finding_identity(finding: Finding) -> tuple[str | None, str]:
    """What makes two findings of one rule the same finding: path and message."""
    return (finding.path, finding.message)


def match_findings(before: Sequence[Finding], after: Sequence[Finding]) -> FindingsMatch:
    """Pair the findings of one rule across two runs."""
    earlier, later = _pairs(before, after)
    return FindingsMatch(
        new=tuple(f for j, f in enumerate(after) if j not in later),
        fixed=tuple(f for i, f in enumerate(before) if i not in earlier),
        unchanged=tuple(f for j, f in enumerate(after) if j in later),
    )


def _pairs(before: Sequence[Finding], after: Sequence[Finding]) -> tuple[set[int], set[int]]:
    """Indexes of `before` and of `after` that pair up."""
    left: dict[tuple[str | None, str], list[int]] = {}
    for i, finding in enumerate(before):
        left.setdefault(finding_identity(finding), []).append(i)
    paired_before: set[int] = set()
    paired_after: set[int] = set()
    # Equal identity and equal line first, then equal identity in order.
    for same_line in (True, False):
        for j, finding in enumerate(after):
            if j in paired_after:
                continue
            for i in left.get(finding_identity(finding), ()):
                if i not in paired_before and (not same_line or before[i].line == finding.line):
                    paired_before.add(i)
                    paired_after.add(j)
                    break
    return paired_before, paired_after


def records(results: Iterable[RuleResult]) -> list[RuleRecord]:
    """The comparable part of a run's results."""
    return [
        RuleRecord(r.pack, r.rule, r.severity, r.status, r.findings, r.title, r.category)
        for r in results
    ]


def compare(before: Sequence[RuleRecord], after: Sequence[RuleRecord]) -> list[RuleChange]:
    """Every rule of either run, in the order of `after`, then rules only `before` had."""
    earlier = {record.key: record for record in before}
    later = {record.key: record for record in after}
    changes = []
    for record in after:
        old = earlier.get(record.key)
        found = match_findings(old.findings if old else (), record.findings)
        changes.append(RuleChange(old, record, found))
    for record in before:
        if record.key not in later:
            changes.append(RuleChange(record, None, FindingsMatch(fixed=record.findings)))
    return changes


# -- `eval --baseline` / `--new-since` ----------------------------------------------


def mark_known(report: Report, baseline: Sequence[RuleRecord], source: str) -> Report:
    """The report with each failing result and finding marked `new` or `known`.

    A result is known when the baseline had the same rule in the same status
    and every finding of it; only new results fail the run.
    """
    earlier = {record.key: record for record in baseline}
    results = []
    new_findings = known_findings = 0
    for result in report.results:
        if result.status not in FAILING:
            results.append(result)
            continue
        old = earlier.get((result.pack, result.rule))
        _, known = _pairs(old.findings if old else (), result.findings)
        findings = tuple(
            replace(f, baseline="known" if j in known else "new")
            for j, f in enumerate(result.findings)
        )
        new_findings += len(findings) - len(known)
        known_findings += len(known)
        is_new = regressed(old, result.status, len(known) < len(findings))
        mark: Literal["new", "known"] = "new" if is_new else "known"
        results.append(replace(result, findings=findings, baseline=mark))
    info = BaselineInfo(
        source=source,
        new_findings=new_findings,
        known_findings=known_findings,
        new_results=sum(1 for r in results if r.baseline == "new"),
        known_results=sum(1 for r in results if r.baseline == "known"),
    )
    return replace(report, results=tuple(results), baseline=info)


def load_baseline(path: Path) -> list[RuleRecord]:
    """The results of a rulepack JSON report file; InputError when it is not one."""
    try:
        text = read_input(path, MAX_BASELINE_BYTES)
    except OSError as exc:
        raise InputError(f"--baseline {path}: cannot read it: {exc.strerror or exc}") from None
    except BadText as exc:
        raise InputError(f"--baseline {path}: not a rulepack JSON report ({exc.message})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"--baseline {path}: not a rulepack JSON report (not JSON: {exc.msg} "
            f"at line {exc.lineno})"
        ) from None
    except RecursionError:
        raise InputError(
            f"--baseline {path}: not a rulepack JSON report (nested too deeply)"
        ) from None
    _check_report(data, path)
    return records(results_from_data(data))


def _check_report(data: Any, path: Path) -> None:
    schema = data.get("schema") if isinstance(data, Mapping) else None
    if schema != REPORT_SCHEMA_ID:
        found = f"schema {schema!r}" if schema is not None else "no `schema` key"
        raise InputError(
            f"--baseline {path}: not a rulepack JSON report ({found}; "
            f"expected {REPORT_SCHEMA_ID!r})"
        )
    from engine.schemas import validation_errors

    errors = validation_errors(data, "report")
    if errors:
        from jsonschema.exceptions import best_match

        error = best_match(errors)
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise InputError(
            f"--baseline {path}: not a valid rulepack report: {where}: {error.message}"
        )
