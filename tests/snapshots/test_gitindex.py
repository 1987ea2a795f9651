"""`policy eval --staged`: the index, exactly what `git commit` would record."""

from __future__ import annotations

import os
import subprocess

from engine.snapshots.gitindex import GitIndexSnapshot
from tests.conftest import git

SECRET_PACK = "{file: {paths: ['**/*'], not_contains: SECRET}}"
EXISTS_PACK = "{file: {exists: ['**/*.txt']}}"


def findings(run) -> list[tuple[str | None, int | None, str]]:
    return [(f["path"], f["line"], f["message"]) for f in run.result()["findings"]]


def test_staged_content_counts_and_unstaged_edits_do_not(make_repo, evaluate, check_pack) -> None:
    repo = make_repo({"a.txt": "fine\n", "b.txt": "fine\n"})
    (repo / "a.txt").write_text("SECRET staged\n")
    git(repo, "add", "a.txt")
    (repo / "a.txt").write_text("fine again, but not staged\n")
    (repo / "b.txt").write_text("SECRET not staged\n")
    (repo / "new.txt").write_text("SECRET untracked\n")

    run = evaluate(repo, check_pack(SECRET_PACK), "--staged")

    assert (run.exit_code, findings(run)) == (1, [("a.txt", 1, "matches /SECRET/")])
    assert run.report["snapshot"] == {
        "kind": "staged",
        "root": str(repo.resolve()),
        "ref": None,
        "commit": git(repo, "rev-parse", "HEAD").strip(),
    }


def test_a_staged_deletion_is_gone_and_a_staged_new_file_is_there(
    make_repo, evaluate, check_pack
) -> None:
    repo = make_repo({"old.txt": "SECRET\n"})
    git(repo, "rm", "-q", "old.txt")
    (repo / "added.txt").write_text("SECRET\n")
    git(repo, "add", "added.txt")

    run = evaluate(repo, check_pack(SECRET_PACK), "--staged")

    assert findings(run) == [("added.txt", 1, "matches /SECRET/")]


def test_an_unstaged_deletion_is_still_there(make_repo, evaluate, check_pack) -> None:
    repo = make_repo({"kept.txt": "x\n"})
    (repo / "kept.txt").unlink()

    assert evaluate(repo, check_pack(EXISTS_PACK), "--staged").status() == "pass"
    assert evaluate(repo, check_pack(EXISTS_PACK)).status() == "fail"


def test_a_path_added_with_intent_to_add_is_not_committed_so_not_there(make_repo) -> None:
    repo = make_repo({"a.txt": "x\n", "empty.txt": None})
    (repo / "later.txt").write_text("not staged yet\n")
    (repo / "also-empty.txt").write_text("")
    git(repo, "add", "-N", "later.txt")
    git(repo, "add", "also-empty.txt")
    snapshot = GitIndexSnapshot.open(repo)
    try:
        assert snapshot.files() == ("a.txt", "also-empty.txt", "empty.txt")
    finally:
        snapshot.close()


def test_a_staged_name_with_a_newline_beside_an_intent_to_add(make_repo, evaluate, check_pack):
    repo = make_repo({"new\nline.txt": None, "a.txt": "x\n"})
    (repo / "later.txt").write_text("")
    git(repo, "add", "-N", "later.txt")

    run = evaluate(repo, check_pack("{file: {absent: ['**/*.txt']}}"), "--staged")

    assert run.exit_code == 1, run.stderr
    assert sorted(f["path"] for f in run.result()["findings"]) == ["a.txt", "new\nline.txt"]


def test_works_before_the_first_commit(make_repo, evaluate, check_pack) -> None:
    repo = make_repo({"a.txt": "SECRET\n", "b.txt": "ok\n"}, commit=False)
    git(repo, "add", "a.txt")

    run = evaluate(repo, check_pack(SECRET_PACK), "--staged")

    assert (run.exit_code, findings(run)) == (1, [("a.txt", 1, "matches /SECRET/")])
    assert run.report["snapshot"]["commit"] is None


def test_a_subfolder_is_the_snapshot_root(make_repo, evaluate, check_pack) -> None:
    repo = make_repo({"svc/a.txt": "x\n", "other/b.txt": "x\n"})
    (repo / "svc" / "c.txt").write_text("SECRET\n")
    git(repo, "add", "svc/c.txt")

    run = evaluate(repo / "svc", check_pack(SECRET_PACK), "--staged")

    assert findings(run) == [("c.txt", 1, "matches /SECRET/")]


def test_the_staged_executable_bit_and_symlinks(make_repo) -> None:
    repo = make_repo({"run.sh": "#!/bin/sh\n", "a.txt": "a\n"})
    os.chmod(repo / "run.sh", 0o755)
    os.symlink("a.txt", repo / "link")
    git(repo, "add", "-A")
    snapshot = GitIndexSnapshot.open(repo)
    try:
        assert snapshot.files() == ("a.txt", "link", "run.sh")
        assert snapshot.is_executable("run.sh") is True
        assert snapshot.read_bytes("link") == b"a\n"
    finally:
        snapshot.close()


def test_a_merge_with_conflicts_is_bad_input(make_repo, policy, write_pack, check_pack) -> None:
    repo = make_repo({"a.txt": "base\n", "b.txt": "base\n"})
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "a.txt").write_text("other\n")
    (repo / "b.txt").write_text("other\n")
    git(repo, "commit", "-q", "-am", "other")
    git(repo, "checkout", "-q", "main")
    (repo / "a.txt").write_text("main\n")
    (repo / "b.txt").write_text("main\n")
    git(repo, "commit", "-q", "-am", "main")
    merge = subprocess.run(["git", "merge", "-q", "other"], cwd=repo, capture_output=True)
    assert merge.returncode != 0  # the merge stops on conflicts

    done = policy("eval", repo, "--staged", "--pack", write_pack(check_pack(EXISTS_PACK)))

    assert done.exit_code == 2
    assert done.stderr == (
        "policy: error: --staged: the index has unresolved merge conflicts in 2 file(s) "
        "(a.txt, b.txt); resolve them and `git add` the result first\n"
    )


def test_a_bare_repository_has_no_index(make_repo, policy, write_pack, check_pack, tmp_path):
    repo = make_repo({"a.txt": "x"})
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))

    done = policy("eval", bare, "--staged", "--pack", write_pack(check_pack(EXISTS_PACK)))

    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: --staged: {bare} is a bare repository, which has no index\n",
    )


def test_outside_a_git_repository_is_bad_input(tmp_path, policy, write_pack, check_pack) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()

    done = policy("eval", folder, "--staged", "--pack", write_pack(check_pack(EXISTS_PACK)))

    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: --staged: {folder} is not inside a git repository\n",
    )


def test_the_config_and_packs_come_from_the_index(make_repo, policy) -> None:
    pack = (
        "apiVersion: rulepack/v1\nname: local\nversion: 1.0.0\n"
        "categories: [{id: c, title: C}]\n"
        "rules:\n  - {id: r, title: T, category: c, check: {file: {exists: [{glob}]}}}\n"
    )
    repo = make_repo(
        {
            ".rulepack.yaml": "packs: [./policy.yaml]\n",
            "policy.yaml": pack.replace("{glob}", "staged.txt"),
        }
    )
    (repo / "staged.txt").write_text("x\n")
    git(repo, "add", "staged.txt")
    (repo / "policy.yaml").write_text(pack.replace("{glob}", "nothing-like-this.txt"))

    staged = policy("eval", repo, "--staged", "--format", "json")
    worktree = policy("eval", repo, "--format", "json")

    assert (staged.exit_code, worktree.exit_code) == (0, 1)
