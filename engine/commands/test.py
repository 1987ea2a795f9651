"""`policy test PACK_DIR`: run a pack's fixtures and report mismatches and rule coverage."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from engine.errors import InputError
from engine.packtest.build import GIT_LOCATION_VARIABLES
from engine.packtest.run import (
    SHOWN_FINDINGS,
    CaseOutcome,
    PackTestReport,
    finding_text,
    run_pack_tests,
)
from engine.printable import echo


def run(target: Path, cases: Sequence[str] = (), min_coverage: float = 0.0) -> int:
    """Print each case's verdict, every mismatch and the coverage; 0 ok, 1 failed."""
    if not 0.0 <= min_coverage <= 100.0:
        raise InputError(f"--min-coverage {min_coverage:g}: expected a percentage from 0 to 100")
    # Run from a git hook, these would send the fixtures' git commands (listing
    # files for the evaluation) to the repository of the hook instead.
    for variable in GIT_LOCATION_VARIABLES:
        os.environ.pop(variable, None)
    report = run_pack_tests(target, cases)
    pack = report.pack
    echo(
        f"{pack.name} {pack.version}: {len(report.outcomes)} case(s), "
        f"{len(pack.rules)} rule(s) ({pack.path})"
    )
    if shutil.which("git") is None:
        echo("note: git is not installed; fixtures were evaluated as plain folders")
    for outcome in report.outcomes:
        _print_case(outcome)
    too_low = _print_coverage(report, min_coverage, partial=bool(cases))
    failed = report.mismatches > 0 or too_low
    verdict = "FAILED" if failed else "ok"
    reasons = []
    if report.mismatches:
        reasons.append(f"{report.mismatches} mismatch(es)")
    if too_low:
        reasons.append(f"coverage {report.coverage.percent:g}% is below {min_coverage:g}%")
    echo(f"result: {verdict}" + (f" ({', '.join(reasons)})" if reasons else ""))
    return 1 if failed else 0


def _print_case(outcome: CaseOutcome) -> None:
    case = outcome.case
    failed = len(outcome.mismatches) + bool(outcome.level_mismatch)
    if not failed:
        echo(f"  ok    {case.name} ({outcome.checked} expectation(s))")
        return
    echo(f"  FAIL  {case.name} ({failed} of {outcome.checked} expectation(s) not met)")
    if case.description:
        echo(f"        {case.description.strip()}")
    if outcome.level_mismatch:
        blocking = ", ".join(outcome.level_blocking) or "nothing"
        echo(
            f"        level: {outcome.level_mismatch}; the next level needs {blocking} "
            f"({case.level_location})"
        )
    for mismatch in outcome.mismatches:
        where = mismatch.expectation.location
        echo(f"        {mismatch.expectation.rule}: {mismatch.why} ({where})")
        result = mismatch.result
        if result is None:
            continue
        if result.message:
            echo(f"          message: {result.message.splitlines()[0]}")
        texts = list(finding_text(result))
        for text in texts[:SHOWN_FINDINGS]:
            echo(f"          - {text.splitlines()[0]}")
        if len(texts) > SHOWN_FINDINGS:
            echo(f"          ... {len(texts) - SHOWN_FINDINGS} more finding(s)")


def _print_coverage(report: PackTestReport, min_coverage: float, partial: bool) -> bool:
    """Print rule coverage; True when it is below `min_coverage`."""
    coverage = report.coverage
    scope = " (only the selected cases)" if partial else ""
    echo(
        f"coverage: {len(coverage.covered)} of {len(coverage.rules)} rule(s) seen passing, "
        f"failing and, where they can, skipping ({coverage.percent:g}%"
        f"{' of rules and levels' if coverage.levels else ''}){scope}"
    )
    lacking: dict[str, list[str]] = {}
    for rule in coverage.rules:
        lacks = coverage.missing(rule)
        if lacks:
            lacking.setdefault(lacks, []).append(rule)
    for lacks, rules in lacking.items():
        echo(f"  not covered, {lacks} ({len(rules)}): {', '.join(rules)}")
    if coverage.levels:
        proven = len(coverage.levels) - len(coverage.unproven_levels)
        echo(f"levels: {proven} of {len(coverage.levels)} proven by a case at that level")
        if coverage.unproven_levels:
            echo(
                f"  not proven ({len(coverage.unproven_levels)}): "
                + ", ".join(coverage.unproven_levels)
            )
    return coverage.percent < min_coverage
