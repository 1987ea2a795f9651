"""What a `tests` rule found in its test reports: counts, time, and the failures' analysis.

Carried by the rule's result (`RuleResult.tests`), written into the JSON report,
and shown by the table, Markdown and HTML reports as a test table per category
with the failures grouped by message and the slowest tests.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FailureGroup:
    """Failed and errored tests that share the first line of their message."""

    message: str
    count: int
    tests: tuple[str, ...]  # the first few, by name


@dataclass(frozen=True)
class SlowTest:
    """One of the slowest tests, by name, with its duration."""

    name: str
    seconds: float


@dataclass(frozen=True)
class TestStats:
    """The selected tests of a rule's reports. Flaky tests passed on a retry: they count
    as passed, and are counted again under `flaky`."""

    __test__ = False  # not a pytest test class

    tests: int
    passed: int
    failed: int
    errored: int
    skipped: int
    flaky: int
    seconds: float
    reports: tuple[str, ...]
    failure_groups: tuple[FailureGroup, ...] = ()  # most common first
    slowest: tuple[SlowTest, ...] = ()  # slowest first

    @property
    def success_rate(self) -> float | None:
        """passed / (passed + failed + errored), in percent; None when no test ran."""
        ran = self.passed + self.failed + self.errored
        return round(100.0 * self.passed / ran, 2) if ran else None
