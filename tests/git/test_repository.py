"""engine/git/repository.py: finding the repository of a folder as git does, revisions,
listings, the hooks folder; and what the CLI says when git cannot or will not read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.errors import InputError
from engine.git.entries import MODE_EXECUTABLE, MODE_FILE, MODE_SYMLINK, GitEntry
from engine.git.repository import (
    Repository,
    head_commit,
    hooks_path,
    list_index,
    list_tree,
    locate,
    resolve_commit,
)
from tests.conftest import git

EXISTS_PACK = "{file: {exists: ['**/*.txt']}}"
SECRET_PACK = "{file: {paths: ['**/*'], not_contains: SECRET}}"


def findings(run) -> list[str]:
    return [f"{f['path']}:{f['line']}" for f in run.result()["findings"]]


def bare_clone(repo: Path) -> Path:
    bare = repo.parent / f"{repo.name}-bare.git"
    git(repo.parent, "clone", "-q", "--bare", str(repo), str(bare))
    return bare


# -- locate ---------------------------------------------------------------------------


def test_locate_a_work_tree_and_a_folder_in_it(make_repo) -> None:
    repo = make_repo({"sub/deeper/a.txt": "x\n"}).resolve()
    git_dir = repo / ".git"

    assert locate(repo) == Repository(git_dir, git_dir, False, False, repo, "")
    assert locate(repo / "sub" / "deeper") == Repository(
        git_dir, git_dir, False, False, repo, "sub/deeper"
    )


def test_locate_a_linked_worktree_and_a_git_file(make_repo, tmp_path) -> None:
    repo = make_repo({"a.txt": "x\n"}).resolve()
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", str(linked))
    found = locate(linked)
    assert found == Repository(
        repo / ".git" / "worktrees" / "linked", repo / ".git", False, False, linked, ""
    )
    assert found.cwd == linked
    separate = tmp_path / "separate"
    separate.mkdir()
    git(separate, "init", "-q", f"--separate-git-dir={tmp_path / 'elsewhere.git'}")
    assert locate(separate) == Repository(
        tmp_path / "elsewhere.git", tmp_path / "elsewhere.git", False, False, separate, ""
    )


def test_locate_a_bare_repository_and_a_git_dir(make_repo, tmp_path) -> None:
    repo = make_repo({"a.txt": "x\n"}).resolve()
    bare = bare_clone(repo)

    assert locate(bare / "refs") == Repository(bare, bare, True, True, None, None)
    assert locate(bare).cwd == bare
    inside = locate(repo / ".git" / "objects")
    assert inside == Repository(repo / ".git", repo / ".git", False, True, None, None)


def test_locate_outside_git_is_none(tmp_path) -> None:
    assert locate(tmp_path) is None


def test_a_bare_repository_without_a_config_file_is_bare_as_git_sees_it(
    make_repo, evaluate, check_pack, policy, write_pack, tmp_path
) -> None:
    repo = make_repo({"a.txt": "SECRET\n"})
    bare = bare_clone(repo)
    (bare / "config").unlink()

    assert locate(bare) == Repository(bare, bare, True, True, None, None)
    run = evaluate(bare, check_pack(SECRET_PACK), "--ref", "main")
    assert (run.exit_code, findings(run)) == (1, ["a.txt:1"])
    staged = policy("eval", bare, "--staged", "--pack", write_pack(check_pack(EXISTS_PACK)))
    assert (staged.exit_code, staged.stderr) == (
        2,
        f"policy: error: --staged: {bare} is a bare repository, which has no index\n",
    )


# -- where a work tree is read from ---------------------------------------------------


def test_the_work_tree_of_a_bare_repository_or_a_git_dir_is_bad_input(
    make_repo, policy, write_pack, check_pack, tmp_path
) -> None:
    """Read as a plain folder, these would be git's own files."""
    repo = make_repo({"a.txt": "x\n"})
    bare = bare_clone(repo)
    pack = write_pack(check_pack(EXISTS_PACK))

    in_bare = policy("eval", bare, "--pack", pack)
    in_git_dir = policy("eval", repo / ".git", "--pack", pack)

    assert (in_bare.exit_code, in_bare.stderr) == (
        2,
        f"policy: error: {bare.resolve()} is a bare repository, which has no work tree\n",
    )
    assert (in_git_dir.exit_code, in_git_dir.stderr) == (
        2,
        f"policy: error: {repo.resolve() / '.git'} is inside the .git folder, not the work tree\n",
    )


def test_core_worktree_elsewhere_does_not_widen_what_is_read(
    make_repo, policy, write_pack, check_pack, tmp_path
) -> None:
    repo = make_repo({"a.txt": "fine\n"})
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "secret.txt").write_text("SECRET\n")
    git(repo, "config", "core.worktree", str(canary))
    pack = write_pack(check_pack(SECRET_PACK))

    worktree = policy("eval", repo, "--pack", pack)
    staged = policy("eval", repo, "--staged", "--pack", pack)

    assert (worktree.exit_code, worktree.stderr) == (
        2,
        f"policy: error: {repo.resolve()} is not inside the work tree of {canary}\n",
    )
    assert (staged.exit_code, staged.stderr) == (
        2,
        f"policy: error: --staged: {repo} is not inside the work tree of {canary}\n",
    )


def test_core_worktree_above_the_repository_reads_only_the_folder_asked(
    make_repo, evaluate, check_pack, tmp_path
) -> None:
    repo = make_repo({"a.txt": "SECRET\n"})
    (tmp_path / "beside.txt").write_text("SECRET, not in the repository\n")
    git(repo, "config", "core.worktree", str(tmp_path))

    run = evaluate(repo, check_pack(SECRET_PACK))

    assert (run.exit_code, findings(run)) == (1, ["a.txt:1"])
    assert run.report["snapshot"]["root"] == str(repo.resolve())


