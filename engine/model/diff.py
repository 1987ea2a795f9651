"""Two runs side by side: each rule's status and findings before and after.

Built by engine/baseline.py (which matches findings), read by `policy diff`'s
reporters and by `eval --baseline` / `--new-since`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from engine.model.results import Finding, Status
from engine.model.severity import SEVERITIES, FailOn, Severity
from engine.model.snapshots import SnapshotInfo
from engine.model.waivers import WaiverUse

RuleKey = tuple[str, str]  # (pack, rule id)
Change = Literal["worse", "better", "changed", "same"]
FAILING: tuple[Status, ...] = ("fail", "error")


@dataclass(frozen=True)
class RuleRecord:
    """What a run said about one rule: its status and findings."""

    pack: str
    rule: str
    severity: Severity
    status: Status
    findings: tuple[Finding, ...] = ()
    title: str = ""
    category: str = ""

    @property
    def key(self) -> RuleKey:
        return (self.pack, self.rule)


@dataclass(frozen=True)
class FindingsMatch:
    """One rule's findings before and after."""

    new: tuple[Finding, ...] = ()  # only after
    fixed: tuple[Finding, ...] = ()  # only before
    unchanged: tuple[Finding, ...] = ()  # in both, as they are after


def regressed(before: RuleRecord | None, status: Status, has_new_findings: bool) -> bool:
    """Whether a result in `status` fails in a way `before` did not."""
    if status not in FAILING:
        return False
    if before is None or before.status != status:
        return True
    return has_new_findings


@dataclass(frozen=True)
class RuleChange:
    """One rule across two runs; `before` or `after` is None when the rule is in one only."""

    before: RuleRecord | None
    after: RuleRecord | None
    findings: FindingsMatch

    @property
    def record(self) -> RuleRecord:
        """The most recent record of the rule."""
        found = self.after or self.before
        assert found is not None
        return found

    @property
    def change(self) -> Change:
        """How the rule's status moved: into fail/error is worse, out of them better."""
        before = self.before.status if self.before else None
        after = self.after.status if self.after else None
        if before == after:
            return "same"
        if after in FAILING and before not in FAILING:
            return "worse"
        if before in FAILING and after not in FAILING:
            return "better"
        return "changed"

    def regressed(self) -> bool:
        """Whether the rule fails now in a way it did not before (status or new findings)."""
        return self.after is not None and regressed(
            self.before, self.after.status, bool(self.findings.new)
        )

    def got_worse(self, fail_on: FailOn) -> bool:
        """Whether this change fails a run at the `--fail-on` level."""
        if not self.regressed() or fail_on == "never" or self.after is None:
            return False
        if self.after.status == "error":
            return True
        return SEVERITIES.index(self.after.severity) <= SEVERITIES.index(fail_on)


@dataclass(frozen=True)
class DiffSummary:
    """How two reports differ: findings new, fixed and unchanged, rules worse and better."""

    new_findings: int
    fixed_findings: int
    unchanged_findings: int
    worse: int
    better: int
    changed: int


@dataclass(frozen=True)
class Diff:
    """Two runs side by side, with the verdict of `policy diff`."""

    tool_version: str
    base: SnapshotInfo
    head: SnapshotInfo
    fail_on: FailOn
    changes: tuple[RuleChange, ...]
    waivers: tuple[WaiverUse, ...] = ()  # HEAD's waivers that BASE lacks or that expire later

    @property
    def got_worse(self) -> bool:
        """The verdict: something got worse at `fail_on` (exit status 1)."""
        return any(change.got_worse(self.fail_on) for change in self.changes)

    @property
    def summary(self) -> DiffSummary:
        """Counts of findings and of status changes."""
        changes = [c.change for c in self.changes]
        return DiffSummary(
            new_findings=sum(len(c.findings.new) for c in self.changes),
            fixed_findings=sum(len(c.findings.fixed) for c in self.changes),
            unchanged_findings=sum(len(c.findings.unchanged) for c in self.changes),
            worse=changes.count("worse"),
            better=changes.count("better"),
            changed=changes.count("changed"),
        )
