"""Globs: the index must answer exactly what wcmatch's own matcher would.

`FileIndex` answers common glob shapes from lookup tables (by name, by
extension, by folder prefix); these properties check it against a plain
`globmatch` over every path, with the flags engine/globs.py uses.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wcmatch import glob as wc

from engine.globs import FileIndex, GlobSet, glob_problem, matching

FLAGS = wc.GLOBSTAR | wc.DOTGLOB | wc.BRACE | wc.CASE

NAMES = [
    "a",
    "b",
    "A",
    "ab",
    ".hidden",
    "x.yaml",
    "y.yml",
    "Cargo.toml",
    "t.tar.gz",
    "a.b.c",
    "-_ 1",
]
FOLDERS = ["a", "b", "src", ".github", "deploy", "x.d", "ab"]

paths = st.lists(
    st.builds(
        lambda folders, name: "/".join([*folders, name]),
        st.lists(st.sampled_from(FOLDERS), max_size=3),
        st.sampled_from(NAMES),
    ),
    max_size=25,
    unique=True,
)

component = st.sampled_from([
    "a", "b", "src", "deploy", ".github", "*", "?", "**", "*.yaml", "*.y{a,}ml", "*.gz",
    "x.*", "[ab]", "[!a]*", "[A-Z]*", "{a,b}", "{src,deploy}", ".*", "Cargo.toml", "a*", "*b",
    "x.d", "t.tar.gz", "*.tar.gz", "-_ 1",
])  # fmt: skip
globs = st.builds("/".join, st.lists(component, min_size=1, max_size=4))


def _generalize(name: str, how: int) -> list[str]:
    """Glob components that match one path component `name` (one of eight ways)."""
    dot = name.rfind(".")
    choices = [
        [name],
        ["*"],
        ["**"],
        ["**", name],
        [f"*{name[dot:]}" if dot > 0 else "*"],
        ["?" + name[1:]],
        [f"{{{name},zz}}"],
        [f"[{name[0]}]{name[1:]}"],
    ]
    return choices[how]


@st.composite
def files_and_globs(draw: st.DrawFn) -> tuple[list[str], list[str], list[str]]:
    """Paths, plus globs mostly made from those paths so that many of them match."""
    files = draw(paths.filter(bool))
    include = draw(st.lists(globs, max_size=1))
    exclude = draw(st.lists(globs, max_size=1))
    for target, least in ((include, 1), (exclude, 0)):
        for _ in range(draw(st.integers(least, 2))):
            parts = draw(st.sampled_from(files)).split("/")
            hows = draw(st.lists(st.integers(0, 7), min_size=len(parts), max_size=len(parts)))
            pieces = [
                piece
                for part, how in zip(parts, hows, strict=True)
                for piece in _generalize(part, how)
            ]
            target.append("/".join(pieces))
    return files, include, exclude


def reference(candidates: list[str], include: list[str], exclude: list[str]) -> tuple[str, ...]:
    chosen = [
        p
        for p in candidates
        if any(wc.globmatch(p, g, flags=FLAGS) for g in include)
        and not any(wc.globmatch(p, g, flags=FLAGS) for g in exclude)
    ]
    return tuple(sorted(chosen))


def check_select(files: list[str], include: list[str], exclude: list[str]) -> None:
    index = FileIndex(files)
    expected = reference(files, include, exclude)
    assert index.select(include, exclude) == expected
    first = index.first(GlobSet.compile(include, exclude))
    assert (first is None) == (not expected)
    assert first is None or first in expected
    assert sorted(matching(files, include) - matching(files, exclude)) == list(expected)


@settings(max_examples=150, deadline=None)
@given(paths, st.lists(globs, min_size=1, max_size=3), st.lists(globs, max_size=2))
def test_select_agrees_with_globmatch(
    files: list[str], include: list[str], exclude: list[str]
) -> None:
    check_select(files, include, exclude)


@settings(max_examples=300, deadline=None)
@given(files_and_globs())
def test_select_agrees_with_globmatch_on_globs_made_from_the_paths(
    case: tuple[list[str], list[str], list[str]],
) -> None:
    check_select(*case)


@settings(max_examples=200, deadline=None)
@given(files_and_globs())
def test_select_in_applies_globs_relative_to_each_folder(
    case: tuple[list[str], list[str], list[str]],
) -> None:
    files, include, exclude = case
    index = FileIndex(files)
    folders = list(index.folders())
    selected = index.select_in(folders, GlobSet.compile(include, exclude))
    for folder in folders:
        inside = [p[len(folder) + 1 :] for p in files if p.startswith(folder + "/")]
        expected = tuple(folder + "/" + p for p in reference(inside, include, exclude))
        assert selected[folder] == expected, folder


def test_folders_lists_every_folder_holding_a_file() -> None:
    index = FileIndex(["a/b/c.txt", "a/d.txt", "e.txt", "f/g/h/i"])
    assert index.folders() == ("a", "a/b", "f", "f/g", "f/g/h")


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("", "a glob may not be empty"),
        ("/etc/*", "glob '/etc/*' is absolute; globs are relative to the snapshot root"),
        ("../x", "glob '../x' leaves the snapshot root ('..' is not allowed)"),
        ("a/../../x", "glob 'a/../../x' leaves the snapshot root ('..' is not allowed)"),
        ("{a,..}/x", "glob '{a,..}/x' leaves the snapshot root ('..' is not allowed)"),
        ("a/..", "glob 'a/..' leaves the snapshot root ('..' is not allowed)"),
        ("a\\b", "glob 'a\\\\b' uses a backslash; paths are POSIX, use '/'"),
    ],
)
def test_globs_a_pack_may_not_use(pattern: str, problem: str) -> None:
    assert glob_problem(pattern) == problem


@pytest.mark.parametrize("pattern", ["**/*.yaml", "a..b/*", "..hidden", "x/...", "{a,b}/**"])
def test_globs_a_pack_may_use(pattern: str) -> None:
    assert glob_problem(pattern) is None