def test_without_git_a_ref_is_one_line_and_a_work_tree_a_plain_folder(
    make_repo, evaluate, check_pack, policy, write_pack, tmp_path
) -> None:
    repo = make_repo({"a.txt": "SECRET\n"})
    no_git = tmp_path / "bin-without-git"
    no_git.mkdir()
    pack = write_pack(check_pack(SECRET_PACK))

    for option in ("--ref", "--new-since"):
        done = policy("eval", repo, option, "HEAD", "--pack", pack, env={"PATH": str(no_git)})
        assert (done.exit_code, done.stderr) == (
            2,
            f"policy: error: {option}: git is not installed (not found on PATH)\n",
        )
    walked = evaluate(repo, pack, env={"PATH": str(no_git)})
    assert walked.exit_code == 1
    assert "a.txt:1" in findings(walked)


# -- revisions and listings -----------------------------------------------------------


def test_a_ref_may_be_any_revision_syntax_git_accepts(make_repo, evaluate, check_pack) -> None:
    repo = make_repo({"a.txt": "SECRET\n"})
    first = git(repo, "rev-parse", "HEAD").strip()
    (repo / "a.txt").write_text("clean\n")
    git(repo, "commit", "-q", "-am", "tidy: remove the secret")

    for ref in (":/initial", "HEAD^{/initial}", "@~1", "main@{1}"):
        run = evaluate(repo, check_pack(SECRET_PACK), "--ref", ref)
        assert (run.exit_code, run.report["snapshot"]["commit"]) == (1, first), ref
    assert resolve_commit(repo, ":/tidy", "--ref", repo) == head_commit(repo)


def test_resolve_commit_names_the_option_and_what_the_ref_names(make_repo) -> None:
    repo = make_repo({"a.txt": "x\n"})

    with pytest.raises(InputError) as blob:
        resolve_commit(repo, "HEAD:a.txt", "BASE", repo)
    with pytest.raises(InputError) as unknown:
        resolve_commit(repo, ":/no commit says this", "--new-since", repo)

    assert str(blob.value) == "error: BASE HEAD:a.txt: names a blob, not a commit"
    assert str(unknown.value) == (
        f"error: --new-since :/no commit says this: unknown ref in {repo}"
    )


def test_list_tree_and_list_index(make_repo) -> None:
    repo = make_repo({"sub/a.txt": "a\n", "run.sh": "#!/bin/sh\n"})
    os.chmod(repo / "run.sh", 0o755)
    os.symlink("sub/a.txt", repo / "link")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "more")
    ids = {p: git(repo, "rev-parse", f"HEAD:{p}").strip() for p in ("sub/a.txt", "run.sh", "link")}

    assert list_tree(repo, "HEAD:sub") == {"a.txt": GitEntry(MODE_FILE, ids["sub/a.txt"])}
    assert list_tree(repo, "HEAD^{tree}") == {
        "link": GitEntry(MODE_SYMLINK, ids["link"]),
        "run.sh": GitEntry(MODE_EXECUTABLE, ids["run.sh"]),
        "sub/a.txt": GitEntry(MODE_FILE, ids["sub/a.txt"]),
    }
    assert list_tree(repo, "HEAD:run.sh") is None  # a blob is no tree
    assert list_tree(repo, "HEAD:nowhere") is None
    assert list_index(repo / "sub") == [("sub/a.txt", GitEntry(MODE_FILE, ids["sub/a.txt"]), "0")]
    assert list_index(repo) == [
        ("link", GitEntry(MODE_SYMLINK, ids["link"]), "0"),
        ("run.sh", GitEntry(MODE_EXECUTABLE, ids["run.sh"]), "0"),
        ("sub/a.txt", GitEntry(MODE_FILE, ids["sub/a.txt"]), "0"),
    ]


def test_head_commit_before_and_after_the_first_commit(make_repo) -> None:
    repo = make_repo({"a.txt": "x\n"}, commit=False)
    assert head_commit(repo) is None
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    assert head_commit(repo) == git(repo, "rev-parse", "HEAD").strip()


# -- hooks ----------------------------------------------------------------------------


def test_hooks_path_follows_core_hooks_path_as_git_does(make_repo, tmp_path, monkeypatch) -> None:
    repo = make_repo({"a.txt": "x\n"}).resolve()
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", str(linked))
    bare = bare_clone(repo)
    monkeypatch.setenv("HOME", str(tmp_path))

    def hooks(folder: Path) -> Path:
        found = locate(folder)
        assert found is not None
        return hooks_path(found)

    assert hooks(repo / ".git") == repo / ".git" / "hooks"
    assert hooks(linked) == repo / ".git" / "hooks"  # shared by every worktree
    git(repo, "config", "core.hooksPath", "tools/hooks")
    assert hooks(linked) == linked / "tools" / "hooks"  # relative: to where hooks run
    git(repo, "config", "core.hooksPath", "~/my-hooks")
    assert hooks(repo) == tmp_path / "my-hooks"
    git(bare, "config", "core.hooksPath", "tools/hooks")
    assert hooks(bare / "refs") == bare / "tools" / "hooks"


def test_hook_install_outside_git_or_on_a_file_is_bad_input(policy, make_repo, tmp_path) -> None:
    repo = make_repo({"a.txt": "x\n"})

    on_file = policy("hook", "install", repo / "a.txt")

    assert (on_file.exit_code, on_file.stderr) == (
        2,
        f"policy: error: {repo / 'a.txt'}: not a folder\n",
    )
