"""Building a case: its repository committed with git in a folder, its stubs beside it.

The commit has a fixed identity and dates, so a fixture's commit id is the
same on every run, and reads none of the user's git configuration. A
fixture that ships a `.git` folder of its own gets no say either: git runs
through engine/git/runner.py, so its hooks, fsmonitor and filters never run.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Mapping
from pathlib import Path

from engine.errors import InputError
from engine.git.runner import GitNotInstalled, run
from engine.packtest.cases import BIN_DIR, REPO_DIR, FixtureCase, case_files

#: Fixed identity and dates: a fixture's commit id is the same on every run.
_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "rulepack fixture",
    "GIT_AUTHOR_EMAIL": "fixture@rulepack.invalid",
    "GIT_COMMITTER_NAME": "rulepack fixture",
    "GIT_COMMITTER_EMAIL": "fixture@rulepack.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+0000",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+0000",
}
_GIT_CONFIG = {"init.defaultBranch": "main", "commit.gpgsign": "false"}
#: Variables that point git at one particular repository (git sets them for its
#: hooks); a fixture is a repository of its own, so they must not reach it.
GIT_LOCATION_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
)


def _copy(files: Mapping[str, Path], dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for relative, source in files.items():
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)


def build_case(case: FixtureCase, dest: Path) -> Path | None:
    """Write the case's repository to `dest/repo` (committed with git) and its stubs to
    `dest/bin`; returns the bin folder, or None when the case has no stubs."""
    files = case_files(case)
    repo = dest / REPO_DIR
    _copy(
        {p[len(REPO_DIR) + 1 :]: s for p, s in files.items() if p.startswith(REPO_DIR + "/")}, repo
    )
    _commit(repo)
    stubs = {p[len(BIN_DIR) + 1 :]: s for p, s in files.items() if p.startswith(BIN_DIR + "/")}
    if not stubs:
        return None
    bin_dir = dest / BIN_DIR
    _copy(stubs, bin_dir)
    for relative in stubs:  # checkouts and wheels do not always keep the executable bit
        stub = bin_dir / relative
        if not stub.is_symlink():
            stub.chmod(stub.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return bin_dir


def _commit(repo: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k not in GIT_LOCATION_VARIABLES}
    environ.update(_GIT_ENV)
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["commit", "-q", "--allow-empty", "--no-verify", "-m", "fixture"],
    ):
        try:
            done = run(args, repo, env=environ, config=_GIT_CONFIG)
        except GitNotInstalled:
            return  # evaluated as a plain folder; the run says so
        if not done.ok:
            raise InputError(f"git {args[0]} failed for fixture {repo}: {done.reason}")


def case_environ(bin_dir: Path | None, inherit_path: bool) -> dict[str, str]:
    """The environment command rules see: the case's stubs first (or alone) on PATH."""
    parts = [str(bin_dir)] if bin_dir is not None else []
    if inherit_path:
        parts.append(os.environ.get("PATH", os.defpath))
    return {**os.environ, "PATH": os.pathsep.join(parts)}
