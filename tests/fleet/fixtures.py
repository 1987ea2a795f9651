"""Fixtures of the fleet tests: real git repositories, a pack with levels, a real Dask cluster.

They are imported by the conftest.py of each folder whose tests use them.

`FLEET_PACK` (pack `fleet`, levels bronze < silver):
- readme  (bronze, weight 1): README.md exists
- license (silver, weight 3): LICENSE exists
- ci      (silver, weight 1): .github/workflows/ci.yml exists

So a repository with README.md, LICENSE and the workflow is silver (score
100), one with README.md only is bronze (score 20), one with nothing reaches
no level (score 0).

`dask_cluster` starts a scheduler and a worker process of two workers with
the `dask` command, as an operator would, and gives the scheduler's address;
the workers load tests/fleet/dying_worker.py, which makes a worker die on
tasks of repositories named `dies-once-*` (the first time) and `dies-always-*`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_files

FLEET_PACK = """\
apiVersion: rulepack/v1
name: fleet
version: 1.0.0
levels: [{id: bronze, title: Bronze}, {id: silver, title: Silver}]
categories: [{id: general, title: General}]
rules:
  - {id: readme, title: README, category: general, level: bronze,
     check: {file: {exists: [README.md]}}}
  - {id: license, title: LICENSE, category: general, level: silver, weight: 3,
     check: {file: {exists: [LICENSE]}}}
  - {id: ci, title: CI, category: general, level: silver,
     check: {file: {exists: [.github/workflows/ci.yml]}}}
"""

SILVER: dict[str, str | bytes | None] = {
    "README.md": "# r\n",
    "LICENSE": "MIT\n",
    ".github/workflows/ci.yml": "on: push\n",
}
BRONZE: dict[str, str | bytes | None] = {"README.md": "# r\n"}


@pytest.fixture
def fleet_pack(write_pack: Callable[..., Path]) -> Path:
    return write_pack(FLEET_PACK, "fleet.yaml")


@pytest.fixture
def write_fleet(tmp_path: Path) -> Callable[[str], Path]:
    """Write REPOS.yaml (text) into the test's folder; paths in it are relative to it."""

    def write(text: str) -> Path:
        path = tmp_path / "REPOS.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def bare_clone(repo: Path, where: Path) -> Path:
    """A bare clone of `repo` at `where`: a server's copy for `url:` entries, which serves
    partial clones as hosting services do (git's own default is not to)."""
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(where)], check=True)
    subprocess.run(["git", "config", "uploadpack.allowFilter", "true"], cwd=where, check=True)
    return where


def commit_files(repo: Path, files: dict[str, str | bytes | None], message: str) -> None:
    write_files(repo, files)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, check=True)


HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a real Dask cluster (a scheduler, two worker processes) started here."""
    pytest.importorskip("distributed")
    folder = tmp_path_factory.mktemp("dask")
    dask = str(Path(sys.executable).parent / "dask")
    env = {
        **os.environ,
        "RULEPACK_CACHE_DIR": str(folder / "cache"),
        "RULEPACK_DATA_DIR": str(folder / "data"),
        "RULEPACK_TEST_DEATHS": str(folder / "deaths"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        # A task whose worker died twice is given up on (Dask's default: 3 deaths).
        "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
    }
    (folder / "deaths").mkdir()
    scheduler_file = folder / "scheduler.json"
    # Each in its own process group (the worker's processes too), ended whole below.
    start = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
    scheduler += ["--scheduler-file", str(scheduler_file)]
    started = [subprocess.Popen(scheduler, **start, start_new_session=True)]
    try:
        address = _address(scheduler_file)
        worker = [dask, "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"]
        worker += ["--preload", str(HERE / "dying_worker.py")]
        started.append(subprocess.Popen(worker, **start, start_new_session=True))
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
            yield address
            # Workers that died are restarted by their nanny: let them come back, so that
            # none is stopped halfway through starting.
            client.wait_for_workers(2, timeout=60)
    finally:
        for process in reversed(started):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _address(scheduler_file: Path) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            return str(json.loads(scheduler_file.read_text())["address"])
        except (OSError, ValueError, KeyError):
            time.sleep(0.1)
    raise AssertionError("the Dask scheduler did not start within 60 s")


def sample_fleet_report(make_repo: Callable[..., Path], pack: Path) -> Any:
    """The fleet report of four repositories, evaluated here without Dask (each task's
    function called in this process): `web` silver, `api` bronze, `job` none (all owned
    by `@team|<b>`, a name that needs escaping), and `gone`, which cannot be read."""
    from engine.fleet.repos import FleetEntry
    from engine.fleet.rollup import build_report
    from engine.fleet.task import RepositoryTask, evaluate_repository

    owner = "@team|<b>"
    entries = [
        FleetEntry("web", str(make_repo(SILVER)), None, owner=owner, tags=("public",)),
        FleetEntry("api", str(make_repo(BRONZE)), None, owner=owner, tags=("public",)),
        FleetEntry("job", str(make_repo({"x.txt": "x"})), None, owner="@ops"),
        FleetEntry("gone", "/no/such/folder", None),
    ]
    rows = [evaluate_repository(RepositoryTask(e, "run-1", (str(pack),))) for e in entries]
    return build_report(rows, "run-1")
