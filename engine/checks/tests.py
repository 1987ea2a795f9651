"""`tests`: what test runners' reports say: how many tests of a kind ran, and passed.

    tests:
      reports: ["test-results/**/*.xml"]          # reports in the snapshot, and --results
      select: {name: "(?i)tls|auth", file: "tests/security/**"}   # any key matches
      min_tests: 1                                 # at least this many selected
      min_pass_rate: 100                           # percent of those that ran
      max_skipped: 0
      max_duration: 600                            # seconds, all selected tests
      otherwise: {command: {...}}                  # when there is no report at all

Reports are read once per run (engine/testresults/), from the snapshot and
from `policy eval --results PATH` (files outside the snapshot, never written).
The result carries the statistics (engine/model/teststats.py) that the
reporters show; a failed or errored test is one finding, at its file and line
when the report tells them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from engine.checks.kind import CheckKind
from engine.checks.reader import PackReader
from engine.context import EvaluationContext
from engine.globs import matching
from engine.model.documents import KeyPath
from engine.model.messages import facts_of
from engine.model.packs import Check, Effect, FileSet
from engine.model.results import (
    Finding,
    Note,
    Outcome,
    errored,
    failed_with,
    passed,
    skipped,
    summarize_findings,
)
from engine.regexes import Regex
from engine.testresults import ReportError, TestCase
from engine.texts import MAX_BYTES_CAP

if TYPE_CHECKING:  # statistics are built only from reports a run found
    from engine.model.teststats import TestStats

#: Reports are larger than manifests: a big workspace's nextest report is megabytes.
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
#: Failure groups and slowest tests a result keeps, and test names per group.
MAX_GROUPS = 10
MAX_SLOWEST = 5
MAX_NAMES = 5
#: How to write a report, for the languages a root manifest shows (the skip says).
RUNNER_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("Cargo.toml",),
        'Rust: `cargo nextest run --profile ci` with `[profile.ci.junit] path = "junit.xml"` '
        "in .config/nextest.toml (target/nextest/ci/junit.xml)",
    ),
    (
        ("pyproject.toml", "setup.py", "setup.cfg", "pytest.ini", "tox.ini"),
        "Python: `pytest --junitxml=test-results/pytest.xml`",
    ),
    (
        ("package.json",),
        "JavaScript: `jest --ci --reporters=default --reporters=jest-junit` or "
        "`vitest run --reporter=junit --outputFile=test-results/vitest.xml`",
    ),
    (("go.mod",), "Go: `gotestsum --junitfile test-results/go.xml`"),
    (("pom.xml",), "Java: `mvn test` (Surefire writes target/surefire-reports/TEST-*.xml)"),
    (
        ("build.gradle", "build.gradle.kts"),
        "Java: `gradle test` (build/test-results/test/*.xml)",
    ),
)


@dataclass(frozen=True)
class Selection:
    """Which tests of the reports a rule judges: those any given pattern matches."""

    name: Regex | None = None
    classname: Regex | None = None
    file: tuple[str, ...] = ()  # globs
    tag: Regex | None = None

    @property
    def everything(self) -> bool:
        return not (self.name or self.classname or self.file or self.tag)

    def describe(self) -> str:
        parts = [
            f"{key} /{pattern.pattern}/"
            for key, pattern in (("name", self.name), ("classname", self.classname))
            if pattern is not None
        ]
        if self.file:
            parts.append(f"file {', '.join(self.file)}")
        if self.tag is not None:
            parts.append(f"tag /{self.tag.pattern}/")
        return " or ".join(parts) or "every test"

    def select(self, cases: Sequence[TestCase]) -> list[TestCase]:
        if self.everything:
            return list(cases)
        files = matching({c.file for c in cases if c.file}, self.file) if self.file else set()
        return [c for c in cases if self._selects(c, files)]

    def _selects(self, case: TestCase, files: set[str]) -> bool:
        return bool(
            (self.name is not None and self.name.search(case.name))
            or (self.classname is not None and self.classname.search(case.classname))
            or (case.file is not None and case.file in files)
            or (self.tag is not None and any(self.tag.search(t) for t in case.tags))
        )


@dataclass(frozen=True)
class TestsCheck(Check):
    """`tests`: what test runners' reports say of the selected tests."""

    __test__ = False  # not a pytest test class
    kind: ClassVar[str] = "tests"
    reports: FileSet = field(default_factory=lambda: FileSet(()))
    select: Selection = field(default_factory=Selection)
    min_tests: int = 1
    min_pass_rate: float = 100.0
    max_skipped: int | None = None
    max_duration: float | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    otherwise: Check | None = None

    def children(self) -> tuple[Check, ...]:
        return (self.otherwise,) if self.otherwise is not None else ()

    @property
    def effects(self) -> frozenset[Effect]:
        parses: frozenset[Effect] = frozenset({"parses-files"})
        return parses | super().effects

    @property
    def can_skip(self) -> bool:
        return True  # no report, or reports without a test case


