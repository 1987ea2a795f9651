"""`policy fleet` end to end: the real CLI over real git repositories, on real Dask clusters.

A local cluster (`--workers N`) and a cluster the test starts itself
(`--scheduler ADDRESS`, tests/fleet/conftest.py) run the same fleet; broken
repositories become `error` rows while the others complete; a worker that
dies mid-task is replaced and the task done again; one that always dies is
reported as not evaluated.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import git
from tests.fleet.fixtures import BRONZE, SILVER, bare_clone, commit_files

pytest.importorskip("distributed")


def repositories(report: dict) -> dict[str, dict]:
    return {r["name"]: r for r in report["repositories"]}


@pytest.fixture
def mixed_fleet(make_repo, write_fleet, tmp_path):
    """Three good repositories (silver, bronze, none) and four broken ones."""
    silver = make_repo({**SILVER, "CODEOWNERS": "# owners\n*  @team-a @team-b\n"})
    bronze = make_repo(BRONZE)
    nothing = make_repo({"src/main.rs": "fn main() {}\n"})
    bad_config = make_repo({".rulepack.yaml": "severity: {no-such-rule: error}\n", **SILVER})
    (tmp_path / "plain").mkdir()
    return write_fleet(
        f"""\
- {{name: silver, path: {silver}, tags: [payments]}}
- {{name: bronze, path: {bronze}, owner: "@team-b", tags: [payments, core]}}
- {{name: nothing, path: {nothing}, owner: "@team-b"}}
- {{name: missing, path: no/such/folder}}
- {{name: plain, path: plain}}
- {{name: unknown-ref, path: {bronze}, ref: no-such-branch}}
- {{name: bad-config, path: {bad_config}}}
"""
    )


def test_a_local_cluster_evaluates_each_repository_and_isolates_the_broken_ones(
    policy, mixed_fleet, fleet_pack, tmp_path
) -> None:
    done = policy("fleet", mixed_fleet, "--pack", fleet_pack, "--workers", "2", "--format", "json")
    assert done.exit_code == 1, done.stderr  # repositories fail and some could not be read
    report = json.loads(done.stdout)
    rows = repositories(report)
    assert list(rows) == [
        "silver",
        "bronze",
        "nothing",
        "missing",
        "plain",
        "unknown-ref",
        "bad-config",
    ]
    assert {n: (r["outcome"], r["score"], r["levels"]) for n, r in rows.items()} == {
        "silver": ("pass", 100.0, {"fleet": "silver"}),
        "bronze": ("fail", 20.0, {"fleet": "bronze"}),
        "nothing": ("fail", 0.0, {"fleet": None}),
        "missing": ("error", None, {}),
        "plain": ("error", None, {}),
        "unknown-ref": ("error", None, {}),
        "bad-config": ("error", None, {}),
    }
    assert rows["missing"]["error"] == f"{tmp_path / 'no/such/folder'}: no such folder"
    assert rows["plain"]["error"] == f"ref: {tmp_path / 'plain'} is not inside a git repository"
    assert rows["unknown-ref"]["error"].startswith("ref no-such-branch: unknown ref")
    assert (
        rows["bad-config"]["error"]
        == ".rulepack.yaml:1:12: unknown rule 'no-such-rule' in severity"
    )
    # The owner: REPOS.yaml's, else the first owner of CODEOWNERS' line for every path.
    assert [r["owner"] for r in rows.values()] == [
        "@team-a",
        "@team-b",
        "@team-b",
        None,
        None,
        None,
        None,
    ]
    assert rows["bronze"]["failing_rules"] == [
        {"pack": "fleet", "rule": "license"},
        {"pack": "fleet", "rule": "ci"},
    ]
    assert (
        rows["silver"]["commit"] == git(mixed_fleet.parent / "repo0", "rev-parse", "HEAD").strip()
    )


def test_rollups_per_owner_and_per_tag(policy, mixed_fleet, fleet_pack) -> None:
    done = policy("fleet", mixed_fleet, "--pack", fleet_pack, "--workers", "1", "--format", "json")
    report = json.loads(done.stdout)
    owners = {r["group"]: r for r in report["owners"]}
    assert list(owners) == ["(no owner)", "@team-a", "@team-b"]
    assert owners["@team-b"] == {
        "group": "@team-b",
        "repositories": 2,
        "failing": 2,
        "errors": 0,
        "mean_score": 10.0,
        "levels": {"fleet": {"silver": 0, "bronze": 1, "none": 1}},
        "failing_rules": [
            {"pack": "fleet", "rule": "ci", "repositories": 2},
            {"pack": "fleet", "rule": "license", "repositories": 2},
            {"pack": "fleet", "rule": "readme", "repositories": 1},
        ],
        "worst": [{"name": "nothing", "score": 0.0}, {"name": "bronze", "score": 20.0}],
    }
    assert owners["(no owner)"]["errors"] == 4
    tags = {r["group"]: r for r in report["tags"]}
    assert list(tags) == ["core", "payments"]
    assert tags["payments"]["mean_score"] == 60.0
    assert tags["payments"]["levels"] == {"fleet": {"silver": 1, "bronze": 1, "none": 0}}
    summary = report["summary"]
    assert (summary["repositories"], summary["failing"], summary["errors"]) == (7, 2, 4)
    assert summary["mean_score"] == 40.0
    assert report["levels"] == {"fleet": ["bronze", "silver"]}


def test_the_report_matches_its_schema_and_is_the_same_on_every_run(
    policy, mixed_fleet, fleet_pack
) -> None:
    import jsonschema

    from engine.schemas import load_schema

    runs = [
        json.loads(policy("fleet", mixed_fleet, "--pack", fleet_pack, "--format", "json").stdout)
        for _ in range(2)
    ]
    for report in runs:
        jsonschema.validate(report, load_schema("fleet-report"))
        for repository in report["repositories"]:
            repository.pop("duration_ms")
        report.pop("fleet_run")
    assert runs[0] == runs[1]


def test_an_existing_cluster_at_an_address_runs_the_same_work(
    policy, make_repo, write_fleet, fleet_pack, dask_cluster
) -> None:
    fleet = write_fleet(
        f"- {{name: one, path: {make_repo(SILVER)}}}\n- {{name: two, path: {make_repo(BRONZE)}}}\n"
    )
    here = policy("fleet", fleet, "--pack", fleet_pack, "--workers", "1", "--format", "json")
    there = policy(
        "fleet", fleet, "--pack", fleet_pack, "--scheduler", dask_cluster, "--format", "json"
    )
    assert there.exit_code == here.exit_code == 1, there.stderr
    local, remote = (
        [(r["name"], r["outcome"], r["score"]) for r in json.loads(d.stdout)["repositories"]]
        for d in (here, there)
    )
    assert remote == local == [("one", "pass", 100.0), ("two", "fail", 20.0)]


def test_a_worker_that_dies_mid_task_is_replaced_and_the_task_done_again(
    policy, make_repo, write_fleet, fleet_pack, dask_cluster
) -> None:
    fleet = write_fleet(
        f"- {{name: dies-once-a, path: {make_repo(SILVER)}}}\n"
        f"- {{name: steady, path: {make_repo(BRONZE)}}}\n"
    )
    done = policy(
        "fleet", fleet, "--pack", fleet_pack, "--scheduler", dask_cluster, "--format", "json"
    )
    assert done.exit_code == 1, done.stderr  # `steady` fails its run
    rows = repositories(json.loads(done.stdout))
    assert {name: (r["outcome"], r["score"]) for name, r in rows.items()} == {
        "dies-once-a": ("pass", 100.0),
        "steady": ("fail", 20.0),
    }


def test_a_task_whose_workers_keep_dying_is_reported_as_not_evaluated(
    policy, make_repo, write_fleet, fleet_pack, dask_cluster
) -> None:
    fleet = write_fleet(f"- {{name: dies-always-b, path: {make_repo(SILVER)}}}\n")
    done = policy(
        "fleet", fleet, "--pack", fleet_pack, "--scheduler", dask_cluster, "--format", "json"
    )
    assert done.exit_code == 1, done.stderr
    (row,) = json.loads(done.stdout)["repositories"]
    assert (row["outcome"], row["commit"], row["duration_ms"]) == ("error", None, None)
    assert row["error"] == (
        "not evaluated: the workers running it died (Dask tried it on others and gave up)"
    )


def test_url_entries_are_mirrored_bare_and_blob_less_then_fetched(
    policy, make_repo, write_fleet, fleet_pack, tmp_path
) -> None:
    source = make_repo(BRONZE)
    served = bare_clone(source, tmp_path / "served.git")
    fleet = write_fleet(f"- {{url: '{served.as_uri()}', owner: '@web'}}\n")
    first = json.loads(
        policy("fleet", fleet, "--pack", fleet_pack, "--workers", "1", "--format", "json").stdout
    )
    assert [(r["name"], r["score"]) for r in first["repositories"]] == [("served", 20.0)]
    mirrors = list((Path(os.environ["RULEPACK_CACHE_DIR"]) / "mirrors").iterdir())
    assert [m.name.startswith("served-") and m.name.endswith(".git") for m in mirrors] == [True]
    assert git(mirrors[0], "config", "remote.origin.partialclonefilter").strip() == "blob:none"
    assert git(mirrors[0], "rev-parse", "--is-bare-repository").strip() == "true"
    commit_files(source, SILVER, "more")  # the server moves on: the next run fetches it
    git(source, "push", "-q", str(served), "main")
    second = json.loads(
        policy("fleet", fleet, "--pack", fleet_pack, "--workers", "1", "--format", "json").stdout
    )
    assert [(r["name"], r["score"]) for r in second["repositories"]] == [("served", 100.0)]
    assert second["repositories"][0]["commit"] == git(source, "rev-parse", "HEAD").strip()


def test_a_folder_is_every_repository_directly_inside_it(
    policy, make_repo, fleet_pack, tmp_path
) -> None:
    folder = tmp_path / "org"
    folder.mkdir()
    make_repo(SILVER).rename(folder / "web")
    bare_clone(make_repo(BRONZE), folder / "api.git")
    (folder / "notes").mkdir()  # not a repository: not part of the fleet
    done = policy("fleet", folder, "--pack", fleet_pack, "--workers", "1", "--format", "json")
    rows = json.loads(done.stdout)["repositories"]
    assert [(r["name"], r["outcome"]) for r in rows] == [("api", "fail"), ("web", "pass")]


def test_without_dask_installed_it_says_how_to_get_it(policy, mixed_fleet, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` fails
    done = policy("fleet", mixed_fleet)
    assert (done.exit_code, done.stdout) == (2, "")
    assert done.stderr == "policy: error: policy fleet needs Dask: pip install 'rulepack[fleet]'\n"


def test_a_scheduler_that_does_not_answer_is_an_input_error(
    policy, mixed_fleet, monkeypatch
) -> None:
    monkeypatch.setattr("engine.fleet.cluster.CONNECT_TIMEOUT", 1)
    done = policy("fleet", mixed_fleet, "--scheduler", "tcp://127.0.0.1:9")
    assert done.exit_code == 2
    assert done.stderr.startswith(
        "policy: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9"
    )
    assert done.stderr.count("\n") == 1


def test_workers_and_scheduler_together_are_an_input_error(policy, mixed_fleet) -> None:
    done = policy("fleet", mixed_fleet, "--workers", "2", "--scheduler", "tcp://127.0.0.1:9")
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: error: --workers and --scheduler cannot be used together\n",
    )


def test_each_repository_s_run_goes_into_the_store_tagged_with_the_fleet_run(
    policy, mixed_fleet, fleet_pack, tmp_path
) -> None:
    from engine.store.database import open_store

    url = f"sqlite:///{tmp_path / 'results.db'}"
    done = policy("fleet", mixed_fleet, "--pack", fleet_pack, "--store", url, "--format", "json")
    report = json.loads(done.stdout)
    fleet_run = report["fleet_run"]
    assert done.stderr == f"policy: 3 runs recorded in {url}, fleet run {fleet_run}\n"
    with open_store(url) as store:
        runs = store.runs(fleet_run=fleet_run)
        assert store.runs(fleet_run="another") == []
    evaluated = {r["name"]: r for r in report["repositories"] if r["outcome"] != "error"}
    assert sorted((run.repository.name, run.commit, run.score) for run in runs) == sorted(
        (name, r["commit"], r["score"]) for name, r in evaluated.items()
    )
    assert {run.fleet_run for run in runs} == {fleet_run}
    assert {run.settings for run in runs} == {"commands=off"}
    silver = next(run for run in runs if run.repository.name == "silver")
    assert [(rule.rule, rule.status) for rule in silver.rules] == [
        ("readme", "pass"),
        ("license", "pass"),
        ("ci", "pass"),
    ]


def test_each_format_is_written_to_the_file_named(
    policy, make_repo, write_fleet, fleet_pack, dask_cluster, tmp_path
) -> None:
    fleet = write_fleet(f"- {{name: one, path: {make_repo(SILVER)}, owner: '@a'}}\n")
    written = {}
    for format_name in ("table", "json", "markdown", "html"):
        output = tmp_path / f"fleet.{format_name}"
        done = policy(
            "fleet",
            fleet,
            "--pack",
            fleet_pack,
            "--scheduler",
            dask_cluster,
            "--format",
            format_name,
            "-o",
            output,
        )
        assert (done.exit_code, done.stdout) == (0, ""), done.stderr  # its one run holds
        written[format_name] = output.read_text(encoding="utf-8")
    assert written["table"].startswith("fleet run ")
    assert json.loads(written["json"])["summary"]["repositories"] == 1
    assert written["markdown"].startswith("## rulepack fleet `")
    assert written["html"].startswith("<!DOCTYPE html>")
    assert '<div class="chart" id="levels-0"></div>' in written["html"]
