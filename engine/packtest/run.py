"""Running a pack over its cases: each rule's result against what the case expects,
and which rules the cases prove passing, failing and skipping."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.context import EvaluationOptions
from engine.errors import InputError, Location, Problem, did_you_mean
from engine.evaluator import evaluate
from engine.model.packs import Pack
from engine.model.results import SKIPPED_BY_OPTIONS, RuleResult
from engine.packs.finder import PackFinder, pack_file_from_disk
from engine.packs.load import PackLoader
from engine.packtest.build import build_case, case_environ
from engine.packtest.cases import (
    NO_LEVEL,
    REPO_DIR,
    TESTS_DIR,
    Expectation,
    FixtureCase,
    read_cases,
)
from engine.snapshots.materialize import temporary_folder

#: Findings shown under a mismatch.
SHOWN_FINDINGS = 5


@dataclass(frozen=True)
class Mismatch:
    """A rule that did not end as its case expects."""

    expectation: Expectation
    result: RuleResult | None  # None: the rule was not in the results (filtered, unknown)
    why: str


@dataclass(frozen=True)
class CaseOutcome:
    case: FixtureCase
    checked: int  # expectations compared (listed plus `default`)
    mismatches: tuple[Mismatch, ...]
    met: tuple[Expectation, ...]  # expectations that held, for coverage
    proven_skips: frozenset[str] = frozenset()  # rules skipped by their own condition
    level_mismatch: str = ""  # why the repository is not at the case's `level:`; "" when it is
    level_blocking: tuple[str, ...] = ()  # the rules that keep it from the next level
    level_reached: str | None = None  # the level the case's repository reached (NO_LEVEL: none)

    @property
    def proven_level(self) -> str | None:
        """The level this case proves a repository at (its `level:`, met)."""
        return self.case.level if self.case.level and not self.level_mismatch else None


@dataclass(frozen=True)
class Coverage:
    """Which enabled rules some case proves passing, failing and (where they can) skipping."""

    rules: tuple[str, ...]
    passing: frozenset[str]
    failing: frozenset[str]
    skipping: frozenset[str] = frozenset()
    skippable: frozenset[str] = frozenset()  # rules with a skip condition to prove
    levels: tuple[str, ...] = ()  # the pack's levels: each wants a case at it
    levels_proven: frozenset[str] = frozenset()

    @property
    def covered(self) -> tuple[str, ...]:
        return tuple(r for r in self.rules if not self.missing(r))

    @property
    def unproven_levels(self) -> tuple[str, ...]:
        return tuple(level for level in self.levels if level not in self.levels_proven)

    @property
    def percent(self) -> float:
        """Covered rules and proven levels, of all rules and levels, in percent."""
        items = len(self.rules) + len(self.levels)
        if not items:
            return 100.0
        done = len(self.covered) + len(self.levels) - len(self.unproven_levels)
        return round(100.0 * done / items, 2)

    def missing(self, rule: str) -> str:
        """What a rule lacks: 'never passes', 'never fails nor skips', ...; '' when covered."""
        lacks = []
        if rule not in self.passing:
            lacks.append("passes")
        if rule not in self.failing:
            lacks.append("fails")
        if rule in self.skippable and rule not in self.skipping:
            lacks.append("skips")
        return ("never " + " nor ".join(lacks)) if lacks else ""


@dataclass(frozen=True)
class PackTestReport:
    pack: Pack
    outcomes: tuple[CaseOutcome, ...]
    coverage: Coverage

    @property
    def mismatches(self) -> int:
        return sum(len(o.mismatches) + bool(o.level_mismatch) for o in self.outcomes)


def pack_file_of(target: Path) -> Path:
    """The pack file `policy test` was pointed at: PACK_DIR/pack.yaml, the file itself,
    or the folder of a pack found by name on disk (`policy test production`)."""
    if target.is_dir():
        candidate = target / "pack.yaml"
        if not candidate.is_file():
            raise InputError(f"{target}: no pack.yaml in this folder")
        return candidate
    if target.is_file():
        return target
    if len(target.parts) == 1:
        from engine.packs.finder import DiskFolder

        for found in PackFinder.standard(None).candidates(target.name):
            if isinstance(found.folder, DiskFolder) and found.path.endswith("/pack.yaml"):
                return found.folder.root / found.path
    raise InputError(f"{target}: no such pack folder or file")


def load_pack_for(pack_file: Path, params: Mapping[str, Any], given_in: str = "") -> Pack:
    """The pack with a case's params (from file `given_in`); every problem of the pack
    is an InputError."""
    sites = {name: Location(given_in) for name in params}
    loader = PackLoader(PackFinder.standard(None), params, validate_builtin=True, param_sites=sites)
    return loader.load_file(pack_file_from_disk(str(pack_file)))


def run_pack_tests(target: Path, only: Sequence[str] = ()) -> PackTestReport:
    """Evaluate every case of the pack at `target` and compare with its expectations."""
    pack_file = pack_file_of(target)
    tests_dir = pack_file.parent / TESTS_DIR
    pack = load_pack_for(pack_file, {})
    if not pack.rules and not tests_dir.is_dir():  # a pack of shared definitions only
        return PackTestReport(pack, (), Coverage((), frozenset(), frozenset()))
    all_cases = {c.name: c for c in read_cases(tests_dir)}
    unknown = [name for name in only if name not in all_cases]
    if unknown:
        raise InputError(f"no case {unknown[0]!r} (cases: {', '.join(all_cases)})")
    cases = [c for c in all_cases.values() if not only or c.name in only]
    _check_rules_and_params(pack, cases)
    outcomes = []
    with temporary_folder("rulepack-test-") as scratch:
        for case in cases:
            case_pack = (
                load_pack_for(pack_file, case.params, case.expect_file) if case.params else pack
            )
            outcomes.append(_run_case(case, case_pack, scratch / case.name))
    enabled = [r for r in pack.rules if r.enabled]
    passing = {e.rule for o in outcomes for e in o.met if e.status == "pass"}
    failing = {e.rule for o in outcomes for e in o.met if e.status == "fail"}
    coverage = Coverage(
        tuple(r.id for r in enabled),
        frozenset(passing),
        frozenset(failing),
        frozenset(rule for o in outcomes for rule in o.proven_skips),
        frozenset(r.id for r in enabled if r.can_skip),
        tuple(level.id for level in pack.levels),
        frozenset(level for o in outcomes if (level := o.proven_level) is not None),
    )
    return PackTestReport(pack, tuple(outcomes), coverage)


def _check_rules_and_params(pack: Pack, cases: Sequence[FixtureCase]) -> None:
    known = {r.id for r in pack.rules}
    levels = [level.id for level in pack.levels]
    problems = []
    for case in cases:
        if case.level is not None and case.level not in (*levels, NO_LEVEL):
            declared = ", ".join(levels) or "none declared"
            problems.append(
                Problem(
                    f"level: pack {pack.name} has no level {case.level!r} (levels: {declared}; "
                    f"{NO_LEVEL}: the repository reaches no level)",
                    case.level_location,
                )
            )
        for expectation in case.expectations:
            if expectation.rule not in known:
                hint = did_you_mean(expectation.rule, known)
                problems.append(
                    Problem(
                        f"pack {pack.name} has no rule {expectation.rule!r}{hint}",
                        expectation.location,
                    )
                )
        for name in case.params:
            if name not in pack.params:
                declared = ", ".join(sorted(pack.params)) or "none"
                problems.append(
                    Problem(
                        f"params: pack {pack.name} declares no parameter {name!r} "
                        f"(declared: {declared})",
                        Location(case.expect_file),
                    )
                )
    if problems:
        raise InputError(problems)


def _run_case(case: FixtureCase, pack: Pack, dest: Path) -> CaseOutcome:
    from engine.snapshots.worktree import WorktreeSnapshot
    from engine.testresults import given_reports

    bin_dir = build_case(case, dest)
    missing = [path for path in case.results if not (case.folder / path).exists()]
    if missing:
        where = Location(case.expect_file)
        raise InputError(Problem(f"results: {missing[0]}: no such file or folder", where))
    reports = given_reports(case.folder / path for path in case.results)
    snapshot = WorktreeSnapshot(dest / REPO_DIR)
    try:
        report = evaluate(
            [pack],
            snapshot,
            options=EvaluationOptions(
                no_commands=case.no_commands,
                environ=case_environ(bin_dir, case.inherit_path),
                results=reports,
            ),
        )
    finally:
        snapshot.close()
    results = {r.rule: r for r in report.results}
    expectations = list(case.expectations)
    listed = {e.rule for e in expectations}
    if case.default is not None:
        where = case.default_location or Location(case.expect_file)
        expectations += [
            Expectation(r.id, case.default, where)
            for r in pack.rules
            if r.id not in listed and r.enabled
        ]
    mismatches = []
    met = []
    proven_skips = set()
    for expectation in expectations:
        result = results.get(expectation.rule)
        why = _compare(expectation, result)
        if why:
            mismatches.append(Mismatch(expectation, result, why))
            continue
        met.append(expectation)
        if result is not None and result.status == "skip" and not _skipped_by_options(result):
            proven_skips.add(expectation.rule)
    standing = report.summary.levels.get(pack.name)
    reached = (standing.achieved or NO_LEVEL) if standing is not None else None
    level_mismatch = ""
    if case.level is not None and reached is not None and reached != case.level:
        level_mismatch = f"expected level {case.level}, got {reached}"
    return CaseOutcome(
        case,
        len(expectations) + (case.level is not None),
        tuple(mismatches),
        tuple(met),
        frozenset(proven_skips),
        level_mismatch,
        standing.blocking if standing is not None else (),
        reached,
    )


def _skipped_by_options(result: RuleResult) -> bool:
    """A skip that the run's options caused (the case's `no_commands`; a repository not
    trusted, as fixtures are not), not the rule's own condition."""
    return result.skip in SKIPPED_BY_OPTIONS


def finding_text(result: RuleResult) -> Iterator[str]:
    """Each finding of a result as `path:line: message`."""
    for finding in result.findings:
        where = finding.path or ""
        if finding.path and finding.line:
            where += f":{finding.line}"
        yield f"{where}: {finding.message}" if where else finding.message


def _compare(expectation: Expectation, result: RuleResult | None) -> str:
    """Why the result does not meet the expectation; '' when it does."""
    if result is None:
        return "no result"
    if result.status != expectation.status:
        return f"expected {expectation.status}, got {result.status}"
    if expectation.message is not None and not expectation.message.search(result.message):
        return f"message does not match /{expectation.message.pattern}/"
    if expectation.finding is not None and not any(
        expectation.finding.search(text) for text in finding_text(result)
    ):
        return f"no finding matches /{expectation.finding.pattern}/"
    return ""
