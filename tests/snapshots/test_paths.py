"""Which snapshot paths are refused: at least every path git refuses, proven against git."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.snapshots.paths import path_problem, refused_paths

#: Names git treats specially, their look-alikes, and plain ones.
NAMES = [
    "a",
    "src",
    "..",
    ".",
    "",
    ".git",
    ".GIT",
    ".Git",
    "git~1",
    "GIT~1",
    "git~2",
    ".git.",
    ".git ",
    ".git. .",
    ".git:x",
    ".git::$INDEX_ALLOCATION",
    ".gitx",
    ".github",
    ".gitignore",
    ".g\u200cit",
    "\ufeff.git",
    ".git\u200e",
    ".gi\u200dt.",
    ".gitmodules",
    ".GITMODULES",
    ".gitmodules.",
    ".gitmodules:x",
    ".g\u200citmodules",
    "gitmod~1",
    "GITMOD~4",
    "gitmod~5",
    "gi7eba~1",
    "gi7eb~12",
    "gi~12345",
    "~1234567",
    "gi7eba~9.",
    "a\\b",
    "..\\x",
    "c:",
    "\u0131",
    "~",
]


def git_accepts(path: str, symlink: bool, index: Path) -> bool:
    """Whether git adds `path` to an index (`verify_path`, both protections on)."""
    mode = "120000" if symlink else "100644"
    blob = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    done = subprocess.run(
        [
            "git",
            "-c",
            "core.protectNTFS=true",
            "-c",
            "core.protectHFS=true",
            "update-index",
            "--index-info",
        ],
        input=f"{mode} {blob}\t{path}\n".encode(),
        cwd=index.parent,
        env={**os.environ, "GIT_INDEX_FILE": str(index)},
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr
    listed = subprocess.run(
        ["git", "ls-files", "-z"],
        cwd=index.parent,
        env={**os.environ, "GIT_INDEX_FILE": str(index)},
        capture_output=True,
        check=True,
    ).stdout
    index.unlink(missing_ok=True)
    return listed == path.encode() + b"\0"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("verify-path")
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    return folder / "scratch-index"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(st.sampled_from(NAMES) | st.text("ag.it~: \\\u200c", max_size=6), max_size=4),
    leading=st.sampled_from(["", "/", "\\", "C:"]),
    symlink=st.booleans(),
)
def test_every_path_git_refuses_is_refused_and_more_only_for_windows_names(
    scratch: Path, names: list[str], leading: str, symlink: bool
) -> None:
    path = leading + "/".join(names)
    refused = path_problem(path, symlink=symlink) is not None
    accepted_by_git = git_accepts(path, symlink, scratch)

    if not accepted_by_git:
        assert refused, f"git refuses {path!r} (symlink={symlink}), rulepack does not"
    if refused and accepted_by_git:  # the only stricter cases: Windows separators and drives
        assert "\\" in path or path[1:2] == ":", f"{path!r} refused, git takes it"


@settings(max_examples=300, deadline=None)
@given(
    listing=st.lists(
        st.lists(
            st.sampled_from(NAMES) | st.text("ag.G/it~:\\ \u200c", max_size=6), max_size=4
        ).map("/".join),
        max_size=8,
    ),
    symlinks=st.booleans(),
)
def test_a_listing_refuses_exactly_what_each_path_would(listing: list[str], symlinks: bool) -> None:
    # refused_paths finds its candidates by searching the joined listing, not path by path
    is_symlink = (lambda path: True) if symlinks else (lambda path: False)
    expected = {
        path: problem
        for path in listing
        if (problem := path_problem(path, symlink=symlinks)) is not None
    }
    assert refused_paths(listing, is_symlink) == expected


@pytest.mark.parametrize(
    ("path", "symlink", "problem"),
    [
        ("../x", False, "`..` in the path"),
        ("a/./b", False, "`.` in the path"),
        ("/etc/passwd", False, "an absolute path"),
        ("C:x", False, "an absolute path"),
        ("a//b", False, "an empty name in the path"),
        ("a/", False, "an empty name in the path"),
        ("", False, "an empty path"),
        (".git/config", False, "`.git` names git's own folder"),
        ("sub/.GIT/hooks/pre-commit", False, "`.GIT` names git's own folder"),
        ("GIT~1/config", False, "`GIT~1` names git's own folder"),
        (".git. /config", False, "`.git. ` names git's own folder"),
        (
            "x/.gitmodules",
            True,
            "a symlink named `.gitmodules` (git refuses a symlinked .gitmodules)",
        ),
        ("x/.gitmodules", False, None),
        (".github/workflows/ci.yml", False, None),
        ("a\\b.txt", False, None),
        ("a\\..\\b", False, "`..` in the path"),
        ("src/main.rs", False, None),
    ],
)
def test_what_each_refusal_says(path: str, symlink: bool, problem: str | None) -> None:
    assert path_problem(path, symlink=symlink) == problem