def parse(raw: Any, path: KeyPath, reader: PackReader) -> TestsCheck:
    raw = raw if isinstance(raw, Mapping) else {}
    reports = reader.fileset(
        raw.get("reports", []), raw.get("exclude"), (*path, "reports"), (*path, "exclude")
    )
    return TestsCheck(
        reports=reports,
        select=_selection(raw.get("select") or {}, (*path, "select"), reader),
        min_tests=_count(raw, "min_tests", 1, path, reader) or 0,
        min_pass_rate=_pass_rate(raw, path, reader),
        max_skipped=_count(raw, "max_skipped", None, path, reader),
        max_duration=(
            reader.number(raw, "max_duration", path, 1.0, 7 * 24 * 3600.0)
            if "max_duration" in raw
            else None
        ),
        max_bytes=int(reader.number(raw, "max_bytes", path, DEFAULT_MAX_BYTES, MAX_BYTES_CAP)),
        otherwise=(
            reader.check(raw["otherwise"], (*path, "otherwise")) if "otherwise" in raw else None
        ),
    )


def _selection(raw: Any, path: KeyPath, reader: PackReader) -> Selection:
    raw = raw if isinstance(raw, Mapping) else {}

    def regex(key: str) -> Regex | None:
        return reader.regex(raw[key], (*path, key)) if key in raw else None

    files = reader.globs(raw["file"], (*path, "file")) if "file" in raw else ()
    return Selection(regex("name"), regex("classname"), files, regex("tag"))


def _count(
    raw: Mapping[str, Any], key: str, default: int | None, path: KeyPath, reader: PackReader
) -> int | None:
    value = raw.get(key, default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        reader.problem((*path, key), f"`{key}` must be a whole number, 0 or more: {value!r}")
        return default
    return value


def _pass_rate(raw: Mapping[str, Any], path: KeyPath, reader: PackReader) -> float:
    value = raw.get("min_pass_rate", 100)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        reader.problem(
            (*path, "min_pass_rate"), f"`min_pass_rate` is a percentage, 0 to 100: {value!r}"
        )
        return 100.0
    return float(value)


# -- reading reports -------------------------------------------------------------------


@dataclass(frozen=True)
class _Read:
    """One report, read once per run: its test cases, or why it could not be read."""

    label: str  # as findings name it: the snapshot path, or the --results path as given
    cases: tuple[TestCase, ...] = ()
    error: ReportError | None = None


def _read_snapshot(context: EvaluationContext, path: str, max_bytes: int) -> _Read:
    try:
        data = context.read_capped(path, max_bytes)
    except OSError as exc:
        context.unsettled = True  # it may be read next time
        return _Read(path, error=ReportError(f"cannot read: {exc.strerror or exc}"))
    return _parsed(path, data, max_bytes)


def _read_given(path: Path, max_bytes: int) -> _Read:
    """A --results file: read, never written, no larger than the cap."""
    label = str(path)
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)  # a FIFO or /dev/zero ends at the cap
    except OSError as exc:
        return _Read(label, error=ReportError(f"cannot read: {exc.strerror or exc}"))
    if len(data) > max_bytes:
        try:
            return _parsed(label, max(path.stat().st_size, len(data)), max_bytes)
        except OSError:
            return _parsed(label, len(data), max_bytes)
    return _parsed(label, data, max_bytes)


