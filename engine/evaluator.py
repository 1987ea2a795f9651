"""The evaluator: every rule of the loaded packs, over one snapshot, into a report."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Protocol, TypeVar

from engine import __version__
from engine.checks import evaluate_check
from engine.checks.condition import ConditionCheck
from engine.context import EvaluationContext, EvaluationOptions
from engine.errors import InputError, Problem, did_you_mean
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
from engine.regexes import RegexTimeout
from engine.snapshots.base import Snapshot

if TYPE_CHECKING:
    from engine.verdicts import Verdicts

T = TypeVar("T")


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
        if self.tags and not set(rule.selection_tags) & set(self.tags):
            return "filtered out by --tag"
        return None

    def problems(self, packs: Sequence[Pack]) -> list[Problem]:
        """Filters that name nothing in the packs: a typo would silently skip every rule."""
        rules = [rule for pack in packs for rule in pack.rules]
        known = {
            "--category": {c.id for pack in packs for c in pack.categories},
            "--rule": {rule.id for rule in rules},
            "--tag": {tag for rule in rules for tag in rule.selection_tags},
        }
        asked = {"--category": self.categories, "--rule": self.rules, "--tag": self.tags}
        found = []
        for option, values in asked.items():
            for value in values:
                if value not in known[option]:
                    hint = did_you_mean(value, known[option])
                    found.append(Problem(f"{option} {value}: no evaluated pack has it{hint}"))
        return found


#: Effects whose rules wait on something outside rulepack (a program, the network): they
#: run after the others, up to `--jobs` at a time, each on its own thread.
CONCURRENT: frozenset[Effect] = frozenset({"runs-programs", "uses-network"})


class Progress(Protocol):
    """Told about command rules as they run (the table reporter draws a bar)."""

    def start(self, total: int) -> None: ...

    def running(self, rule: str) -> None:
        """The rule `rule` (its id) starts; called on the thread that evaluates it."""

    def advance(self, result: RuleResult) -> None: ...

    def stop(self) -> None: ...


#: Why the program rules of a pack read from the evaluated repository do not run.
UNTRUSTED_PACK = "not run: the pack comes from the repository (use --trust-repo)"


def _condition(when: Check, context: EvaluationContext) -> Outcome | None:
    """The outcome of a rule whose `when` does not hold (skip or error); None when it holds."""
    condition = context.evaluate(when)
    if condition.status == "fail":
        return skipped(_not_applicable(when, condition), kind="not-applicable")
    if condition.status == "skip":
        return skipped(condition.message, kind=condition.skip or "not-applicable")
    if condition.status == "error":
        return errored(
            f"condition could not be evaluated: {condition.message}",
            condition.findings,
            condition.notes,
        )
    return None


def _outcome(rule: Rule, context: EvaluationContext, when_holds: bool = False) -> Outcome:
    if rule.when is not None and not when_holds:
        replaced = _condition(rule.when, context)
        if replaced is not None:
            return replaced
    return reword(context.evaluate(rule.check), rule.message)


def _not_applicable(when: Check, condition: Outcome) -> str:
    """The skip reason of a rule whose `when` does not hold: a named condition says its name."""
    if isinstance(when, ConditionCheck):
        detail = condition.message.splitlines()[0] if condition.message else ""
        reason = f"not applicable: condition {when.name!r} does not hold"
        return f"{reason} ({detail})" if detail and len(detail) <= 80 else reason
    return f"not applicable: {condition.message}"


def _static_when(rule: Rule) -> bool:
    """Whether the rule has a `when` that can be settled before its programs are scheduled."""
    return rule.when is not None and not rule.when.effects & CONCURRENT


def _gate(rule: Rule, from_repository: bool, context: EvaluationContext) -> Outcome | None:
    """What replaces running a rule that waits on programs, decided before any runs: its
    `when` does not hold, or the repository would choose its programs and is not
    trusted. None: the rule is scheduled (with its `when`, if static, known to hold)."""
    if rule.when is not None and _static_when(rule):
        replaced = _condition(rule.when, context)
        if replaced is not None:
            return replaced
    if context.options.trust_repo or not rule.runs_commands:
        return None
    if from_repository:
        return skipped(UNTRUSTED_PACK, kind="untrusted")
    if rule.untrusted_when is None:
        return None
    found = context.evaluate(rule.untrusted_when)
    if found.status == "error":
        return errored(
            f"untrusted_when could not be evaluated: {found.message}", found.findings, found.notes
        )
    if found.status != "pass":
        return None
    if isinstance(rule.untrusted_when, ConditionCheck):
        why = f"condition {rule.untrusted_when.name!r} holds"
    else:
        why = found.message.splitlines()[0] if found.message else "untrusted_when holds"
    return skipped(
        f"not run: the repository chooses the program ({why}) (use --trust-repo)",
        kind="untrusted",
    )


def _guarded(decide: Callable[[], T]) -> T | Outcome:
    """What `decide` returns, or an error outcome when a bug in rulepack raised."""
    try:
        return decide()
    except RegexTimeout as exc:  # a regex of a command or version check, on a program's output
        return errored(str(exc))
    except Exception as exc:  # a bug in a check must not end the run; say what happened
        return errored(f"internal error in rulepack: {type(exc).__name__}: {exc}")


def evaluate_rule(
    rule: Rule, context: EvaluationContext, when_holds: bool = False, spent_ms: float = 0.0
) -> RuleResult:
    """Evaluate one enabled, selected rule (`when_holds`: its `when` was already settled;
    `spent_ms`: time already spent on it, which its duration includes)."""
    started = time.perf_counter()
    outcome: Outcome = _guarded(lambda: _outcome(rule, context, when_holds))
    return to_result(rule, outcome, spent_ms + (time.perf_counter() - started) * 1000)


def programs_of(rules: Sequence[Rule]) -> int:
    """How many programs the rules start at most: each program check once per rule, a
    named condition's once however many rules use it (it runs once per run)."""
    conditions: set[Check] = set()

    def count(check: Check) -> int:
        if isinstance(check, ConditionCheck):
            if check.check in conditions:
                return 0
            conditions.add(check.check)
        children = check.children()
        if not children:
            return 1 if "runs-programs" in check.effects else 0
        return sum(count(child) for child in children)

    return sum(count(rule.check) + (count(rule.when) if rule.when else 0) for rule in rules)


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
        tests=outcome.tests,
        subject=next(iter(rule.check.named_files()), None),
        level=rule.level,
        weight=rule.weight,
    )


