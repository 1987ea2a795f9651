"""What an evaluation produces: outcomes of checks, results of rules, the report.

`Outcome` is what a check kind returns; `RuleResult` adds what the rule says
about itself; `Report` is the whole run, which every reporter renders. The
report carries its own verdict (`Report.verdict`): whether the run fails, at
its `--fail-on` level and after its baseline, is decided here once, and no
reporter works it out again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from engine.model.levels import Level, Standing, below, standing, weighted_rate
from engine.model.severity import SEVERITIES, FailOn, Severity
from engine.model.snapshots import SnapshotInfo
from engine.model.waivers import Waiver, WaiverUse

if TYPE_CHECKING:  # built only by `tests` checks that read reports
    from engine.model.teststats import TestStats

#: `waived`: a failing rule whose every finding a live waiver covers (engine/waivers.py).
Status = Literal["pass", "fail", "skip", "error", "waived"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "skip", "error", "waived")
#: Each status as reports count it ("3 passed") and as `--show` names it.
STATUS_WORDS: dict[Status, str] = {
    "pass": "passed",
    "fail": "failed",
    "skip": "skipped",
    "error": "errored",
    "waived": "waived",
}
#: Set by `eval --baseline` / `--new-since` (engine/baseline.py); None otherwise.
BaselineMark = Literal["new", "known"]
#: Why a rule was skipped, as a kind the reporters can tell apart (the reason says more):
#: its `when` does not hold; it found nothing to judge; a program it needs is missing;
#: commands are off (`--no-commands`); its programs are not run without `--trust-repo`
#: (its pack comes from the repository, or the repository chooses the program); the
#: command line selected other rules; it is disabled (by the repo config or a pack's override).
SkipKind = Literal[
    "not-applicable",
    "nothing-to-judge",
    "missing-program",
    "commands-disabled",
    "untrusted",
    "filtered-out",
    "disabled",
]
#: Skips that the run's options cause, not the rule's own condition: they prove
#: nothing about the rule (`policy test` coverage does not count them).
SKIPPED_BY_OPTIONS: frozenset[SkipKind] = frozenset({"commands-disabled", "untrusted"})


@dataclass(frozen=True)
class Finding:
    """One place where a rule falls short; `document` counts from 1 in multi-document files."""

    message: str
    path: str | None = None
    line: int | None = None
    document: int | None = None
    baseline: BaselineMark | None = None
    waived: Waiver | None = None  # the live waiver that covers it
    # What the check knew about this place, for `message:` templates (model/messages.py);
    # not part of the report, and not part of a finding's identity.
    facts: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    worded: bool = field(default=False, compare=False, repr=False)  # reworded by a template


@dataclass(frozen=True)
class Note:
    """Something a check passed over and the user should know: a binary file, a submodule."""

    path: str
    message: str
    # Said by a waiver of the config (expired, expiring soon); not part of its identity.
    waiver: bool = field(default=False, compare=False, repr=False)


@dataclass(frozen=True)
class Outcome:
    """The verdict of one check (or combination of checks)."""

    status: Status
    message: str = ""
    findings: tuple[Finding, ...] = ()
    notes: tuple[Note, ...] = ()
    skip: SkipKind | None = None  # on skipped outcomes: why, as a kind
    tests: TestStats | None = None  # what a `tests` check read in its reports

    @property
    def reason(self) -> str | None:
        """Why a rule was skipped or errored; None when it passed or failed."""
        return self.message if self.status in ("skip", "error") else None

    def with_notes(self, notes: Iterable[Note]) -> Outcome:
        return replace(self, notes=(*self.notes, *notes))


def passed(message: str = "", notes: Sequence[Note] = ()) -> Outcome:
    return Outcome("pass", message, (), tuple(notes))


def failed(message: str, findings: Sequence[Finding] = (), notes: Sequence[Note] = ()) -> Outcome:
    return Outcome("fail", message, tuple(findings), tuple(notes))


def failed_with(findings: Sequence[Finding], notes: Sequence[Note] = ()) -> Outcome:
    """A failure summed up by its first finding: `path:line: message (and N more)`."""
    return failed(summarize_findings(findings), findings, notes)


def summarize_findings(findings: Sequence[Finding]) -> str:
    """One line for a list of findings, naming the first one's place."""
    if not findings:
        return "failed"
    first = findings[0]
    place = first.path or ""
    if first.path and first.line:
        place += f":{first.line}"
    text = (f"{place}: " if place else "") + first.message.splitlines()[0]
    return text + (f" (and {len(findings) - 1} more)" if len(findings) > 1 else "")