def _parsed(label: str, data: bytes | int, max_bytes: int) -> _Read:
    from engine.testresults import read_report

    if isinstance(data, int):
        message = f"{data:,} bytes is over the {max_bytes:,}-byte cap (max_bytes)"
        return _Read(label, error=ReportError(message))
    try:
        return _Read(label, read_report(data))
    except ReportError as exc:
        return _Read(label, error=exc)


def _reports(check: TestsCheck, context: EvaluationContext) -> list[_Read]:
    found = [
        context.memo(
            ("test-report", path, check.max_bytes),
            lambda path=path: _read_snapshot(context, path, check.max_bytes),  # type: ignore[misc]
        )
        for path in context.select(check.reports)
    ]
    found += [
        context.memo(
            ("test-results", given, check.max_bytes),
            lambda given=given: _read_given(given, check.max_bytes),  # type: ignore[misc]
        )
        for given in context.options.results
    ]
    return found


def no_report_reason(check: TestsCheck, context: EvaluationContext) -> str:
    """Why there is nothing to judge, and how to write a report for the repository's languages."""
    globs = check.reports.include
    shown = (
        ", ".join(globs)
        if len(globs) <= 3
        else f"{', '.join(globs[:2])} or {len(globs) - 2} more globs"
    )
    looked = f"nothing matches {shown}" if globs else ""
    looked = f"{looked} and " if looked else ""
    hints = [hint for names, hint in RUNNER_HINTS if context.first(FileSet(names)) is not None] or [
        hint for _, hint in RUNNER_HINTS
    ]
    return (
        f"no test report: {looked}none given with --results; write one with "
        + "; ".join(hints)
        + ", then commit it or pass it with --results PATH"
    )


# -- judging ---------------------------------------------------------------------------


def evaluate(check: TestsCheck, context: EvaluationContext) -> Outcome:
    reports = _reports(check, context)
    if not reports:
        if check.otherwise is not None:
            return context.evaluate(check.otherwise)
        return skipped(no_report_reason(check, context))
    broken = [r for r in reports if r.error is not None]
    if broken:
        findings = [_broken(r) for r in broken]
        return errored(summarize_findings(findings[:1]), findings)
    cases = [case for r in reports for case in r.cases]
    labels = tuple(r.label for r in reports)
    if not cases:
        return skipped(f"the test reports hold no test case: {', '.join(labels)}")
    report_of = {id(case): r.label for r in reports for case in r.cases}
    selected = check.select.select(cases)
    stats = statistics(selected, labels)
    notes = [_flaky_note(c, report_of[id(c)]) for c in selected if c.flaky]
    findings = _shortfalls(check, stats, len(cases))
    if stats.success_rate is not None and stats.success_rate < check.min_pass_rate:
        findings += [_failure(c, report_of[id(c)]) for c in selected if _did_not_pass(c)]
    if findings:
        outcome = failed_with(findings, notes)
    else:
        outcome = passed(_summary(stats, check.select), notes)
    return replace(outcome, tests=stats)


def _broken(read: _Read) -> Finding:
    error = read.error
    assert error is not None
    where = f"line {error.line}" + (f", column {error.column}" if error.column else "")
    text = f"{error.message} ({where})" if error.line else error.message
    return Finding(text, read.label, error.line, facts=facts_of(report=read.label))


def _did_not_pass(case: TestCase) -> bool:
    return case.outcome in ("failed", "errored")


def _failure(case: TestCase, report: str) -> Finding:
    verb = "failed" if case.outcome == "failed" else "errored"
    retried = f" (after {case.retries} retries)" if case.retries else ""
    text = f"{case.full_name} {verb}{retried}: {case.message}"
    facts = facts_of(test=case.full_name, outcome=case.outcome, failure=case.message, report=report)
    if case.file is None:
        return Finding(text, report, facts=facts)
    return Finding(text, case.file, case.line, facts=facts)


