"""The evaluator: every rule of the loaded packs, over one snapshot, into a report."""

from __future__ import annotations

import difflib
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from engine import __version__
from engine.checks import evaluate_check
from engine.checks.condition import ConditionCheck
from engine.context import EvaluationContext, EvaluationOptions
from engine.errors import InputError, Problem
from engine.interrupts import result_of
from engine.model.messages import reword
from engine.model.packs import Check, Effect, Pack, Rule
from engine.model.results import (
    CategoryInfo,
    Outcome,
    PackInfo,
    Report,
    RuleResult,
    errored,
    skipped,
)
from engine.model.severity import FailOn
from engine.snapshots.base import Snapshot


@dataclass(frozen=True)
class Selection:
    """`--category`, `--rule` and `--tag`: a rule must match every filter given."""

    categories: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def why_not(self, rule: Rule) -> str | None:
        """Why a rule is filtered out, or None when it is selected."""
        if self.categories and rule.category not in self.categories:
            return "filtered out by --category"
        if self.rules and rule.id not in self.rules:
            return "filtered out by --rule"
        if self.tags and not set(rule.tags) & set(self.tags):
            return "filtered out by --tag"
        return None

    def problems(self, packs: Sequence[Pack]) -> list[Problem]:
        """Filters that name nothing in the packs: a typo would silently skip every rule."""
        rules = [rule for pack in packs for rule in pack.rules]
        known = {
            "--category": {c.id for pack in packs for c in pack.categories},
            "--rule": {rule.id for rule in rules},
            "--tag": {tag for rule in rules for tag in rule.tags},
        }
        asked = {"--category": self.categories, "--rule": self.rules, "--tag": self.tags}
        found = []
        for option, values in asked.items():
            for value in values:
                if value not in known[option]:
                    close = difflib.get_close_matches(value, sorted(known[option]), n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    found.append(Problem(f"{option} {value}: no evaluated pack has it{hint}"))
        return found


#: Effects whose rules wait on something outside rulepack (a program, the network): they
#: run after the others, up to `--jobs` at a time, each on its own thread.
CONCURRENT: frozenset[Effect] = frozenset({"runs-programs", "uses-network"})


class Progress(Protocol):
    """Told about command rules as they run (the table reporter draws a bar)."""

    def start(self, total: int) -> None: ...

    def advance(self, result: RuleResult) -> None: ...

    def stop(self) -> None: ...


def _outcome(rule: Rule, context: EvaluationContext) -> Outcome:
    if rule.when is not None:
        condition = context.evaluate(rule.when)
        if condition.status == "fail":
            return skipped(_not_applicable(rule.when, condition), kind="not-applicable")
        if condition.status == "skip":
            return skipped(condition.message, kind=condition.skip or "not-applicable")
        if condition.status == "error":
            return errored(
                f"condition could not be evaluated: {condition.message}",
                condition.findings,
                condition.notes,
            )
    return reword(context.evaluate(rule.check), rule.message)


def _not_applicable(when: Check, condition: Outcome) -> str:
    """The skip reason of a rule whose `when` does not hold: a named condition says its name."""
    if isinstance(when, ConditionCheck):
        detail = condition.message.splitlines()[0] if condition.message else ""
        reason = f"not applicable: condition {when.name!r} does not hold"
        return f"{reason} ({detail})" if detail and len(detail) <= 80 else reason
    return f"not applicable: {condition.message}"


def evaluate_rule(rule: Rule, context: EvaluationContext) -> RuleResult:
    """Evaluate one enabled, selected rule."""
    started = time.perf_counter()
    try:
        outcome = _outcome(rule, context)
    except Exception as exc:  # a bug in a check must not end the run; say what happened
        outcome = errored(f"internal error in rulepack: {type(exc).__name__}: {exc}")
    return to_result(rule, outcome, (time.perf_counter() - started) * 1000)


def to_result(rule: Rule, outcome: Outcome, duration_ms: float = 0.0) -> RuleResult:
    return RuleResult(
        rule=rule.id,
        pack=rule.pack,
        category=rule.category,
        severity=rule.severity,
        status=outcome.status,
        title=rule.title,
        message=outcome.message,
        remediation=rule.remediation,
        docs=rule.docs,
        reason=outcome.reason,
        findings=outcome.findings,
        notes=outcome.notes,
        tags=rule.tags,
        duration_ms=round(duration_ms, 3),
        skip=outcome.skip,
    )


def evaluate(
    packs: Sequence[Pack],
    snapshot: Snapshot,
    *,
    selection: Selection | None = None,
    options: EvaluationOptions | None = None,
    exclude: tuple[str, ...] = (),
    progress: Progress | None = None,
    fail_on: FailOn = "error",
) -> Report:
    """Evaluate every rule of `packs` over `snapshot`; results keep pack and rule order.

    `fail_on` is the level the report's verdict applies."""
    selection = selection or Selection()
    problems = selection.problems(packs)
    if problems:
        raise InputError(problems)
    options = options or EvaluationOptions()
    rules = [rule for pack in packs for rule in pack.rules]
    results: list[RuleResult | None] = [None] * len(rules)
    concurrent: list[int] = []
    static: list[int] = []
    with EvaluationContext(snapshot, evaluate_check, options, exclude) as context:
        for i, rule in enumerate(rules):
            if not rule.enabled:
                results[i] = to_result(
                    rule, skipped(rule.disabled_by or "disabled", kind="disabled")
                )
                continue
            reason = selection.why_not(rule)
            if reason:
                results[i] = to_result(rule, skipped(reason, kind="filtered-out"))
            elif rule.effects & CONCURRENT and not options.no_commands:
                concurrent.append(i)  # after the static rules, on up to --jobs threads
            else:
                static.append(i)
        # Rules that parse manifests go first: the files they read on several cores
        # are then in memory for the content rules, which read one file at a time.
        for i in sorted(static, key=lambda i: "parses-files" not in rules[i].effects):
            results[i] = evaluate_rule(rules[i], context)
        if concurrent:
            _run_concurrently(rules, concurrent, results, context, options.jobs, progress)
    return Report(
        tool_version=__version__,
        snapshot=snapshot.info,
        packs=tuple(PackInfo(p.name, p.version, p.source, p.path) for p in packs),
        categories=tuple(CategoryInfo(c.id, c.title, p.name) for p in packs for c in p.categories),
        results=tuple(r for r in results if r is not None),
        fail_on=fail_on,
    )


def _run_concurrently(
    rules: list[Rule],
    indexes: list[int],
    results: list[RuleResult | None],
    context: EvaluationContext,
    jobs: int,
    progress: Progress | None,
) -> None:
    if progress is not None:
        progress.start(len(indexes))
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = {i: pool.submit(evaluate_rule, rules[i], context) for i in indexes}
        for i, future in futures.items():
            result = results[i] = result_of(future)
            if progress is not None:
                progress.advance(result)
    except BaseException:  # Ctrl-C: stop queued rules, kill the programs already running
        pool.shutdown(wait=False, cancel_futures=True)
        context.running.kill_all()
        raise
    finally:
        pool.shutdown(wait=True)
        if progress is not None:
            progress.stop()
