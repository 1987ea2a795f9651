"""`policy eval` as a user runs it: defaults, options, and wrong input."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from engine.resources import schema_path


def test_path_defaults_to_the_current_folder(policy, make_repo, write_pack, check_pack) -> None:
    pack = write_pack(check_pack("{file: {exists: [here.txt]}}"))
    repo = make_repo({"here.txt": "x"})
    done = policy("eval", "--pack", pack, "--format", "json", cwd=repo)
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["snapshot"]["root"] == str(repo)


def test_a_subfolder_of_a_repository_is_evaluated_as_itself(
    policy, make_repo, write_pack, check_pack
) -> None:
    pack = write_pack(check_pack("{file: {exists: [inner.txt]}}"))
    repo = make_repo({"sub/inner.txt": "x", "outer.txt": "x"})
    done = policy("eval", repo / "sub", "--pack", pack, "--format", "json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["snapshot"]["root"] == str(repo / "sub")


def test_the_production_pack_runs_and_its_report_is_valid(policy, make_repo) -> None:
    repo = make_repo(
        {
            "README.md": "# svc\n\n## Quick start\n\ncargo run\n",
            "Cargo.toml": '[package]\nname = "svc"\nversion = "0.1.0"\nrust-version = "1.80"\n',
            "deploy/app.yaml": "kind: Deployment\nmetadata: {name: svc}\nspec: {replicas: 1}\n",
            "Dockerfile": "FROM rust:1.80 AS build\nFROM debian:12\nUSER app\n",
        }
    )
    done = policy("eval", repo, "--pack", "production", "--no-commands", "--format", "json")
    assert done.exit_code in (0, 1), done.stderr
    report = json.loads(done.stdout)
    schema = json.loads(schema_path("report").read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(report)) == []
    statuses = {r["rule"]: r["status"] for r in report["results"]}
    assert statuses["docs.readme"] == "pass"
    assert statuses["ha.replicas-min"] == "fail"
    assert not any(r["status"] == "error" for r in report["results"]), [
        (r["rule"], r["reason"]) for r in report["results"] if r["status"] == "error"
    ]


def test_an_unknown_option(policy, make_repo) -> None:
    done = policy("eval", make_repo({}), "--colour")
    assert done.exit_code == 2
    assert "Error: No such option '--colour'." in done.stderr


def test_a_bad_jobs_value(policy, make_repo) -> None:
    done = policy("eval", make_repo({}), "--jobs", "many")
    assert done.exit_code == 2
    assert "Invalid value for '--jobs': 'many' is not a valid integer" in done.stderr


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        (
            "-o",
            "{tmp}/folder",
            "Error: Invalid value for '-o' / '--output': File '{tmp}/folder' is a directory.",
        ),
        (
            "-o",
            "{tmp}/a-file/r.json",
            "policy: error: cannot write {tmp}/a-file/r.json: Not a directory",
        ),
        ("--param", "=5", "policy: error: --param '=5': expected KEY=VALUE"),
        ("--param", "replicas", "policy: error: --param 'replicas': expected KEY=VALUE"),
        (
            "--baseline",
            "{tmp}/binary.json",
            "policy: error: --baseline {tmp}/binary.json: not a rulepack JSON report "
            "(not UTF-8 text)",
        ),
        (
            "--baseline",
            "{tmp}/cut.json",
            "policy: error: --baseline {tmp}/cut.json: not a rulepack JSON report "
            "(not JSON: Expecting value at line 2)",
        ),
        (
            "--baseline",
            "{tmp}/shape.json",
            "policy: error: --baseline {tmp}/shape.json: not a valid rulepack report: "
            "(top level): 'tool' is a required property",
        ),
        (
            "--baseline",
            "{tmp}/folder",
            "Error: Invalid value for '--baseline': File '{tmp}/folder' is a directory.",
        ),
    ],
    ids=[
        "o-folder",
        "o-unwritable",
        "param-no-key",
        "param-no-equals",
        "baseline-binary",
        "baseline-cut",
        "baseline-shape",
        "baseline-folder",
    ],
)
def test_bad_output_param_and_baseline_exit_2_with_the_reason(
    policy, make_repo, write_pack, check_pack, tmp_path, option, value, reason
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "a-file").write_text("")
    (tmp_path / "binary.json").write_bytes(b"\x00\xff\xfe")
    (tmp_path / "cut.json").write_text('{"schema": "rulepack/report/v1", "results": [\n')
    (tmp_path / "shape.json").write_text('{"schema": "rulepack/report/v1", "results": 5}\n')
    pack = write_pack(check_pack("{file: {exists: [a]}}"))

    done = policy("eval", make_repo({"a": "x"}), "--pack", pack, option, value.format(tmp=tmp_path))

    assert done.exit_code == 2
    assert done.stderr.splitlines()[-1] == reason.format(tmp=tmp_path)
    assert done.stdout == ""
