"""Globs: the index must answer exactly what wcmatch's own matcher would.

`FileIndex` answers common glob shapes from lookup tables (by name, by
extension, by folder prefix); these properties check it against a plain
`globmatch` over every path, with the flags engine/globs.py uses. The globs
`check_glob` refuses as never matching are held to that claim the same way.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from wcmatch import glob as wc

from engine.globs import FileIndex, GlobSet, check_glob, glob_problem, literal_paths, matching

FLAGS = wc.GLOBSTAR | wc.DOTGLOB | wc.BRACE | wc.CASE

NAMES = [
    "a",
    "b",
    "A",
    "ab",
    ".hidden",
    "x.yaml",
    ".yaml",
    "y.yml",
    "Cargo.toml",
    "t.tar.gz",
    "a.b.c",
    "-_ 1",
    "...",
    "..b",
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
            target.append(_glob_matching(draw, draw(st.sampled_from(files))))
    return files, include, exclude


def _glob_matching(draw: st.DrawFn, path: str) -> str:
    """A glob that matches `path`, each name of it generalized one way or another."""
    parts = path.split("/")
    hows = draw(st.lists(st.integers(0, 7), min_size=len(parts), max_size=len(parts)))
    return "/".join(
        piece for part, how in zip(parts, hows, strict=True) for piece in _generalize(part, how)
    )


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
    # Again: the exclude globs' paths are now known to the index, whatever the first took.
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


@pytest.mark.parametrize(
    "glob",
    ["**/src/main.rs", "**/a/src/*.rs", "**/src/**/*.rs", "deploy/**/.github/*", "**/a/**/b*"],
)
def test_literal_folders_after_a_globstar_agree_with_globmatch(glob: str) -> None:
    files = [
        "src/main.rs", "a/src/main.rs", "a/b/src/main.rs", "src/a/main.rs", "srcs/main.rs",
        "a/src/lib.rs", "a/src/x/lib.rs", "src/x.rs", "deploy/.github/ci", "deploy/a/.github/c",
        "deploy/.github/a/c", "a/b", "a/x/b.txt", "x/a/b", "a/bb", "ab/b",
    ]  # fmt: skip
    check_select(files, [glob], [])
    assert FileIndex(files).compile([glob]).include[0].form == "name"  # string tests, no regex


@settings(max_examples=300, deadline=None)
@given(files_and_globs())
def test_select_agrees_with_globmatch_on_globs_made_from_the_paths(
    case: tuple[list[str], list[str], list[str]],
) -> None:
    check_select(*case)


odd_paths = st.lists(
    st.builds(
        lambda folders, name, lead: lead + "/".join([*folders, name]),
        st.lists(st.sampled_from([*FOLDERS, "..", ".", ""]), max_size=3),
        st.sampled_from([*NAMES, "..", "."]),
        st.sampled_from(["", "/", "./"]),
    ),
    max_size=25,
    unique=True,
)


@settings(max_examples=300, deadline=None)
@given(odd_paths, st.lists(globs, min_size=1, max_size=3))
@example(files=["a//a"], include=["a/a"])  # a literal glob: wcmatch reads `//` as `/`
def test_matching_agrees_with_globmatch_on_paths_no_snapshot_lists(
    files: list[str], include: list[str]
) -> None:
    """Refused entries (`../x`, absolute paths) are matched too, to say which a rule
    passed over: the string tests leave such paths to wcmatch."""
    assert sorted(matching(files, include)) == list(reference(files, include, []))


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


# -- globs a pack may not use ------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("", "a glob may not be empty"),
        ("/etc/*", "glob '/etc/*' is absolute; globs are relative to the snapshot root"),
        ("../x", "glob '../x' leaves the snapshot root ('..' is not allowed)"),
        ("a/../../x", "glob 'a/../../x' leaves the snapshot root ('..' is not allowed)"),
        (
            "{a,..}/x",
            "glob '{a,..}/x' (its alternative '../x') leaves the snapshot root "
            "('..' is not allowed)",
        ),
        ("a/..", "glob 'a/..' leaves the snapshot root ('..' is not allowed)"),
        ("a\\b", "glob 'a\\\\b' uses a backslash; paths are POSIX, use '/'"),
        (
            "vendor/",
            "'vendor/' can never match a file (paths name files, not folders): write 'vendor/**'",
        ),
        (
            "deploy/**/",
            "'deploy/**/' can never match a file (paths name files, not folders): "
            "write 'deploy/**'",
        ),
        ("**/", "'**/' can never match a file (paths name files, not folders): write '**'"),
        ("./deploy/*.yaml", "'./deploy/*.yaml': paths have no leading './': write 'deploy/*.yaml'"),
        ("./vendor/", "'./vendor/' can never match a file (paths name files, not folders): "
         "write 'vendor/**'"),
        ("deploy//x", "'deploy//x': paths have no empty folder names ('//'): write 'deploy/x'"),
        ("a/./b", "'a/./b': paths have no '.' folders: write 'a/b'"),
        ("a/.", "'a/.': paths have no '.' folders: write 'a/**'"),
        (".", "'.': paths have no '.' folders: write '**'"),
        ("{a,b}/", "'{a,b}/' can never match a file (paths name files, not folders): "
         "write '{a,b}/**'"),
        (
            "{vendor/,src/**}",
            "'{vendor/,src/**}' (its alternative 'vendor/') can never match a file "
            "(paths name files, not folders): write 'vendor/**' for that alternative",
        ),
        (
            "a/{,b}/c",
            "'a/{,b}/c' (its alternative 'a//c'): paths have no empty folder names ('//'): "
            "write 'a/c' for that alternative",
        ),
        (
            "{a,}/x",
            "glob '{a,}/x' (its alternative '/x') is absolute; globs are relative to the "
            "snapshot root",
        ),
    ],
)  # fmt: skip
def test_globs_a_pack_may_not_use(pattern: str, problem: str) -> None:
    assert glob_problem(pattern) == problem


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (
            "services/",
            "'services/' can never match a folder (folder paths have no trailing '/'): "
            "write 'services' for that folder or 'services/*' for each folder in it",
        ),
        (
            "services/**/",
            "'services/**/' can never match a folder (folder paths have no trailing '/'): "
            "write 'services/**'",
        ),
        ("./services/*", "'./services/*': paths have no leading './': write 'services/*'"),
        (
            ".",
            "'.': paths have no '.' folders: in_each matches folders below the root; "
            "leave it out to check the root",
        ),
    ],
)
def test_folder_globs_of_in_each_that_can_never_match(pattern: str, problem: str) -> None:
    assert glob_problem(pattern, folders=True) == problem


@pytest.mark.parametrize(
    "pattern", ["**/*.yaml", "a..b/*", "..hidden", "x/...", "{a,b}/**", ".*", "**/.github/*"]
)
def test_globs_a_pack_may_use(pattern: str) -> None:
    assert glob_problem(pattern) is None
    assert glob_problem(pattern, folders=True) is None


def _spoil(glob: str, how: int, at: int) -> tuple[str, str]:
    """`glob` written one of five ways no snapshot path is written, and the fix to expect."""
    names = glob.split("/")
    folder_fix = glob if glob.endswith("**") else glob + "/**"
    inner = 1 + at % (len(names) - 1) if len(names) > 1 else 0
    spoiled = [
        ("./" + glob, glob),
        (glob + "/", folder_fix),
        (glob + "/.", folder_fix),
        ("/".join([*names[: at % len(names)], ".", *names[at % len(names) :]]), glob),
        ("/".join([*names[:inner], "", *names[inner:]]), glob)
        if inner
        else (glob + "//", folder_fix),
    ]
    return spoiled[how]


@st.composite
def spoiled_globs(draw: st.DrawFn) -> tuple[list[str], str, str, str, bool]:
    """Paths, a glob made from one of them (or from a folder), and that glob spoiled."""
    files = draw(paths.filter(bool))
    folders = draw(st.booleans()) and bool(FileIndex(files).folders())
    targets = list(FileIndex(files).folders()) if folders else files
    glob = _glob_matching(draw, draw(st.sampled_from(targets)))
    spoiled, fix = _spoil(glob, draw(st.integers(0, 4)), draw(st.integers(0, 10)))
    return targets, glob, spoiled, fix, folders


@settings(max_examples=300, deadline=None)
@given(spoiled_globs())
def test_a_glob_refused_as_never_matching_matches_no_path(
    case: tuple[list[str], str, str, str, bool],
) -> None:
    paths_, glob, spoiled, fix, folders = case
    assert check_glob(glob, folders=folders) is None
    assert reference(paths_, [glob], [])  # the glob it was spoiled from matches a path
    problem = check_glob(spoiled, folders=folders)
    assert problem is not None
    if folders and fix.endswith("/**") and not glob.endswith("**"):
        assert problem.message.endswith(
            f": write {glob!r} for that folder or {glob + '/*'!r} for each folder in it"
        )
    else:
        assert problem.message.endswith(f": write {fix!r}"), problem.message
    assert check_glob(fix, folders=folders) is None
    if "//" in spoiled.rstrip("/"):  # ambiguous: wcmatch reads `//` as `/`, a literal does not
        assert not problem.never_matches
        assert reference(paths_, [spoiled], []) == reference(paths_, [glob], [])
    else:
        assert problem.never_matches
        assert reference(paths_, [spoiled], []) == ()
    # A dead alternative is refused too, though the glob still matches through the others.
    either = check_glob(f"{{{glob},{spoiled}}}", folders=folders)
    assert either is not None and not either.never_matches


rough_component = st.one_of(component, st.sampled_from([".", "", "..", "{a/,b}", "{,a}", "{.,a}"]))
rough_globs = st.builds(
    lambda names, slash: "/".join(names) + slash,
    st.lists(rough_component, min_size=1, max_size=4),
    st.sampled_from(["", "", "", "/"]),
)


@settings(max_examples=300, deadline=None)
@given(paths, rough_globs)
def test_every_glob_is_refused_as_never_matching_or_answered_as_wcmatch_does(
    files: list[str], glob: str
) -> None:
    problem = check_glob(glob)
    if problem is None:
        assert FileIndex(files).select([glob]) == reference(files, [glob], [])
        folders = list(FileIndex(files).folders())
        assert FileIndex(folders).select([glob]) == reference(folders, [glob], [])
    elif problem.never_matches:
        assert reference(files, [glob], []) == ()
    else:
        assume(False)  # refused as ambiguous or invalid: nothing to compare


def test_literal_paths_are_the_globs_that_name_one_path() -> None:
    assert literal_paths(["README.md", "docs/*.md", "{SECURITY,security}.md", "a/[bc]"]) == (
        "README.md",
        "SECURITY.md",
        "security.md",
    )
    assert literal_paths(["a.md", "{a,b}.md"]) == ("a.md", "b.md")  # each once, in order


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab./*?[]{},!", max_size=12))
def test_literal_paths_agree_with_wcmatch(pattern: str) -> None:
    named = literal_paths([pattern])
    for path in named:  # each stands for itself in the glob, as wcmatch reads it
        assert wc.globmatch(path, pattern, flags=FLAGS)
        assert not wc.is_magic(path, flags=FLAGS & ~wc.BRACE) or "]" in path
    if "{" not in pattern and not wc.is_magic(pattern, flags=FLAGS):
        assert named == (pattern,)
