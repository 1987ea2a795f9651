"""Versions and npm ranges: completion of partial versions, range grammar, pre-releases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import versions
from engine.versions import coerce, extract, is_semver, range_problem, satisfies


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("1.2.3", "1.2.3"),
        ("1.75", "1.75.0"),
        ("v20", "20.0.0"),
        (" 1.80.1 ", "1.80.1"),
        ("1.2.3-rc.1", "1.2.3-rc.1"),
        ("1.2.3+build.5", "1.2.3"),
    ],
)
def test_partial_versions_are_completed_with_zeros(text: str, version: str) -> None:
    found = coerce(text)
    assert found is not None and str(found) == version


@pytest.mark.parametrize("text", ["stable", "", "1.2.3.4", "v", "latest-1"])
def test_things_that_are_not_versions(text: str) -> None:
    assert coerce(text) is None


@pytest.mark.parametrize(
    ("version_range", "version", "expected"),
    [
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
        # npm: a pre-release only satisfies a range naming a pre-release of the same x.y.z
        (">=1.75", "1.80.0-beta.1", False),
        (">=1.80.0-beta.0", "1.80.0-beta.1", True),
        (">=1.80.0-beta.0", "1.81.0-beta.1", False),
    ],
)
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
    ],
)
def test_invalid_ranges_say_why(version_range: str, problem: str) -> None:
    assert range_problem(version_range) == problem


@pytest.mark.parametrize(
    ("output", "version"),
    [
        ("rustc 1.80.1 (3f5fd8dd4 2024-08-06)", "1.80.1"),
        ("node v20.11.0", "20.11.0"),
        ("Python 3.11.4", "3.11.4"),
        ("go version go1.22.1 linux/amd64", "1.22.1"),
        ("SQLite3 version 3.45.1", "3.45.1"),
        ("Linux x86_64 amd64 5.15", "5.15"),
        ("Client Version: v1.32.4-dispatcher", "1.32.4"),
        ("tool version 10", "10"),
        ("no digits here", None),
    ],
)
def test_the_default_pattern_finds_the_first_version_like_token(
    output: str, version: str | None
) -> None:
    assert extract(output) == version


def test_a_pattern_takes_its_first_group_or_the_whole_match() -> None:
    import re

    assert extract("rustc 1.80.0-beta.1 x", re.compile(r"rustc (\S+)")) == "1.80.0-beta.1"
    assert extract("release-7", re.compile(r"\d+")) == "7"


@pytest.mark.parametrize(("text", "valid"), [("1.0.0", True), ("1.0", False), ("v1.0.0", False)])
def test_pack_versions_are_full_semver(text: str, valid: bool) -> None:
    assert is_semver(text) is valid


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
