"""The test results of `tests` rules, as the table, Markdown and HTML reports show them:
a row of counts per rule (grouped by category, in report order), and the failure
analysis: failures grouped by message, the most common first, and the slowest tests.

Plain strings only; each format escapes and lays them out its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.model.results import Report, RuleResult

if TYPE_CHECKING:
    from engine.model.teststats import TestStats

#: The columns of the test table, as every format heads them.
COLUMNS = (
    "Category",
    "Rule",
    "Tests",
    "Passed",
    "Failed",
    "Errored",
    "Skipped",
    "Flaky",
    "Success rate",
    "Duration",
)


@dataclass(frozen=True)
class Analysis:
    """One rule's failures, grouped by message, and its slowest tests."""

    rule: str
    groups: tuple[tuple[str, str, str], ...]  # (count, message, the tests), as text
    slowest: tuple[tuple[str, str], ...]  # (test, duration), as text


def with_tests(report: Report) -> list[tuple[RuleResult, TestStats]]:
    """The results that read test reports, in report order."""
    return [(r, r.tests) for r in report.results if r.tests is not None]


def rows(report: Report) -> list[list[str]]:
    """The test table: one row per `tests` rule, cells in `COLUMNS` order."""
    return [
        [
            report.category_title(result.category),
            result.rule,
            *(str(n) for n in (s.tests, s.passed, s.failed, s.errored, s.skipped, s.flaky)),
            "n/a" if s.success_rate is None else f"{s.success_rate:.2f}%",
            seconds_text(s.seconds),
        ]
        for result, s in with_tests(report)
    ]


def analyses(report: Report) -> list[Analysis]:
    """The failure analysis of every `tests` rule with a failure (the slowest tests too)."""
    return [
        Analysis(
            result.rule,
            tuple(
                (f"{g.count}×", g.message, ", ".join(g.tests) + _more(g.count, len(g.tests)))
                for g in s.failure_groups
            ),
            tuple((t.name, seconds_text(t.seconds)) for t in s.slowest),
        )
        for result, s in with_tests(report)
        if s.failure_groups
    ]


def seconds_text(seconds: float) -> str:
    """`0.25 s`, `3.1 s`, `2 min 5 s`."""
    if seconds < 60:
        return f"{seconds:.3g} s" if seconds < 10 else f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def _more(count: int, shown: int) -> str:
    return f" and {count - shown} more" if count > shown else ""