def skipped(
    reason: str, notes: Sequence[Note] = (), kind: SkipKind = "nothing-to-judge"
) -> Outcome:
    return Outcome("skip", reason, (), tuple(notes), kind)


def errored(cause: str, findings: Sequence[Finding] = (), notes: Sequence[Note] = ()) -> Outcome:
    return Outcome("error", cause, tuple(findings), tuple(notes))


@dataclass(frozen=True)
class RuleResult:
    """One rule's result in a report: its outcome, with what the pack says of the rule."""

    rule: str
    pack: str
    category: str
    severity: Severity
    status: Status
    title: str
    message: str
    remediation: str
    docs: str
    reason: str | None
    findings: tuple[Finding, ...] = ()
    notes: tuple[Note, ...] = ()
    tags: tuple[str, ...] = ()
    duration_ms: float = 0.0
    baseline: BaselineMark | None = None  # on fail/error results: known ones do not fail the run
    skip: SkipKind | None = None  # on skipped results: why, as a kind
    tests: TestStats | None = None  # the statistics of the test reports a `tests` rule read
    # The first file the rule's check names outright (`README.md` of `exists: [README.md]`):
    # where SARIF points a finding that has no place of its own. Not in the JSON report.
    subject: str | None = None
    waived: Waiver | None = None  # on waived results: the (first) waiver that covers it
    level: str | None = None  # the rule's maturity level; None when its pack declares none
    weight: int = 1  # how much the rule counts in the score

    def fails_at(self, fail_on: FailOn) -> bool:
        """Whether this result fails a run at the `--fail-on` level: an error always does
        (unless `never`), a failure from its severity up; a result known from the
        baseline never does."""
        if fail_on == "never" or self.baseline == "known":
            return False
        if self.status == "error":
            return True
        return self.status == "fail" and SEVERITIES.index(self.severity) <= SEVERITIES.index(
            fail_on
        )


@dataclass(frozen=True)
class Counts:
    """How many rules passed, failed, errored, were skipped or waived; the weights judged."""

    total: int = 0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    errored: int = 0
    waived: int = 0  # counted in neither passed nor failed
    weight_passed: int = 0  # the weights of the passed rules
    weight_judged: int = 0  # the weights of the passed, failed and errored rules

    def of(self, status: Status) -> int:
        """The rules that ended in `status`."""
        return int(getattr(self, STATUS_WORDS[status]))

    @property
    def success_rate(self) -> float | None:
        """passed / (passed + failed + errored), in percent; None when nothing was judged."""
        return weighted_rate(self.passed, self.passed + self.failed + self.errored)

    @property
    def score(self) -> float | None:
        """The weighted pass rate, in percent: skipped and waived rules count in neither
        part; None when nothing was judged."""
        return weighted_rate(self.weight_passed, self.weight_judged)


def count(results: Iterable[RuleResult]) -> Counts:
    listed = list(results)
    statuses = [r.status for r in listed]
    return Counts(
        total=len(statuses),
        passed=statuses.count("pass"),
        failed=statuses.count("fail"),
        skipped=statuses.count("skip"),
        errored=statuses.count("error"),
        waived=statuses.count("waived"),
        weight_passed=sum(r.weight for r in listed if r.status == "pass"),
        weight_judged=sum(r.weight for r in listed if r.status in ("pass", "fail", "error")),
    )


@dataclass(frozen=True)
class Summary:
    """A report's counts: overall, failed rules per severity, and per category."""

    overall: Counts
    by_severity: dict[str, int]  # failed rules per severity
    by_category: dict[str, Counts]

    @property
    def waived(self) -> int:
        """Rules whose every failure a live waiver covers."""
        return self.overall.waived

    # pack name -> its standing on its levels, for each pack that declares levels
    levels: dict[str, Standing] = field(default_factory=dict)


