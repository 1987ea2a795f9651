"""Maturity levels: the cumulative levels a pack declares, and the one a run reaches.

A repository reaches level L of a pack when every rule at L and at every
lower level passed, was skipped or was waived; a `fail` or an `error` (at
any severity) blocks it. The score is the weighted pass rate of the judged
rules. Both are pure functions of a run's results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.model.severity import SEVERITIES

if TYPE_CHECKING:
    from engine.model.results import RuleResult, Status

#: Statuses that let a rule's level be reached (`waived`: an accepted, live exception).
REACHES_LEVEL: frozenset[Status] = frozenset({"pass", "skip", "waived"})
#: Statuses that block a level.
BLOCKS_LEVEL: frozenset[Status] = frozenset({"fail", "error"})


@dataclass(frozen=True)
class Level:
    """One maturity level of a pack, as its `levels:` entry declares it."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Standing:
    """Where a run leaves a repository on one pack's levels.

    `achieved` is the highest level reached (None: not even the lowest);
    `next` the level after it (None at the top); `blocking` the rules at or
    below `next` that failed or errored, most severe first.
    """

    achieved: str | None
    next: str | None
    blocking: tuple[str, ...] = ()


def standing(levels: Sequence[str], results: Sequence[RuleResult]) -> Standing:
    """The standing of `results` (one pack's) on `levels`, lowest first."""
    achieved = -1
    for i, level in enumerate(levels):
        if any(r.level == level and r.status not in REACHES_LEVEL for r in results):
            break
        achieved = i
    if achieved + 1 >= len(levels):
        return Standing(levels[achieved] if levels else None, None)
    within = set(levels[: achieved + 2])  # up to and including the next level
    blocking = [r for r in results if r.level in within and r.status in BLOCKS_LEVEL]
    blocking.sort(key=lambda r: SEVERITIES.index(r.severity))  # stable: report order within
    return Standing(
        levels[achieved] if achieved >= 0 else None,
        levels[achieved + 1],
        tuple(r.rule for r in blocking),
    )


def below(achieved: str | None, required: str, levels: Sequence[str]) -> bool:
    """Whether `achieved` (None: no level) is lower than `required` on `levels`."""
    reached = levels.index(achieved) if achieved is not None else -1
    return reached < levels.index(required)


def weighted_rate(passed: int, judged: int) -> float | None:
    """A weighted pass rate in percent, rounded to 2 places; None when nothing was judged."""
    return round(100.0 * passed / judged, 2) if judged else None
