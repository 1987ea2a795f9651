"""`policy trend`: the store's runs of a repository, per commit; nothing is evaluated."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from engine.resources import schema_path
from tests.commands.test_history import PACK, commit
from tests.conftest import git


def _repo(tmp_path: Path, name: str = "service") -> Path:
    repo = tmp_path / name
    repo.mkdir()
    git(repo, "init", "-q")
    return repo


def test_runs_recorded_by_eval_store_make_the_trend(
    policy, write_pack, tmp_path: Path, store_url: str
) -> None:
    pack = write_pack(PACK)
    repo = _repo(tmp_path)
    first = commit(repo, {"README.md": "x"}, "2024-03-01")
    assert policy("eval", repo, "--pack", pack, "--store", store_url).exit_code == 1
    second = commit(repo, {"Dockerfile": "FROM x"}, "2024-03-02")
    done = policy("eval", repo, "--pack", pack, "--no-commands", "--store", store_url)
    assert done.exit_code == 1  # license fails: recording does not change the verdict
    again = policy("eval", repo, "--pack", pack, "--no-commands", "--store", store_url)
    assert again.exit_code == 1  # a second run of one commit: the trend shows the last
    done = policy("trend", "--repo", "service", "--store", store_url, "--format", "json")
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    schema = json.loads(schema_path("history").read_text(encoding="utf-8"))
    Draft202012Validator(schema).validate(data)
    assert data["branch"] is None and data["repository"] == {"name": "service", "url": None}
    assert [c["commit"] for c in data["commits"]] == [second, first]
    # the first run ran `builds` (true): it passed; the second skipped it (--no-commands)
    assert [c["score"] for c in data["commits"]] == [66.67, 50.0]
    assert data["commits"][0]["changed"] == [
        {"pack": "team", "rule": "docker", "from": "fail", "to": "pass"},
        {"pack": "team", "rule": "builds", "from": "pass", "to": "skip"},
    ]
    assert [c["reused"] for c in data["commits"]] == [False, False]


def test_trend_names_the_repository_of_the_current_folder_or_the_only_one(
    policy, write_pack, tmp_path: Path
) -> None:
    store = f"sqlite:///{tmp_path / 'r.db'}"
    pack = write_pack(PACK)
    for name in ("alpha", "beta"):
        repo = _repo(tmp_path, name)
        commit(repo, {"README.md": "x"}, "2024-03-01")
        policy("eval", repo, "--pack", pack, "--no-commands", "--store", store)
    done = policy("trend", "--store", store, "--format", "json", cwd=tmp_path / "beta")
    assert json.loads(done.stdout)["repository"]["name"] == "beta"
    done = policy("trend", "--store", store, cwd=tmp_path)
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: the store {store} holds several repositories (alpha, beta): "
        "choose one with --repo\n",
    )
    done = policy("trend", "--store", store, "--repo", "gamma")
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: --repo gamma: the store {store} has no runs of it "
        "(repositories: alpha, beta)\n",
    )
    done = policy("trend", "--store", store, "--repo", "alpha", "--pack", "production")
    assert done.exit_code == 2
    assert "has no runs of it with pack production" in done.stderr


def test_an_empty_store_says_how_to_fill_it(policy, tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'r.db'}"
    done = policy("trend", "--store", store, cwd=tmp_path)
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: the store {store} has no runs yet (policy eval --store records one)\n",
    )


def test_the_table_has_a_sparkline_per_category(policy, write_pack, tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'r.db'}"
    pack = write_pack(PACK)
    repo = _repo(tmp_path)
    for day, files in (("2024-03-01", {"README.md": "x"}), ("2024-03-02", {"LICENSE": "x"})):
        commit(repo, files, day)
        policy("eval", repo, "--pack", pack, "--no-commands", "--store", store)
    done = policy("trend", "--store", store, "--repo", "service")
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "History of service: 2 commits"
    assert "Score, oldest to newest: ▃▆" in lines
    assert "  docs    ▅█  100.00" in lines
    assert "  deploy  ▁▁  0.00" in lines
