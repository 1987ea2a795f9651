"""`policy eval --ref REV`: a commit's tree read from git objects, never from the disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.errors import InputError
from engine.model.snapshots import Unreadable
from engine.snapshots import open_snapshot
from engine.snapshots.gittree import GitTreeSnapshot
from tests.conftest import git

SECRET_PACK = "{file: {paths: ['**/*'], not_contains: SECRET}}"


def findings(run) -> list[tuple[str | None, int | None, str]]:
    return [(f["path"], f["line"], f["message"]) for f in run.result()["findings"]]


def notes(run) -> list[tuple[str, str]]:
    return [(n["path"], n["message"]) for n in run.result()["notes"]]


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def test_reads_the_commit_not_the_working_tree_nor_the_index(
    make_repo, evaluate, check_pack
) -> None:
    repo = make_repo({"a.txt": "SECRET here\n", "b.txt": "fine\n"})
    commit = git(repo, "rev-parse", "HEAD").strip()
    (repo / "a.txt").write_text("clean now\n")  # unstaged edit
    (repo / "b.txt").write_text("SECRET staged\n")
    git(repo, "add", "b.txt")  # staged edit
    (repo / "c.txt").write_text("SECRET untracked\n")
    status_before = git(repo, "status", "--porcelain=v1")
    index_before = (repo / ".git" / "index").read_bytes()

    run = evaluate(repo, check_pack(SECRET_PACK), "--ref", "HEAD")

    assert (run.exit_code, run.status()) == (1, "fail")
    assert findings(run) == [("a.txt", 1, "matches /SECRET/")]
    assert run.report["snapshot"] == {
        "kind": "ref",
        "root": str(repo.resolve()),
        "ref": "HEAD",
        "commit": commit,
    }
    assert git(repo, "status", "--porcelain=v1") == status_before
    assert (repo / ".git" / "index").read_bytes() == index_before
    assert (repo / "a.txt").read_text() == "clean now\n"


@pytest.mark.parametrize("ref", ["v1", "first", "HEAD~1", "HEAD^{commit}~1", "FULL", "SHORT"])
def test_any_revision_git_accepts(make_repo, evaluate, check_pack, ref) -> None:
    repo = make_repo({"a.txt": "SECRET\n"})
    first = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "tag", "-a", "v1", "-m", "annotated tag")
    git(repo, "branch", "first")
    (repo / "a.txt").write_text("clean\n")
    commit_all(repo, "second")
    given = {"FULL": first, "SHORT": first[:8]}.get(ref, ref)

    run = evaluate(repo, check_pack(SECRET_PACK), "--ref", given)

    assert (run.exit_code, findings(run)) == (1, [("a.txt", 1, "matches /SECRET/")])
    assert (run.report["snapshot"]["ref"], run.report["snapshot"]["commit"]) == (given, first)


def test_works_in_a_bare_repository(make_repo, evaluate, check_pack, tmp_path) -> None:
    repo = make_repo({"src/a.txt": "SECRET\n", "README.md": "# r\n"})
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))

    run = evaluate(bare, check_pack(SECRET_PACK), "--ref", "main")

    assert (run.exit_code, findings(run)) == (1, [("src/a.txt", 1, "matches /SECRET/")])
    assert run.report["snapshot"]["root"] == str(bare.resolve())


def test_a_subfolder_is_the_snapshot_root(make_repo, evaluate, check_pack) -> None:
    repo = make_repo(
        {
            "services/api/main.txt": "SECRET\n",
            "services/api/up": "SECRET\n",
            "top.txt": "SECRET\n",
        }
    )
    os.symlink("../../top.txt", repo / "services/api/up-link")
    commit_all(repo, "link")

    run = evaluate(repo / "services/api", check_pack(SECRET_PACK), "--ref", "HEAD")

    assert findings(run) == [
        ("main.txt", 1, "matches /SECRET/"),
        ("up", 1, "matches /SECRET/"),
    ]
    assert notes(run) == [("up-link", "not read: symlink leaves the snapshot root")]
    assert run.report["snapshot"]["root"] == str((repo / "services/api").resolve())


def test_a_subfolder_missing_from_the_commit_is_bad_input(make_repo, policy, write_pack) -> None:
    repo = make_repo({"a.txt": "x"})
    (repo / "later").mkdir()
    (repo / "later" / "b.txt").write_text("x")
    commit_all(repo, "second")

    done = policy("eval", repo / "later", "--ref", "HEAD~1", "--pack", write_pack(PACK))

    assert done.exit_code == 2
    assert done.stderr == "policy: error: --ref HEAD~1: later is not a folder in that commit\n"


def test_symlinks_are_read_inside_the_root_and_reported_otherwise(make_repo) -> None:
    repo = make_repo({"sub/a.txt": "alpha\n", "run.sh": "#!/bin/sh\n"})
    links = {
        "to-file": "sub/a.txt",
        "sub/up": "../sub/a.txt",
        "via-folder-link": "folder-link/a.txt",
        "folder-link": "sub",
        "to-root": ".",
        "leaves": "../outside.txt",
        "absolute": "/etc/hostname",
        "broken": "missing.txt",
        "loop-a": "loop-b",
        "loop-b": "loop-a",
    }
    for name, target in links.items():
        os.symlink(target, repo / name)
    os.chmod(repo / "run.sh", 0o755)
    commit_all(repo, "links")
    snapshot = GitTreeSnapshot.open(repo, "HEAD")
    try:
        assert snapshot.files() == (
            "run.sh",
            "sub/a.txt",
            "sub/up",
            "to-file",
            "via-folder-link",
        )
        assert snapshot.unreadable() == (
            Unreadable("absolute", "symlink leaves the snapshot root (absolute target)"),
            Unreadable("broken", "broken symlink"),
            Unreadable("folder-link", "symlink to a folder (not followed)"),
            Unreadable("leaves", "symlink leaves the snapshot root"),
            Unreadable("loop-a", "symlink loop"),
            Unreadable("loop-b", "symlink loop"),
            Unreadable("to-root", "symlink to a folder (not followed)"),
        )
        assert snapshot.read_bytes("via-folder-link") == b"alpha\n"
        assert snapshot.size("to-file") == 6
        assert snapshot.is_executable("run.sh") is True
        assert snapshot.is_executable("to-file") is False
    finally:
        snapshot.close()


def test_a_submodule_is_reported_not_silently_passed_over(
    make_repo, evaluate, check_pack, tmp_path
) -> None:
    inner = make_repo({"inner.txt": "SECRET\n"})
    repo = make_repo({"a.txt": "fine\n"})
    git(
        repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "vendor/lib"
    )
    commit_all(repo, "submodule")

    run = evaluate(repo, check_pack(SECRET_PACK), "--ref", "HEAD")

    assert (run.exit_code, run.status()) == (0, "pass")
    assert notes(run) == [("vendor/lib", "not read: submodule (its files are not read)")]


def test_a_blob_over_the_cap_is_measured_and_skipped_over(make_repo) -> None:
    big = b"x" * (3 * 1024 * 1024)
    repo = make_repo({"big.bin": big, "small.txt": "s\n"})
    snapshot = GitTreeSnapshot.open(repo, "HEAD")
    try:
        assert snapshot.read_capped("big.bin", 1024) == len(big)
        assert snapshot.read_capped("small.txt", 1024) == b"s\n"
        assert snapshot.size("big.bin") == len(big)
        assert snapshot.read_bytes("big.bin") == big
        assert snapshot.read_bytes("small.txt") == b"s\n"
    finally:
        snapshot.close()


def test_an_oversized_file_is_noted_not_read(make_repo, evaluate, check_pack) -> None:
    repo = make_repo({"big.txt": "SECRET " * 100, "small.txt": "SECRET\n"})
    pack = check_pack("{file: {paths: ['*.txt'], not_contains: SECRET, max_bytes: 100}}")

    run = evaluate(repo, pack, "--ref", "HEAD")

    assert findings(run) == [("small.txt", 1, "matches /SECRET/")]
    assert notes(run) == [("big.txt", "not read: 700 bytes is over the 100-byte cap")]


PACK = """\
apiVersion: rulepack/v1
name: t
version: 1.0.0
categories: [{id: c, title: C}]
rules:
  - {id: r, title: T, category: c, check: {file: {exists: ["**/*"]}}}
