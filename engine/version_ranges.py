"""npm ranges in their plainest form, answered without node-semver.

Most ranges a pack writes are one set of plain comparators: `^1.0`, `>=0.1.0`,
`~2.3 <2.3.9`, `1.2`. For a release version (no pre-release tag, no build)
such a set is an interval of (major, minor, patch), worked out here as npm
desugars each comparator:

    1.2 or =1.2     >=1.2.0 <1.3.0        ^1.2.3     >=1.2.3 <2.0.0
    ^0.2.3          >=0.2.3 <0.3.0        ^0.0.3     >=0.0.3 <0.0.4
    ~1.2.3          >=1.2.3 <1.3.0        ~1         >=1.0.0 <2.0.0
    >1.2            >=1.3.0               <=1.2      <1.3.0

Importing node-semver (and the logging it sets up) costs a run several
milliseconds, more than the rest of a small run's version work, so
engine/versions.py asks `plain_range` first. Anything else (`||`, hyphen
ranges, `x` and `*`, pre-release tags, a `v`, a space after an operator or
around the range) is None here, and node-semver decides it, as it decides
every pre-release version. tests/test_version_ranges.py holds this module to
node-semver over generated ranges and versions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: (major, minor, patch) of a release version.
Triple = tuple[int, int, int]

#: A number without leading zeros (node-semver refuses `01`), short enough to stay exact.
_NUMBER = r"(0|[1-9]\d{0,8})"
_COMPARATOR = re.compile(rf"(\^|~|>=|<=|>|<|=)?{_NUMBER}(?:\.{_NUMBER})?(?:\.{_NUMBER})?")


@dataclass(frozen=True)
class Interval:
    """The release versions `low <= version < high`; None leaves that side open."""

    low: Triple | None = None
    high: Triple | None = None

    def holds(self, version: Triple) -> bool:
        """Whether the release `version` is inside."""
        above = self.low is None or self.low <= version
        return above and (self.high is None or version < self.high)


def plain_range(text: str) -> Interval | None:
    """The interval a range of plain comparators, separated by single spaces, stands
    for; None for any other range (node-semver's to read)."""
    low: Triple | None = None
    high: Triple | None = None
    for word in text.split(" "):
        match = _COMPARATOR.fullmatch(word)
        if match is None:
            return None
        op, *given = match.groups()
        each = _interval(op or "", [int(n) for n in given if n is not None])
        if each.low is not None and (low is None or each.low > low):
            low = each.low
        if each.high is not None and (high is None or each.high < high):
            high = each.high
    return Interval(low, high)


def _interval(op: str, numbers: list[int]) -> Interval:
    """One comparator as an interval: `op` and the one to three numbers it names."""
    major, minor, patch = [*numbers, 0, 0][:3]
    floor = (major, minor, patch)
    # The first version past every one the numbers name: 1 -> 2.0.0, 1.2 -> 1.3.0,
    # 1.2.3 -> 1.2.4 (versions are whole numbers, so `>1.2.3` is `>=1.2.4`).
    past = [(major + 1, 0, 0), (major, minor + 1, 0), (major, minor, patch + 1)][len(numbers) - 1]
    if op == ">=":
        return Interval(floor, None)
    if op == ">":
        return Interval(past, None)
    if op == "<":
        return Interval(None, floor)
    if op == "<=":
        return Interval(None, past)
    if op == "~":  # patch changes; minor ones too when only the major is given
        return Interval(floor, (major + 1, 0, 0) if len(numbers) == 1 else (major, minor + 1, 0))
    if op == "^":  # changes that keep the first non-zero number given
        if major > 0 or len(numbers) == 1:
            return Interval(floor, (major + 1, 0, 0))
        if minor > 0 or len(numbers) == 2:
            return Interval(floor, (0, minor + 1, 0))
        return Interval(floor, (0, 0, patch + 1))
    return Interval(floor, past)  # `1.2.3`, `=1.2`: the versions the numbers name
