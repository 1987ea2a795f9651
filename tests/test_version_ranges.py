"""Plain npm ranges against node-semver: every range `plain_range` answers must be one
node-semver reads as valid, holding for exactly the release versions node-semver says
satisfy it; and `versions.satisfies` / `range_problem`, which ask `plain_range` first,
must still say what node-semver says about every range, plain or not."""

from __future__ import annotations

import itertools
import re

import nodesemver
import pytest
import semver
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import versions
from engine.version_ranges import Interval, plain_range

#: Operators npm knows, then near misses only node-semver may read (`~>`, `v`, a space).
PLAIN_OPERATORS = ["", "=", "^", "~", ">", ">=", "<", "<="]
OPERATORS = [*PLAIN_OPERATORS, "~>", "v", "=v", ">= ", "^ "]
#: Numbers up to the plain form's limit, then wildcards, a leading zero and one past it.
PLAIN_NUMBERS = ["0", "1", "2", "3", "10", "999999999"]
NUMBERS = [*PLAIN_NUMBERS, "01", "x", "*", "1000000000"]
#: What may follow a comparator's numbers: mostly nothing, sometimes a tag or a build.
TAILS = ["", "", "", "", "-rc.1", "-0", "+b.1"]
#: Between comparators: mostly the single space of a plain range.
SEPARATORS = [" ", " ", " ", "  ", " || ", " - ", "\t"]


def comparators(
    operators: list[str], numbers: list[str], tails: list[str]
) -> st.SearchStrategy[str]:
    return st.builds(
        lambda op, given, tail: op + ".".join(given) + tail,
        st.sampled_from(operators),
        st.lists(st.sampled_from(numbers), min_size=1, max_size=3),
        st.sampled_from(tails),
    )


plain_ranges = st.lists(
    comparators(PLAIN_OPERATORS, PLAIN_NUMBERS, [""]), min_size=1, max_size=3
).map(" ".join)


@st.composite
def ranges(draw: st.DrawFn) -> str:
    """Plain ranges and ranges that are nearly plain, or not at all."""
    words = draw(st.lists(comparators(OPERATORS, NUMBERS, TAILS), min_size=1, max_size=3))
    text = words[0]
    for word in words[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + word
    return text


releases = st.tuples(*[st.sampled_from([0, 1, 2, 3, 4, 10, 999999999, 1000000000])] * 3)


@st.composite
def near(draw: st.DrawFn, text: str) -> tuple[int, int, int]:
    """A release near the bounds of `text`: each number one the range names, or one off."""
    named = [int(n) for n in re.findall(r"\d+", text)] or [0]
    number = st.sampled_from(named).map(lambda n: max(0, n + draw(st.sampled_from([-1, 0, 1]))))
    return (draw(number | st.just(0)), draw(number | st.just(0)), draw(number | st.just(0)))


#: Every plain comparator of numbers up to 2 (312 of them), and every release up to 3.3.3.
SMALL_COMPARATORS = [
    op + ".".join(numbers)
    for op in PLAIN_OPERATORS
    for count in (1, 2, 3)
    for numbers in itertools.product("012", repeat=count)
]
SMALL_RELEASES = list(itertools.product(range(4), repeat=3))


def test_every_small_plain_comparator_holds_for_the_releases_node_semver_says() -> None:
    for text in SMALL_COMPARATORS:
        interval = plain_range(text)
        assert interval is not None
        held = [t for t in SMALL_RELEASES if interval.holds(t)]
        expected = [
            t for t in SMALL_RELEASES if nodesemver.satisfies(".".join(map(str, t)), text, False)
        ]
        assert held == expected, text


@settings(max_examples=300, deadline=None)
@given(st.data(), plain_ranges)
def test_a_plain_range_holds_for_the_releases_node_semver_says_satisfy_it(
    data: st.DataObject, text: str
) -> None:
    interval = plain_range(text)
    assert interval is not None
    assert nodesemver.valid_range(text, False) is not None
    for triple in [data.draw(near(text)) for _ in range(8)]:
        expected = bool(nodesemver.satisfies(".".join(map(str, triple)), text, False))
        assert interval.holds(triple) == expected, (text, triple)


@settings(max_examples=400, deadline=None)
@given(ranges() | plain_ranges, releases, st.sampled_from([None, "rc.1", "0", "alpha"]))
def test_satisfies_and_range_problem_say_what_node_semver_says(
    text: str, triple: tuple[int, int, int], prerelease: str | None
) -> None:
    version = semver.Version(*triple, prerelease)
    read = versions._without_build(text)
    try:
        valid = nodesemver.valid_range(read, False) is not None
    except Exception:  # node-semver raises assorted errors for garbage input
        valid = False
    assert (versions.range_problem(text) is None) == (
        valid and not versions._wildcard_then_number(text)
    )
    if valid:
        expected = bool(nodesemver.satisfies(str(version), read, False))
        assert versions.satisfies(version, text) == expected


@pytest.mark.parametrize(
    ("text", "interval"),
    [
        ("^1.0", Interval((1, 0, 0), (2, 0, 0))),
        (">=0.1.0", Interval((0, 1, 0), None)),
        ("~2.3 <2.3.9", Interval((2, 3, 0), (2, 3, 9))),
        ("^0.0.3", Interval((0, 0, 3), (0, 0, 4))),
        ("<=1.2", Interval(None, (1, 3, 0))),
        ("1.2.3", Interval((1, 2, 3), (1, 2, 4))),
    ],
)
def test_the_ranges_packs_write_most_are_plain(text: str, interval: Interval) -> None:
    assert plain_range(text) == interval


@pytest.mark.parametrize(
    "text", ["1.x", "^1.2.3-rc.1", "1.2 || 2", "1 - 2", ">= 1.2", "v1.2", " ^1.0", "01.2", ""]
)
def test_other_ranges_are_left_to_node_semver(text: str) -> None:
    assert plain_range(text) is None
