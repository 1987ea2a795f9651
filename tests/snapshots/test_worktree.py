"""The working tree: nothing outside the root is read, however the repository is arranged.

Each test puts a canary file outside the root and points the repository at
it (symlinked folders git still lists, a file swapped for a symlink, a
pack folder that is a link); its content never appears in any report.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import git

CANARY = "CANARY-7c1e-outside-the-root"
CONTENT_PACK = "{file: {paths: ['**'], not_contains: CANARY}}"


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the repositories holding the canary file `secret`."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret").write_text(f"{CANARY}\n")
    return folder


def notes(run) -> list[tuple[str, str]]:
    return [(n["path"], n["message"]) for n in run.result()["notes"]]


def unchanged_in_the_index(repo: Path, path: str) -> None:
    """Mark `path` as git's `assume-unchanged` (an index from anywhere may say so), so that
    git keeps listing it whatever the disk holds."""
    git(repo, "update-index", "--assume-unchanged", path)


@pytest.mark.parametrize("subfolder", ["", "app"])
@pytest.mark.parametrize("flag", ["--assume-unchanged", "--skip-worktree"])
def test_a_listed_path_through_a_symlinked_folder_is_not_read(
    make_repo, evaluate, check_pack, outside, subfolder, flag
) -> None:
    prefix = f"{subfolder}/" if subfolder else ""
    repo = make_repo({f"{prefix}conf/secret": "fine\n", f"{prefix}ok.txt": "fine\n"})
    git(repo, "update-index", flag, f"{prefix}conf/secret")  # git lists it, unseen
    root = repo / subfolder
    for name in os.listdir(root / "conf"):
        os.unlink(root / "conf" / name)
    os.rmdir(root / "conf")
    os.symlink(os.path.relpath(outside, root), root / "conf")

    run = evaluate(root, check_pack(CONTENT_PACK))

    assert (run.exit_code, run.status()) == (0, "pass")
    assert notes(run) == [
        ("conf", "not read: symlink leaves the snapshot root"),
        ("conf/secret", "not read: conf is a symlink (not followed)"),
    ]
    assert CANARY not in json_text(run)


def test_a_tracked_file_behind_a_folder_swapped_for_a_symlink_is_not_listed(
    make_repo, evaluate, check_pack, outside
) -> None:
    repo = make_repo({"conf/secret": "fine\n", "ok.txt": "fine\n"})
    (repo / "conf" / "secret").unlink()
    (repo / "conf").rmdir()
    os.symlink(os.path.relpath(outside, repo), repo / "conf")

    run = evaluate(repo, check_pack(CONTENT_PACK))

    # git looks, finds a symlink on the way and calls the file deleted
    assert (run.exit_code, run.status()) == (0, "pass")
    assert notes(run) == [("conf", "not read: symlink leaves the snapshot root")]
    assert CANARY not in json_text(run)


def test_a_listed_file_swapped_for_a_symlink_is_not_read(
    make_repo, evaluate, check_pack, outside
) -> None:
    repo = make_repo({"values.yaml": "fine: true\n"})
    unchanged_in_the_index(repo, "values.yaml")
    os.unlink(repo / "values.yaml")
    os.symlink(outside / "secret", repo / "values.yaml")
    pack = check_pack("{manifest: {files: ['*.yaml'], assert: 'fine'}}")

    content = evaluate(repo, check_pack(CONTENT_PACK))
    manifest = evaluate(repo, pack)

    assert notes(content) == [("values.yaml", "not read: a symlink in place of the listed file")]
    assert manifest.status() == "skip"
    assert CANARY not in json_text(content) + json_text(manifest)


def test_outside_git_the_walk_follows_no_folder_link(
    make_repo, evaluate, check_pack, outside
) -> None:
    root = make_repo({"ok.txt": "fine\n"}, git_init=False)
    os.symlink(os.path.relpath(outside, root), root / "linked")
    os.symlink("linked/secret", root / "through-the-link")

    run = evaluate(root, check_pack(CONTENT_PACK))

    assert (run.exit_code, run.status()) == (0, "pass")
    assert notes(run) == [
        ("linked", "not read: symlink leaves the snapshot root"),
        ("through-the-link", "not read: symlink leaves the snapshot root"),
    ]


def test_without_git_the_walk_leaves_out_the_git_folder(
    make_repo, check_pack, write_pack, policy_exe, tmp_path
) -> None:
    repo = make_repo({"ok.txt": "fine\n"})
    (repo / "sub").mkdir()
    (repo / "sub" / ".git").write_text(f"gitdir: ../.git\n# {CANARY}\n")  # a `.git` file
    git(repo, "config", "canary.value", CANARY)
    no_git = tmp_path / "no-git-here"
    no_git.mkdir()
    pack = write_pack(check_pack("{file: {paths: ['**'], not_contains: CANARY}}"))

    done = subprocess.run(
        [policy_exe, "eval", str(repo), "--pack", str(pack), "--format", "json"],
        env={**os.environ, "PATH": str(no_git)},
        capture_output=True,
        text=True,
    )

    assert done.returncode == 0, done.stderr
    assert '"notes": []' in done.stdout
    assert CANARY not in done.stdout + done.stderr
    assert ".git" not in done.stdout


def test_a_pack_folder_that_is_a_symlink_is_not_read(make_repo, policy, outside, pack_text) -> None:
    (outside / "evil.yaml").write_text(pack_text(f"- {{id: {CANARY.lower()}}}\n"))
    repo = make_repo({".rulepack.yaml": "pack_path: [linked]\npacks: [evil]\n"})
    os.symlink(outside, repo / "linked")
    by_file = make_repo({".rulepack.yaml": "packs: [linked/evil.yaml, ../outside/evil.yaml]\n"})
    os.symlink(outside, by_file / "linked")

    by_name = policy("eval", repo, "--format", "json")
    by_path = policy("eval", by_file, "--format", "json")

    assert by_name.exit_code == by_path.exit_code == 2
    assert "unknown pack 'evil'" in by_name.stderr
    assert "cannot read pack linked/evil.yaml: No such file in the snapshot" in by_path.stderr
    assert CANARY.lower() not in by_name.stderr + by_path.stderr


def json_text(run) -> str:
    import json

    return json.dumps(run.report)
