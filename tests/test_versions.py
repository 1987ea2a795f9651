"""Versions and npm ranges: completion of partial versions, range grammar, pre-releases.

The tables of ranges were checked by hand against npm's own `semver` package
(7.8.6): `node -e "console.log(require('semver').satisfies(VERSION, RANGE))"`
and `require('semver').validRange(RANGE)`. The properties check the path from
a program's output to a verdict against node-semver on the version written out.
"""

from __future__ import annotations

import re

import nodesemver
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import versions
from engine.versions import (
    coerce,
    extract,
    is_semver,
    prerelease_note,
    range_problem,
    satisfies,
)


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("1.2.3", "1.2.3"),
        ("1.75", "1.75.0"),
        ("v20", "20.0.0"),
        (" 1.80.1 ", "1.80.1"),
        ("1.2.3-rc.1", "1.2.3-rc.1"),
        ("1.2.3+build.5", "1.2.3"),
        ("1.2.3-rc.1+build.5", "1.2.3-rc.1"),
        ("1.80.0-nightly", "1.80.0-nightly"),
        ("3.13.0rc1", "3.13.0-rc.1"),  # PEP 440
        ("3.14.0a1", "3.14.0-a.1"),
        ("1.23rc1", "1.23.0-rc.1"),  # Go: go1.23rc1
        ("1.22beta10", "1.22.0-beta.10"),
    ],
)
def test_partial_versions_are_completed_with_zeros(text: str, version: str) -> None:
    found = coerce(text)
    assert found is not None and str(found) == version


@pytest.mark.parametrize(
    "text",
    ["stable", "", "1.2.3.4", "v", "latest-1", "1.2.3-01", "1.2.3-rc.01", "1.2.3-rc..1", "1.2.3-"],
)
def test_things_that_are_not_versions(text: str) -> None:
    assert coerce(text) is None


# (range, version, npm's verdict): each checked with npm's semver 7.8.6.
NPM_VERDICTS = [
    (">=1.2 <2", "1.9.9", True),
    (">=1.2 <2", "2.0.0", False),
    ("^1.2", "1.9.0", True),
    ("^1.2", "2.0.0", False),
    ("^0.2", "0.2.5", True),
    ("^0.2", "0.3.0", False),
    ("~1.2", "1.2.9", True),
    ("~1.2", "1.3.0", False),
    ("1.x", "1.5.0", True),
    ("1.x", "2.0.0", False),
    ("1.2.*", "1.2.7", True),
    ("*", "0.0.1", True),
    ("1.0 - 2.0", "2.0.5", True),
    ("1.0 - 2.0", "2.1.0", False),
    ("1.0 - 2.0", "0.9.9", False),
    ("<1 || >=3", "3.1.0", True),
    ("<1 || >=3", "0.5.0", True),
    ("<1 || >=3", "2.0.0", False),
    (">=1.75", "1.75.0", True),
    ("1.75", "1.75.3", True),
    ("v20", "20.1.0", True),
    # a pre-release satisfies a range only when a comparator of its major.minor.patch has one
    (">=1.75", "1.80.0-beta.1", False),
    (">=1.80.0-beta.0", "1.80.0-beta.1", True),
    (">=1.80.0-beta.0", "1.81.0-beta.1", False),
    (">1.2.3-alpha.3", "1.2.3-alpha.7", True),
    (">1.2.3-alpha.3", "3.4.5-alpha.9", False),
    (">=2.0.0", "2.0.0-rc.1", False),
    (">=1.0.0", "2.0.0-rc.1", False),
    ("<2.0.0", "2.0.0-rc.1", False),
    ("*", "2.0.0-rc.1", False),
    (">=2.0.0-rc.0", "2.0.0-rc.1", True),
    ("^2.0.0-rc.0", "2.0.0-rc.1", True),
    ("^2.0.0-rc.0", "2.0.1-rc.1", False),
    ("~2.0.0-beta.2", "2.0.0-beta.10", True),
    (">=2.0.0-rc.2", "2.0.0-rc.1", False),
    ("2.0.0-rc.1 - 2.0.0", "2.0.0-rc.3", True),
    (">=2.0.0-alpha", "2.0.0-alpha.1", True),
    (">=2.0.0-alpha.1", "2.0.0-alpha", False),
    (">=2.0.0-rc.5 <2.0.1 || >=1.0.0", "2.0.0-rc.1", False),
    (">=2.0.0-rc.5 <2.0.1 || >=1.0.0", "2.0.0-rc.6", True),
    (">=1.28", "1.32.4-dispatcher", False),
    (">=3.13", "3.13.0-rc.1", False),
    (">=3.13.0-rc.1", "3.13.0-rc.2", True),
    (">=20", "22.0.0-nightly2024010157fa7a2f5d", False),
    (">=22.0.0-0", "22.0.0-nightly2024010157fa7a2f5d", True),
    # build metadata is ignored, in the version and in the range
    ("1.2.3", "1.2.3+build.5", True),
    (">1.2.3", "1.2.3+build.5", False),
    ("=1.2.3-rc.1", "1.2.3-rc.1+b.5", True),
    (">=1.2+build.7", "1.2.0", True),
]