"""


def test_outside_a_git_repository_is_bad_input(tmp_path, policy, write_pack) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()

    done = policy("eval", folder, "--ref", "HEAD", "--pack", write_pack(PACK))

    assert done.exit_code == 2
    assert done.stderr == f"policy: error: --ref: {folder} is not inside a git repository\n"


def test_an_unknown_ref_is_bad_input(make_repo, policy, write_pack) -> None:
    repo = make_repo({"a.txt": "x"})

    done = policy("eval", repo, "--ref", "no-such-branch", "--pack", write_pack(PACK))

    assert done.exit_code == 2
    assert done.stderr == f"policy: error: --ref no-such-branch: unknown ref in {repo.resolve()}\n"


def test_a_ref_that_looks_like_an_option_is_only_a_ref(make_repo, policy, write_pack) -> None:
    repo = make_repo({"a.txt": "x"})

    done = policy("eval", repo, "--ref=--all", "--pack", write_pack(PACK))

    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: --ref --all: unknown ref in {repo.resolve()}\n",
    )


def test_a_ref_to_a_tree_is_not_a_commit(make_repo, policy, write_pack) -> None:
    repo = make_repo({"a.txt": "x"})

    done = policy("eval", repo, "--ref", "HEAD^{tree}", "--pack", write_pack(PACK))

    assert (done.exit_code, done.stderr) == (
        2,
        "policy: error: --ref HEAD^{tree}: names a tree, not a commit\n",
    )


def test_a_repository_without_commits_has_no_ref(make_repo, policy, write_pack) -> None:
    repo = make_repo({"a.txt": "x"}, commit=False)

    done = policy("eval", repo, "--ref", "HEAD", "--pack", write_pack(PACK))

    assert (done.exit_code, done.stderr) == (
        2,
        "policy: error: --ref HEAD: unknown ref (the repository has no commits yet)\n",
    )


def test_ref_and_staged_together_are_bad_input(make_repo, policy, write_pack) -> None:
    repo = make_repo({"a.txt": "x"})

    done = policy("eval", repo, "--ref", "HEAD", "--staged", "--pack", write_pack(PACK))

    assert (done.exit_code, done.stderr) == (
        2,
        "policy: error: --ref and --staged cannot be used together\n",
    )


def test_open_snapshot_gives_a_git_tree_for_a_ref(make_repo) -> None:
    repo = make_repo({"a.txt": "x"})
    snapshot = open_snapshot(repo, "HEAD")
    try:
        assert isinstance(snapshot, GitTreeSnapshot)
        assert snapshot.files() == ("a.txt",)
    finally:
        snapshot.close()
    with pytest.raises(InputError):
        open_snapshot(repo, "nope")
