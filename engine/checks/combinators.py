"""`all`, `any` and `not`: checks made of checks.

all: [check, ...]   fails if any fails; otherwise errors if any errors,
                    skips if any skips, passes if all pass
any: [check, ...]   passes if any passes; otherwise errors, skips or fails
not: check          pass and fail swap; skip and error stay
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from engine.checks.kind import CheckKind
from engine.checks.reader import PackReader
from engine.context import EvaluationContext
from engine.model.documents import KeyPath
from engine.model.packs import Check
from engine.model.results import Finding, Note, Outcome, errored, failed, passed, skipped


@dataclass(frozen=True)
class AllCheck(Check):
    """`all`: every check holds."""

    kind: ClassVar[str] = "all"
    checks: tuple[Check, ...]

    def children(self) -> tuple[Check, ...]:
        return self.checks


@dataclass(frozen=True)
class AnyCheck(Check):
    """`any`: at least one check holds."""

    kind: ClassVar[str] = "any"
    checks: tuple[Check, ...]

    def children(self) -> tuple[Check, ...]:
        return self.checks


@dataclass(frozen=True)
class NotCheck(Check):
    """`not`: the check does not hold."""

    kind: ClassVar[str] = "not"
    check: Check

    def children(self) -> tuple[Check, ...]:
        return (self.check,)


def _parse_list(raw: Any, path: KeyPath, reader: PackReader) -> tuple[Check, ...]:
    if not isinstance(raw, list) or not raw:
        reader.problem(path, f"`{path[-1]}` takes a non-empty list of checks")
        return ()
    return tuple(reader.check(item, (*path, i)) for i, item in enumerate(raw))


def parse_all(raw: Any, path: KeyPath, reader: PackReader) -> AllCheck:
    return AllCheck(_parse_list(raw, path, reader))


def parse_any(raw: Any, path: KeyPath, reader: PackReader) -> AnyCheck:
    return AnyCheck(_parse_list(raw, path, reader))


def parse_not(raw: Any, path: KeyPath, reader: PackReader) -> NotCheck:
    return NotCheck(reader.check(raw, path))


def _merge(outcomes: list[Outcome]) -> tuple[tuple[Finding, ...], tuple[Note, ...]]:
    return (
        tuple(f for o in outcomes for f in o.findings),
        tuple(n for o in outcomes for n in o.notes),
    )


def _skipped_as(skip: Outcome, notes: tuple[Note, ...]) -> Outcome:
    """A combination skipped for the reason (and kind) one of its parts was."""
    return skipped(skip.message, notes, skip.skip or "nothing-to-judge")


def evaluate_all(check: AllCheck, context: EvaluationContext) -> Outcome:
    outcomes = [context.evaluate(c) for c in check.checks]
    findings, notes = _merge(outcomes)
    by_status = {o.status: o for o in reversed(outcomes)}  # first outcome of each status
    if "fail" in by_status:
        failures = [o for o in outcomes if o.status == "fail"]
        return failed("; ".join(o.message for o in failures), findings, notes)
    if "error" in by_status:
        return errored(by_status["error"].message, findings, notes)
    if "skip" in by_status:
        return _skipped_as(by_status["skip"], notes)
    return passed("; ".join(o.message for o in outcomes if o.message), notes)


def evaluate_any(check: AnyCheck, context: EvaluationContext) -> Outcome:
    outcomes: list[Outcome] = []
    for sub in check.checks:
        outcome = context.evaluate(sub)
        if outcome.status == "pass":  # short-circuit: later alternatives need not run
            return outcome
        outcomes.append(outcome)
    findings, notes = _merge(outcomes)
    statuses = {o.status: o for o in reversed(outcomes)}
    if "error" in statuses:
        return errored(statuses["error"].message, findings, notes)
    if "skip" in statuses:
        return _skipped_as(statuses["skip"], notes)
    return failed(
        "none of the alternatives holds: " + "; ".join(o.message for o in outcomes), findings, notes
    )


def evaluate_not(check: NotCheck, context: EvaluationContext) -> Outcome:
    outcome = context.evaluate(check.check)
    if outcome.status == "pass":
        message = f"expected not to hold, but it does: {outcome.message}"
        return failed(message, [Finding(message)], outcome.notes)
    if outcome.status == "fail":
        return passed(f"does not hold: {outcome.message}", outcome.notes)
    return outcome


ALL = CheckKind(AllCheck, parse_all, evaluate_all)
ANY = CheckKind(AnyCheck, parse_any, evaluate_any)
NOT = CheckKind(NotCheck, parse_not, evaluate_not)
