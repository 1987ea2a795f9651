"""`policy eval` as a user runs it: defaults, options, and wrong input."""

from __future__ import annotations

import json

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


# -- where the report cannot go: exit 2 with the reason, never a traceback -------------------


def _run(policy_exe, repo, pack, *, stdout=None, shell_suffix="", env=None):
    import os
    import shlex
    import subprocess

    command = f"{shlex.quote(policy_exe)} eval {repo} --pack {pack} {shell_suffix}"
    return subprocess.run(
        ["bash", "-c", command],
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_a_closed_standard_output_is_an_input_error(policy_exe, make_repo, write_pack, check_pack):
    pack = write_pack(check_pack("{file: {exists: [a]}}"))
    done = _run(policy_exe, make_repo({"a": "x"}), pack, shell_suffix=">&-")
    assert (done.returncode, done.stderr) == (
        2,
        "policy: error: cannot write the report: standard output is closed (use -o FILE)\n",
    )


def test_a_full_disk_under_standard_output_is_an_input_error(
    policy_exe, make_repo, write_pack, check_pack
) -> None:
    pack = write_pack(check_pack("{file: {exists: [a]}}"))
    with open("/dev/full", "w") as full:
        done = _run(policy_exe, make_repo({"a": "x"}), pack, stdout=full)
    assert (done.returncode, done.stderr) == (
        2,
        "policy: error: cannot write the report: No space left on device\n",
    )
    with open("/dev/full", "w") as full:
        listed = _run(policy_exe, make_repo(), pack, stdout=full, shell_suffix="--format json")
    assert listed.returncode == 2 and "Traceback" not in listed.stderr


def test_a_full_disk_under_o_is_an_input_error(policy, make_repo, write_pack, check_pack) -> None:
    pack = write_pack(check_pack("{file: {exists: [a]}}"))
    done = policy("eval", make_repo({"a": "x"}), "--pack", pack, "-o", "/dev/full")
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: error: cannot write /dev/full: No space left on device\n",
    )


def test_an_encoding_that_cannot_write_the_findings_is_an_input_error_and_writes_nothing(
    policy_exe, make_repo, write_pack, check_pack
) -> None:
    pack = write_pack(check_pack("{file: {exists: [café]}}"))
    done = _run(
        policy_exe,
        make_repo(),
        pack,
        shell_suffix="--format json",
        env={"PYTHONIOENCODING": "ascii"},
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "",
        "policy: error: cannot write the report: standard output's encoding (ascii) has no "
        "'é'; set PYTHONIOENCODING=utf-8 or use -o FILE (UTF-8)\n",
    )
    replaced = _run(
        policy_exe,
        make_repo(),
        pack,
        shell_suffix="--format json",
        env={"PYTHONIOENCODING": "ascii:backslashreplace"},
    )
    assert replaced.returncode == 1 and "none of caf\\xe9 exists" in replaced.stdout  # as asked


def test_a_reader_that_leaves_the_pipe_ends_the_run_quietly(policy_exe, make_repo) -> None:
    done = _run(
        policy_exe,
        make_repo({"a": "x"}),
        "oss --no-commands --format json",
        shell_suffix="| true; exit ${PIPESTATUS[0]}",  # the reader is gone before the report
    )
    assert (done.returncode, done.stderr) == (141, "")
