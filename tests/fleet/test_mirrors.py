"""`url:` mirrors: bare, blob-less clones that hold the blobs of the evaluated tree only."""

from __future__ import annotations

import os
import subprocess

from engine.fleet.mirrors import mirror_folder, update_mirror
from engine.fleet.repos import FleetEntry
from engine.fleet.task import RepositoryTask, evaluate_repository
from tests.conftest import git
from tests.fleet.fixtures import bare_clone, commit_files


def has_object(repo, oid: str) -> bool:
    """Whether the mirror holds `oid` itself (no transport: a missing one is not fetched)."""
    env = {**os.environ, "GIT_ALLOW_PROTOCOL": "", "GIT_NO_LAZY_FETCH": "1"}
    done = subprocess.run(["git", "cat-file", "-e", oid], cwd=repo, env=env, capture_output=True)
    return done.returncode == 0


def test_only_the_blobs_of_the_evaluated_tree_are_fetched(make_repo, tmp_path) -> None:
    source = make_repo({"old.bin": "x" * 5000, "README.md": "# r\n"})
    old_blob = git(source, "rev-parse", "HEAD:old.bin").strip()
    git(source, "rm", "-q", "old.bin")
    commit_files(source, {"LICENSE": "MIT\n"}, "drop old.bin")
    served = bare_clone(source, tmp_path / "served.git")
    mirror = update_mirror(served.as_uri(), "HEAD")
    assert mirror == mirror_folder(served.as_uri())
    assert has_object(mirror, git(source, "rev-parse", "HEAD:LICENSE").strip())
    assert has_object(mirror, git(source, "rev-parse", "HEAD~1").strip())  # history: yes
    assert not has_object(mirror, old_blob)  # contents of older trees: never downloaded


def test_a_url_that_cannot_be_cloned_is_that_repository_s_error(tmp_path) -> None:
    url = (tmp_path / "nowhere.git").as_uri()
    row = evaluate_repository(RepositoryTask(FleetEntry("lost", None, url), "run-1"))
    assert (row["status"], row["report"]) == ("error", None)
    assert row["error"].startswith(f"cannot clone {url}: ")
    assert not mirror_folder(url).exists()  # a failed clone leaves nothing that looks like one


def test_an_unknown_ref_of_a_mirror_is_that_repository_s_error(make_repo, tmp_path) -> None:
    served = bare_clone(make_repo({"a": "1"}), tmp_path / "served.git")
    entry = FleetEntry("served", None, served.as_uri(), ref="v9")
    row = evaluate_repository(RepositoryTask(entry, "run-1"))
    assert row["error"].startswith(f"{served.as_uri()}: unknown ref 'v9'")
