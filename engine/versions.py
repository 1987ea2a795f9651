"""Versions and npm-style ranges.

Concrete versions are parsed with `semver`; partial ones are completed with
zeros (`1.75` -> 1.75.0, `v20` -> 20.0.0). Ranges use npm's grammar
(comparators, `^`, `~`, `x`/`*`, hyphen ranges, `||`) through `node-semver`,
with npm's rule that a pre-release only satisfies a range that names one of
the same major.minor.patch.
"""

from __future__ import annotations

import re

import semver

#: The first version-like token of a program's output. Pre-release suffixes are
#: left out on purpose: `kubectl` builds such as `1.32.4-dispatcher` are
#: releases for our purposes, and npm semantics would exclude them from `>=1.28`.
#: A dotted version may follow letters directly (`go version go1.22.1`); a bare
#: number may not, so `amd64` or `sqlite3` are not taken for versions.
DEFAULT_PATTERN = re.compile(
    r"(?:(?<![\w.])v?|(?<=[A-Za-z])(?=\d+\.\d))(\d+(?:\.\d+){0,2})(?![\d])"
)
_VERSION = re.compile(
    r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)


def coerce(text: str) -> semver.Version | None:
    """A version from `1.2.3`, `1.75`, `v20` or `1.2.3-rc.1`; None if it is not one."""
    match = _VERSION.match(text.strip())
    if not match:
        return None
    major, minor, patch, pre = match.groups()
    return semver.Version(int(major), int(minor or 0), int(patch or 0), pre)


def extract(output: str, pattern: re.Pattern[str] | None = None) -> str | None:
    """The version a program printed: group 1 of `pattern` (or the whole match)."""
    match = (pattern or DEFAULT_PATTERN).search(output)
    if match is None:
        return None
    return match.group(1) if match.groups() else match.group(0)


def range_problem(text: str) -> str | None:
    """Why `text` is not an npm range, or None."""
    import nodesemver

    if not text.strip():
        return "a version range may not be empty (use '*' for any version)"
    try:
        valid = nodesemver.valid_range(text, False)
    except Exception:  # node-semver raises assorted errors for garbage input
        valid = None
    return None if valid is not None else f"invalid version range {text!r}"


def satisfies(version: semver.Version, version_range: str) -> bool:
    """Whether `version` is inside the npm range."""
    import nodesemver

    return bool(nodesemver.satisfies(str(version), version_range, False))


def intersect(ranges: list[str]) -> str:
    """One npm range that holds where every one of `ranges` holds.

    npm has no parentheses: a space binds tighter than `||`, so `(a || b) c` is
    written `a c || b c`.
    """
    unique = list(dict.fromkeys(r.strip() for r in ranges))
    if len(unique) == 1:
        return unique[0]
    combined = [""]
    for each in unique:
        alternatives = [a.strip() for a in each.split("||")]
        combined = [f"{c} {a}".strip() for c in combined for a in alternatives]
    return " || ".join(combined)


def is_semver(text: str) -> bool:
    """Whether `text` is a full SemVer 2.0 version (a pack's own `version`)."""
    return semver.Version.is_valid(text)