def evaluate(
    packs: Sequence[Pack],
    snapshot: Snapshot,
    *,
    selection: Selection | None = None,
    options: EvaluationOptions | None = None,
    exclude: tuple[str, ...] = (),
    progress: Progress | None = None,
    announce: Callable[[int], None] | None = None,
    fail_on: FailOn = "error",
    min_level: Mapping[str, str] | None = None,
) -> Report:
    """Evaluate every rule of `packs` over `snapshot`; results keep pack and rule order.

    `announce` is told how many programs are about to run, before the first
    starts (when any will); `fail_on` is the level the report's verdict applies,
    `min_level` the level each pack named must reach (engine/levels.py checks it)."""
    selection = selection or Selection()
    problems = selection.problems(packs)
    if problems:
        raise InputError(problems)
    options = options or EvaluationOptions()
    owners = [pack for pack in packs for _ in pack.rules]
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
        kept = _kept_verdicts(context, options, exclude)
        # Rules that parse manifests go first: the files they read on several cores
        # are then in memory for the content rules, which read one file at a time.
        for i in sorted(static, key=lambda i: "parses-files" not in rules[i].effects):
            results[i] = _static_result(rules[i], context, kept)
        if kept is not None:
            kept.save()
        # Then, before any program starts, what decides whether each command rule runs.
        scheduled: list[int] = []
        spent: dict[int, float] = {}
        for i in concurrent:
            started = time.perf_counter()
            gate = _guarded(partial(_gate, rules[i], owners[i].from_repository, context))
            spent[i] = (time.perf_counter() - started) * 1000
            if gate is None:
                scheduled.append(i)
            else:
                results[i] = to_result(rules[i], gate, spent[i])
        if scheduled:
            programs = programs_of([rules[i] for i in scheduled])
            if announce is not None and programs:
                announce(programs)
            _run_concurrently(rules, scheduled, spent, results, context, options.jobs, progress)
    return Report(
        tool_version=__version__,
        snapshot=snapshot.info,
        packs=tuple(
            PackInfo(p.name, p.version, p.source, p.path, p.levels, p.digest) for p in packs
        ),
        categories=tuple(CategoryInfo(c.id, c.title, p.name) for p in packs for c in p.categories),
        results=tuple(r for r in results if r is not None),
        fail_on=fail_on,
        min_level=dict(min_level or {}),
    )


def _kept_verdicts(
    context: EvaluationContext, options: EvaluationOptions, exclude: tuple[str, ...]
) -> Verdicts | None:
    """The outcomes kept for this snapshot by earlier runs, when the run keeps them."""
    if options.verdicts is None:
        return None
    from engine.verdicts import open_verdicts

    return open_verdicts(options.verdicts, context, exclude)


def _static_result(rule: Rule, context: EvaluationContext, kept: Verdicts | None) -> RuleResult:
    """The rule's result: as an earlier run over the same files found it, or judged now."""
    if kept is None:
        return evaluate_rule(rule, context)
    started = time.perf_counter()
    outcome = kept.get(rule)
    if outcome is not None:
        return to_result(rule, outcome, (time.perf_counter() - started) * 1000)
    with context.reads() as read:
        result = evaluate_rule(rule, context)
    kept.keep(rule, result, read)
    return result


def _announced(
    progress: Progress | None, rule: Rule, context: EvaluationContext, spent: float
) -> RuleResult:
    """Evaluate a command rule, telling `progress` first that it runs."""
    if progress is not None:
        progress.running(rule.id)
    return evaluate_rule(rule, context, _static_when(rule), spent)


def _run_concurrently(
    rules: list[Rule],
    indexes: list[int],
    spent: dict[int, float],
    results: list[RuleResult | None],
    context: EvaluationContext,
    jobs: int,
    progress: Progress | None,
) -> None:
    if progress is not None:
        progress.start(len(indexes))
    from concurrent.futures import ThreadPoolExecutor  # only runs with command rules

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = {
            i: pool.submit(_announced, progress, rules[i], context, spent[i]) for i in indexes
        }
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