@pytest.mark.parametrize(("version_range", "version", "expected"), NPM_VERDICTS)
def test_npm_ranges(version_range: str, version: str, expected: bool) -> None:
    parsed = coerce(version)
    assert parsed is not None
    assert range_problem(version_range) is None
    assert satisfies(parsed, version_range) is expected


@pytest.mark.parametrize(
    ("version_range", "problem"),
    [
        (">=>1", "invalid version range '>=>1'"),
        ("abc", "invalid version range 'abc'"),
        ("^1.2.3.4", "invalid version range '^1.2.3.4'"),
        ("1.2.3 - ", "invalid version range '1.2.3 - '"),
        ("", "a version range may not be empty (use '*' for any version)"),
        ("  ", "a version range may not be empty (use '*' for any version)"),
        # npm refuses a number after a wildcard (node-semver alone would read `>=1.0.0`)
        ("1.x.3", "invalid version range '1.x.3'"),
        ("x.1", "invalid version range 'x.1'"),
        (">= 1.x.2", "invalid version range '>= 1.x.2'"),
        (">=1 <2 || *.2", "invalid version range '>=1 <2 || *.2'"),
    ],
)
def test_invalid_ranges_say_why(version_range: str, problem: str) -> None:
    assert range_problem(version_range) == problem


@pytest.mark.parametrize("version_range", ["~x.1", "^*.0", "1.0 - x.1", "1.2.x", "1.2.3-x.1"])
def test_ranges_npm_reads_leniently_are_accepted(version_range: str) -> None:
    assert range_problem(version_range) is None


@pytest.mark.parametrize(
    ("output", "version"),
    [
        ("rustc 1.80.1 (3f5fd8dd4 2024-08-06)", "1.80.1"),
        ("rustc 1.80.0-nightly (72fdf913c 2024-06-05)", "1.80.0-nightly"),
        ("rustc 1.81.0-beta.3 (4b38b6f5e 2024-07-25)", "1.81.0-beta.3"),
        ("node v20.11.0", "20.11.0"),
        ("v22.0.0-nightly2024010157fa7a2f5d", "22.0.0-nightly2024010157fa7a2f5d"),
        ("Python 3.11.4", "3.11.4"),
        ("Python 3.13.0rc1", "3.13.0rc1"),
        ("Python 3.14.0a1+", "3.14.0a1"),
        ("go version go1.22.1 linux/amd64", "1.22.1"),
        ("go version go1.23rc1 linux/amd64", "1.23rc1"),
        ("Docker version 28.2.2, build e6534b4", "28.2.2"),
        ("Docker version 28.0.0-rc.1, build 4f4a6b3", "28.0.0-rc.1"),
        ("Client Version: v1.32.4-dispatcher", "1.32.4-dispatcher"),
        ("Client Version: v1.30.2+k3s1", "1.30.2+k3s1"),
        ("git version 2.39.5", "2.39.5"),
        ("git version 2.45.0.windows.1", "2.45.0"),
        ("gcc (Debian 12.2.0-14) 12.2.0", "12.2.0"),  # a package revision, not a pre-release
        ("OpenSSL 1.1.1w  11 Sep 2023", "1.1.1"),  # a patch letter, not a pre-release
        ("SQLite3 version 3.45.1", "3.45.1"),
        ("Linux x86_64 amd64 5.15", "5.15"),
        ("tool version 10", "10"),
        ("tool 10-beta", "10"),
        ("no digits here", None),
    ],
)
def test_the_default_pattern_finds_the_first_version_like_token(
    output: str, version: str | None
) -> None:
    assert extract(output) == version