def summarize(results: Sequence[RuleResult], packs: Sequence[PackInfo] = ()) -> Summary:
    by_category: dict[str, list[RuleResult]] = {}
    for result in results:
        by_category.setdefault(result.category, []).append(result)
    failures = [r.severity for r in results if r.status == "fail"]
    return Summary(
        overall=count(results),
        by_severity={level: failures.count(level) for level in SEVERITIES},
        by_category={cid: count(rs) for cid, rs in by_category.items()},
        levels={
            pack.name: standing(pack.level_ids, [r for r in results if r.pack == pack.name])
            for pack in packs
            if pack.levels
        },
    )


@dataclass(frozen=True)
class PackInfo:
    """A pack a report evaluated: its name, version, source, levels and digest."""

    name: str
    version: str
    source: str
    path: str
    levels: tuple[Level, ...] = ()  # lowest first
    digest: str = ""  # of the files it was loaded from (engine/packs/digest.py)

    @property
    def level_ids(self) -> tuple[str, ...]:
        return tuple(level.id for level in self.levels)

    def level_title(self, level_id: str) -> str:
        return next((lv.title for lv in self.levels if lv.id == level_id), level_id)


@dataclass(frozen=True)
class CategoryInfo:
    """A category of a pack a report evaluated."""

    id: str
    title: str
    pack: str


@dataclass(frozen=True)
class BaselineInfo:
    """What a run was compared with (`--baseline`, `--new-since`) and what was known."""

    source: str  # the baseline report file, or `REV (commit id)`
    new_findings: int
    known_findings: int
    new_results: int  # failed or errored results marked new
    known_results: int


@dataclass(frozen=True)
class Verdict:
    """Whether the run holds, and the results that make it fail."""

    fail_on: FailOn
    failing: tuple[RuleResult, ...]  # in report order
    stale_waivers: tuple[WaiverUse, ...] = ()  # with --strict-waivers: unused and expired ones
    # (pack, level) of each `--min-level` / `min_level` the run did not reach
    short_of: tuple[tuple[str, str], ...] = ()

    @property
    def fails(self) -> bool:
        return bool(self.failing or self.stale_waivers or self.short_of)


@dataclass(frozen=True)
class Report:
    """One evaluation: the snapshot, the packs, each rule's result and the verdict."""

    tool_version: str
    snapshot: SnapshotInfo
    packs: tuple[PackInfo, ...]
    categories: tuple[CategoryInfo, ...]
    results: tuple[RuleResult, ...]
    baseline: BaselineInfo | None = None
    fail_on: FailOn = "error"  # the run's `--fail-on` level, which the verdict applies
    config_file: str | None = None  # the repo config's path in the snapshot, when it has one
    waivers: tuple[WaiverUse, ...] = ()  # every waiver of the config, in its order
    strict_waivers: bool = False  # `--strict-waivers`: unused and expired waivers fail the run
    # pack name -> the level it must reach (`--min-level`, `min_level`), whatever `fail_on`
    min_level: Mapping[str, str] = field(default_factory=dict)
    summary: Summary = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "summary", summarize(self.results, self.packs))

    @property
    def verdict(self) -> Verdict:
        """The run's verdict: the results that fail it at `fail_on`, after the baseline,
        with `--strict-waivers` the waivers that are unused or expired, and the packs below
        the level they must reach."""
        stale = tuple(u for u in self.waivers if u.state != "active") if self.strict_waivers else ()
        failing = tuple(r for r in self.results if r.fails_at(self.fail_on))
        return Verdict(self.fail_on, failing, stale_waivers=stale, short_of=self._short_of())

    def _short_of(self) -> tuple[tuple[str, str], ...]:
        """(pack, level) of each pack below the level it must reach."""
        return tuple(
            (pack.name, required)
            for pack in self.packs
            if (required := self.min_level.get(pack.name)) is not None
            and (found := self.summary.levels.get(pack.name)) is not None
            and below(found.achieved, required, pack.level_ids)
        )

    def category_title(self, category_id: str) -> str:
        return next((c.title for c in self.categories if c.id == category_id), category_id)
