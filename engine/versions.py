"""Versions and npm-style ranges.

Concrete versions are parsed here and held as `semver` versions; partial ones
are completed with zeros (`1.75` -> 1.75.0, `v20` -> 20.0.0), build metadata
(`+build.5`) is dropped, a pre-release is kept (`2.0.0-rc.1`, and PEP 440's or
Go's `3.13.0rc1` as 3.13.0-rc.1). Ranges use npm's grammar (comparators, `^`,
`~`, `x`/`*`, hyphen ranges, `||`) through `node-semver`, with npm's rule that
a pre-release only satisfies a range that names a pre-release of the same
major.minor.patch: `2.0.0-rc.1` satisfies neither `>=2.0.0` nor `>=1.0.0`.
A range of plain comparators (`^1.0`, `>=0.1.0`) and a release version are
answered by engine/version_ranges.py, without importing node-semver.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from engine.version_ranges import Triple, plain_range

if TYPE_CHECKING:  # semver is imported by the functions that make versions (start-up)
    import semver

    from engine.regexes import Regex

_IDENTIFIER = r"(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)"  # SemVer: no leading zeros
_PRERELEASE = rf"{_IDENTIFIER}(?:\.{_IDENTIFIER})*"
_BUILD = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
#: PEP 440 and Go write a pre-release right after the numbers: `3.13.0rc1`, `go1.23rc1`.
#: Only these words count, so OpenSSL's `1.1.1w` (a patch letter) stays a release.
_ATTACHED_WORDS = "alpha|beta|rc|a|b"

#: The first version-like token of a program's output, with its pre-release
#: (`1.80.0-nightly`, `28.0.0-rc.1`, `3.13.0rc1`) and build metadata (dropped
#: later). A pre-release must start with a letter: Debian's `12.2.0-14` is a
#: package revision, not a pre-release. A dotted version may follow letters
#: directly (`go version go1.22.1`); a bare number may not, so `amd64` or
#: `sqlite3` are not taken for versions, and a bare number takes no suffix.
DEFAULT_PATTERN = re.compile(
    r"(?:(?<![\w.])v?|(?<=[A-Za-z])(?=\d+\.\d))"
    r"(\d+(?:\.\d+){1,2}"
    rf"(?:-[A-Za-z][0-9A-Za-z-]*(?:\.[0-9A-Za-z-]+)*|(?:{_ATTACHED_WORDS})\d+)?"
    rf"(?:\+{_BUILD})?"
    r"|\d+)(?!\d)"
)
_VERSION = re.compile(
    r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?"
    rf"(?:-({_PRERELEASE})|({_ATTACHED_WORDS})(\d+))?(?:\+{_BUILD})?$"
)


def coerce(text: str) -> semver.Version | None:
    """A version from `1.2.3`, `1.75`, `v20`, `1.2.3-rc.1` or `3.13.0rc1`; None if it is not one."""
    read = _read_version(text)
    return _as_semver(read) if read is not None else None


def _as_semver(read: tuple[Triple, str | None]) -> semver.Version:
    import semver

    return semver.Version(*read[0], read[1])


def _read_version(text: str) -> tuple[Triple, str | None] | None:
    """(major, minor, patch) and the pre-release of a version as `coerce` reads it."""
    match = _VERSION.match(text.strip())
    if not match:
        return None
    major, minor, patch, pre, word, number = match.groups()
    if word is not None:
        pre = f"{word}.{int(number)}"  # numbered, so rc.10 sorts after rc.9
    return (int(major), int(minor or 0), int(patch or 0)), pre


def extract(output: str, pattern: Regex | None = None) -> str | None:
    """The version a program printed: group 1 of `pattern` (or the whole match)."""
    match = DEFAULT_PATTERN.search(output) if pattern is None else pattern.search(output)
    if match is None:
        return None
    return match.group(1) if match.groups() else match.group(0)


def range_problem(text: str) -> str | None:
    """Why `text` is not an npm range, or None."""
    if not text.strip():
        return "a version range may not be empty (use '*' for any version)"
    if plain_range(text) is not None:
        return None
    import nodesemver

    try:
        valid = nodesemver.valid_range(_without_build(text), False)
    except Exception:  # node-semver raises assorted errors for garbage input
        valid = None
    if valid is None or _wildcard_then_number(text):
        return f"invalid version range {text!r}"
    return None


def _without_build(version_range: str) -> str:
    """The range with build metadata dropped, as npm reads it (node-semver refuses `1.2+b`)."""
    return re.sub(rf"\+{_BUILD}", "", version_range)


def _wildcard_then_number(text: str) -> bool:
    """npm refuses a comparator with a number after a wildcard (`x.1`, `>=1.x.2`);
    node-semver reads it as an odd range instead. npm reads `~x.1`, `^*.0` and
    hyphen ranges leniently, so they are left alone."""

    def wild(part: str) -> bool:
        return part in ("", "x", "X", "*")

    for alternative in text.split("||"):
        if re.search(r"\s-\s", alternative):
            continue
        for comparator in re.sub(r"([<>=~^])\s+", r"\1", alternative).split():
            if comparator.startswith(("~", "^")):
                continue
            core = re.split(r"[-+]", comparator.lstrip("<>=v"), maxsplit=1)[0]
            major, minor, patch = [*core.split("."), "", ""][:3]
            if (wild(major) and not wild(minor)) or (wild(minor) and not wild(patch)):
                return True
    return False


def text_satisfies(text: str, version_range: str) -> bool:
    """Whether the version `text` (read as `coerce` reads it) is inside the npm range;
    False when it is not a version. A release version in a plain range is answered
    without importing semver (a pack's `extends: base@^1` is read at every run)."""
    read = _read_version(text)
    if read is None:
        return False
    interval = plain_range(version_range)
    if interval is not None and read[1] is None:
        return interval.holds(read[0])
    return satisfies(_as_semver(read), version_range)


def satisfies(version: semver.Version, version_range: str) -> bool:
    """Whether `version` is inside the npm range."""
    interval = plain_range(version_range)
    if interval is not None and version.prerelease is None and version.build is None:
        return interval.holds((version.major, version.minor, version.patch))
    import nodesemver

    return bool(nodesemver.satisfies(str(version), _without_build(version_range), False))


def prerelease_note(version: semver.Version, version_range: str) -> str | None:
    """Why npm's pre-release rule is what keeps `version` out of the range, or None.

    Said when the range names no pre-release of the same major.minor.patch and
    the version would be in it but for its tag: its release satisfies the range
    (`2.0.0-rc.1`, `>=2.0.0`), or it is inside a comparator set by order
    (`2.0.0-rc.1`, `>=1.0.0`, `<2.0.0`).
    """
    import nodesemver

    if not version.prerelease or satisfies(version, version_range):
        return None
    triple = (version.major, version.minor, version.patch)

    def names_one(comparator: nodesemver.Comparator) -> bool:
        named = comparator.semver
        return (
            named is not nodesemver.ANY
            and bool(named.prerelease)
            and ((named.major, named.minor, named.patch) == triple)
        )

    sets = nodesemver.make_range(_without_build(version_range), False).set
    parsed = nodesemver.make_semver(str(version), False)
    release = version.finalize_version()
    # A set it is inside by order fails it only for the tag (had the set named a
    # pre-release of this major.minor.patch, the version would have satisfied it).
    in_order = any(all(c.test(parsed) for c in comparators) for comparators in sets)
    named = any(names_one(c) for comparators in sets for c in comparators)
    if in_order or (not named and satisfies(release, version_range)):
        return (
            "a pre-release satisfies a range only when a comparator names a pre-release "
            f"of {release}"
        )
    return None


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
    import semver

    return semver.Version.is_valid(text)