def test_a_pattern_takes_its_first_group_or_the_whole_match() -> None:
    assert extract("rustc 1.80.0-beta.1 x", re.compile(r"rustc (\S+)")) == "1.80.0-beta.1"
    assert extract("rustc 1.80.0-beta.1 x", re.compile(r"rustc (\d+\.\d+\.\d+)")) == "1.80.0"
    assert extract("release-7", re.compile(r"\d+")) == "7"


PRE_RELEASE_RULE = "a pre-release satisfies a range only when a comparator names a pre-release of"


@pytest.mark.parametrize(
    ("version", "version_range", "note"),
    [
        ("2.0.0-rc.1", ">=2.0.0", f"{PRE_RELEASE_RULE} 2.0.0"),
        ("2.0.0-rc.1", ">=1.0.0", f"{PRE_RELEASE_RULE} 2.0.0"),
        ("2.0.0-rc.1", "<2.0.0", f"{PRE_RELEASE_RULE} 2.0.0"),
        ("2.0.0-rc.1", "*", f"{PRE_RELEASE_RULE} 2.0.0"),
        ("3.4.5-alpha.9", ">1.2.3-alpha.3", f"{PRE_RELEASE_RULE} 3.4.5"),
        ("2.0.0-rc.1", "<1.0.0", None),  # its release fails too
        ("2.0.0-rc.1", ">=2.0.0-rc.2", None),  # a pre-release of 2.0.0 is named: order decides
        ("2.0.0-rc.1", ">=1.2.3-alpha.7", f"{PRE_RELEASE_RULE} 2.0.0"),
        ("1.2.3", ">=2", None),  # not a pre-release
    ],
)
def test_a_pre_release_that_fails_says_why(
    version: str, version_range: str, note: str | None
) -> None:
    parsed = coerce(version)
    assert parsed is not None
    assert prerelease_note(parsed, version_range) == note


@pytest.mark.parametrize(("text", "valid"), [("1.0.0", True), ("1.0", False), ("v1.0.0", False)])
def test_pack_versions_are_full_semver(text: str, valid: bool) -> None:
    assert is_semver(text) is valid


# -- properties: a program's output to a verdict, against node-semver ----------------------

number = st.integers(0, 3)
tag = st.one_of(
    st.builds(
        "-{}".format,
        st.sampled_from(["rc.1", "rc.2", "rc.10", "alpha", "alpha.3", "beta.1", "nightly", "x.1"]),
    ),
    st.builds(
        "{}{}".format, st.sampled_from(["rc", "a", "b", "alpha", "beta"]), st.integers(0, 12)
    ),
    st.just(""),
)
build = st.sampled_from(["", "", "+build.5", "+k3s1", "+g1a500d5"])
OUTPUTS = [
    "rustc {} (3f5fd8dd4 2024-08-06)",
    "go version go{} linux/amd64",
    "Docker version {}, build e6534b4",
    "Client Version: v{}",
    "Python {}",
    "node v{}",
    "{}",
]