def _flaky_note(case: TestCase, report: str) -> Note:
    tries = "attempt" if case.retries == 1 else "attempts"
    return Note(
        case.file or report, f"flaky: {case.full_name} passed after {case.retries} failed {tries}"
    )


def _shortfalls(check: TestsCheck, stats: TestStats, in_reports: int) -> list[Finding]:
    findings: list[Finding] = []
    if stats.tests < check.min_tests:
        text = (
            f"{stats.tests} test(s) selected by {check.select.describe()} "
            f"(of {in_reports} in the reports), expected at least {check.min_tests}"
        )
        findings.append(Finding(text, facts=facts_of(tests=stats.tests, expected=check.min_tests)))
    rate = stats.success_rate
    if rate is not None and rate < check.min_pass_rate:
        ran = stats.passed + stats.failed + stats.errored
        text = (
            f"{stats.failed + stats.errored} of {ran} test(s) that ran failed: success rate "
            f"{rate:g}% is below {check.min_pass_rate:g}%"
        )
        findings.append(
            Finding(text, facts=facts_of(pass_rate=f"{rate:g}", expected=check.min_pass_rate))
        )
    if check.max_skipped is not None and stats.skipped > check.max_skipped:
        text = f"{stats.skipped} test(s) skipped, at most {check.max_skipped} allowed"
        findings.append(Finding(text, facts=facts_of(expected=check.max_skipped)))
    if check.max_duration is not None and stats.seconds > check.max_duration:
        text = f"the tests took {stats.seconds:g} s, more than {check.max_duration:g} s"
        findings.append(Finding(text, facts=facts_of(expected=check.max_duration)))
    return findings


def _summary(stats: TestStats, select: Selection) -> str:
    extra = [f"{n} {what}" for n, what in ((stats.skipped, "skipped"), (stats.flaky, "flaky")) if n]
    which = "" if select.everything else f" ({select.describe()})"
    counted = f" ({', '.join(extra)})" if extra else ""
    rate = f"; success rate {stats.success_rate:g}%" if stats.success_rate is not None else ""
    return f"{stats.passed} of {stats.tests} test(s) passed{which}{counted}{rate}"


def statistics(cases: Sequence[TestCase], reports: tuple[str, ...]) -> TestStats:
    """Counts, time and the failure analysis of the selected tests."""
    from engine.model.teststats import FailureGroup, SlowTest, TestStats

    outcomes = Counter(c.outcome for c in cases)
    not_passed = [c for c in cases if _did_not_pass(c)]
    by_message: dict[str, list[str]] = {}
    for case in not_passed:
        by_message.setdefault(case.message, []).append(case.full_name)
    groups = sorted(by_message.items(), key=lambda item: (-len(item[1]), item[0]))
    timed = sorted(
        (c for c in cases if c.seconds is not None),
        key=lambda c: (-(c.seconds or 0.0), c.full_name),
    )
    return TestStats(
        tests=len(cases),
        passed=outcomes["passed"],
        failed=outcomes["failed"],
        errored=outcomes["errored"],
        skipped=outcomes["skipped"],
        flaky=sum(c.flaky for c in cases),
        seconds=round(sum(c.seconds or 0.0 for c in cases), 3),
        reports=reports,
        failure_groups=tuple(
            FailureGroup(message, len(names), tuple(names[:MAX_NAMES]))
            for message, names in groups[:MAX_GROUPS]
        ),
        slowest=tuple(SlowTest(c.full_name, c.seconds or 0.0) for c in timed[:MAX_SLOWEST]),
    )


#: test: the test's `classname::name`; outcome: failed or errored; failure: the first line
#: of its message; report: the report's path; tests: how many were selected; pass_rate:
#: the success rate; expected: the threshold a shortfall misses.
FACTS = ("test", "outcome", "failure", "report", "tests", "pass_rate", "expected")
KIND = CheckKind(TestsCheck, parse, evaluate, FACTS)
