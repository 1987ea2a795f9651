"""A tree listed from the one before it is the tree `git ls-tree -r` lists, in its order.

Differential: random commits (files written, removed, made executable or
symlinks, a file replaced by a folder of the same name, submodule entries,
some set to `ignore = all` in .gitmodules, names that sort around `/`), each
listed from the commit before, against `list_tree` of the same tree; also
under a subfolder, which an earlier commit may not have.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from engine.git.repository import list_tree
from engine.git.tree_listing import TreeListings, changed_entries
from tests.conftest import commit_all, git, repository_examples

# Around "/" in byte order, and two names that sort one way as text and the other as
# bytes (a name that is not UTF-8, kept as a surrogate escape, and U+FF21).
NAMES = ["a", "a.b", "a-b", "a0", "b/c", "b/d e", "b/é", "b/\udcff", "b/\uff21", "sub/x"]
NAMES += ["sub/y/z"]
SUBMODULE_COMMIT = "0123456789abcdef0123456789abcdef01234567"
GITMODULES = "".join(
    f'[submodule "{name}"]\n\tpath = {name}\n\turl = ../{name}\n\tignore = all\n'
    for name in ("m", "sub/m")
)

OPERATION = st.one_of(
    st.tuples(st.just("write"), st.sampled_from(NAMES), st.sampled_from(["1\n", "2\n", ""])),
    st.tuples(st.just("remove"), st.sampled_from(NAMES), st.just("")),
    st.tuples(st.just("executable"), st.sampled_from(NAMES), st.just("")),
    st.tuples(st.just("symlink"), st.sampled_from(NAMES), st.sampled_from(["a", "b", "../x"])),
    st.tuples(st.just("folder"), st.sampled_from(["a", "a0", "sub"]), st.just("")),
    st.tuples(
        st.just("submodule"),
        st.sampled_from(["m", "sub/m"]),
        st.sampled_from([SUBMODULE_COMMIT, SUBMODULE_COMMIT[::-1]]),
    ),
    # diff-tree would leave out changes of submodules set to `ignore = all`
    st.tuples(st.just("write"), st.just(".gitmodules"), st.just(GITMODULES)),
)
COMMITS = st.lists(st.lists(OPERATION, max_size=5), min_size=2, max_size=5)


def remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        for child in sorted(path.rglob("*"), reverse=True):
            child.unlink() if not child.is_dir() or child.is_symlink() else child.rmdir()
        path.rmdir()


def apply(repo: Path, operation: tuple[str, str, str]) -> None:
    kind, name, value = operation
    path = repo / name
    git(repo, "rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", name)
    if kind == "remove":
        remove(path)
        return
    if kind == "executable":
        if path.is_file() and not path.is_symlink():
            path.chmod(0o755)
        return
    for parent in path.parents:  # a file where a folder must be
        if parent != repo and (parent.is_file() or parent.is_symlink()):
            where = str(parent.relative_to(repo))
            git(repo, "rm", "-q", "--cached", "--ignore-unmatch", "--", where)
            parent.unlink()
    remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "write":
        path.write_text(value, encoding="utf-8")
    elif kind == "symlink":
        os.symlink(value, path)
    elif kind == "submodule":  # not checked out: an empty folder
        path.mkdir()
        git(repo, "update-index", "--add", "--cacheinfo", f"160000,{value},{name}")
    else:  # a folder of the same name
        path.mkdir()
        (path / "inside").write_text("in\n", encoding="utf-8")


@repository_examples(40)
@given(commits=COMMITS)
def test_trees_listed_from_the_one_before_are_those_ls_tree_lists(
    tmp_path_factory: Any, commits: list[list[tuple[str, str, str]]]
) -> None:
    repo = tmp_path_factory.mktemp("repo")
    git(repo, "init", "-q")
    ids = []
    for n, operations in enumerate(commits):
        for operation in operations:
            apply(repo, operation)
        ids.append(commit_all(repo, f"c{n}"))
    for tree_of in (lambda c: f"{c}^{{tree}}", lambda c: f"{c}:sub"):
        listings = TreeListings()
        for commit_id in ids:
            tree = tree_of(commit_id)
            listed = listings.list(repo, tree)
            expected = list_tree(repo, tree)
            assert (None if listed is None else list(listed.items())) == (
                None if expected is None else list(expected.items())
            )


def test_changes_between_two_trees_are_read_as_git_names_them(tmp_path: Path) -> None:
    repo = tmp_path
    git(repo, "init", "-q")
    (repo / "kept").write_text("1\n", encoding="utf-8")
    (repo / "gone").write_text("1\n", encoding="utf-8")
    commit_all(repo, "one")
    (repo / "gone").unlink()
    (repo / "kept").write_text("2\n", encoding="utf-8")
    (repo / "new name").write_text("3\n", encoding="utf-8")
    commit_all(repo, "two")
    changes = changed_entries(repo, "HEAD~1^{tree}", "HEAD^{tree}")
    assert changes is not None
    blob = git(repo, "rev-parse", "HEAD:kept").strip()
    added = git(repo, "rev-parse", "HEAD:new name").strip()
    assert [(path, entry and (entry.mode, entry.object_id)) for path, entry in changes] == [
        ("gone", None),
        ("kept", ("100644", blob)),
        ("new name", ("100644", added)),
    ]
    assert changed_entries(repo, "HEAD~1:nowhere", "HEAD^{tree}") is None


def test_submodules_set_to_be_ignored_are_listed_as_ls_tree_lists_them(tmp_path: Path) -> None:
    repo = tmp_path
    git(repo, "init", "-q")
    (repo / "a.txt").write_text("a\n", encoding="utf-8")
    first = commit_all(repo, "one")
    (repo / ".gitmodules").write_text(GITMODULES, encoding="utf-8")
    (repo / "m").mkdir()  # an empty folder: a submodule not checked out
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{SUBMODULE_COMMIT},m")
    added = commit_all(repo, "a submodule git is told to ignore")
    other = SUBMODULE_COMMIT[::-1]
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{other},m")
    moved = commit_all(repo, "the submodule at another commit")
    git(repo, "rm", "-q", "--cached", "m")
    (repo / "m").rmdir()
    removed = commit_all(repo, "no submodule")
    listings = TreeListings()
    for commit_id in (first, added, moved, removed):
        tree = f"{commit_id}^{{tree}}"
        listed = listings.list(repo, tree)
        assert listed is not None
        assert list(listed.items()) == list((list_tree(repo, tree) or {}).items())
    assert "m" not in listed