def written_out(core: tuple[int, ...], pre: str) -> str:
    """The version as npm writes it: three numbers, `-` and dotted identifiers."""
    numbers = ".".join(str(n) for n in (*core, 0, 0)[:3])
    if pre.startswith("-"):
        return f"{numbers}{pre}"
    if pre:
        word, digits = re.fullmatch(r"([a-z]+)(\d+)", pre).groups()  # type: ignore[union-attr]
        return f"{numbers}-{word}.{int(digits)}"
    return numbers


def comparator(op: str, core: tuple[int, ...], pre: str) -> str:
    text = ".".join(str(n) for n in core)
    return f"{op}{text}{pre if len(core) == 3 and pre.startswith('-') else ''}"


ranges = st.builds(
    " || ".join,
    st.lists(
        st.builds(
            " ".join,
            st.lists(
                st.builds(
                    comparator,
                    st.sampled_from([">=", ">", "<", "<=", "=", "", "^", "~"]),
                    st.lists(number, min_size=1, max_size=3).map(tuple),
                    tag,
                ),
                min_size=1,
                max_size=2,
            ),
        ),
        min_size=1,
        max_size=2,
    ),
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(number, min_size=2, max_size=3).map(tuple),
    tag,
    build,
    st.sampled_from(OUTPUTS),
    ranges,
)
def test_the_verdict_on_a_programs_output_is_node_semvers_on_the_version(
    core: tuple[int, ...], pre: str, metadata: str, output: str, version_range: str
) -> None:
    version = written_out(core, pre)
    found = coerce(extract(output.format(".".join(map(str, core)) + pre + metadata)) or "")
    assert str(found) == version
    assert found is not None
    if range_problem(version_range) is not None:
        return
    expected = bool(nodesemver.satisfies(version, version_range, False))
    assert satisfies(found, version_range) is expected
    note = prerelease_note(found, version_range)
    if expected or not pre:
        assert note is None
    elif note is None:
        # Silent only when the tag is not what fails it: its release fails too, or the
        # range names a pre-release of the same major.minor.patch (order decides).
        release = version.split("-")[0]
        named = f"{release}-" in nodesemver.valid_range(version_range, False)
        assert named or not nodesemver.satisfies(release, version_range, False)


_VERSIONS = st.builds(
    lambda a, b, c: f"{a}.{b}.{c}", st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)
)
_RANGES = st.one_of(
    st.builds(
        lambda op, v: f"{op}{v}", st.sampled_from([">=", "<", "^", "~", "<=", ">"]), _VERSIONS
    ),
    st.builds(lambda a, b: f"{a} || {b}", _VERSIONS, _VERSIONS),
    st.builds(lambda a, b: f">={a} <{b}", _VERSIONS, _VERSIONS),
)


@given(st.lists(_RANGES, min_size=1, max_size=3), _VERSIONS)
def test_intersect_holds_exactly_where_every_range_holds(ranges: list[str], version: str) -> None:
    parsed = versions.coerce(version)
    assert parsed is not None
    expected = all(versions.satisfies(parsed, r) for r in ranges)
    assert versions.satisfies(parsed, versions.intersect(ranges)) == expected


# Written as packs and programs write versions: partial, with a `v`, a pre-release
# (attached or not), build metadata, or not a version at all.
_VERSION_TEXTS = st.one_of(
    _VERSIONS,
    st.builds(
        lambda v, pre: f"v{v}{pre}", _VERSIONS, st.sampled_from(["", "-rc.1", "rc2", "+b.5"])
    ),
    st.sampled_from(["1", "1.2", "v20", " 1.2.3 ", "1.2.3.4", "latest", "", "01.2.3"]),
)


@given(_VERSION_TEXTS, _RANGES)
def test_a_version_text_satisfies_a_range_as_its_coerced_version_does(
    text: str, version_range: str
) -> None:
    parsed = versions.coerce(text)
    expected = parsed is not None and versions.satisfies(parsed, version_range)
    assert versions.text_satisfies(text, version_range) is expected
