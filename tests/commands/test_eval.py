"""`policy eval` as a user runs it: defaults, options, and wrong input."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

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


@pytest.fixture
def inputs(make_repo, write_pack, pack_text, policy, tmp_path) -> dict[str, Path]:
    """Every kind of file `policy eval` reads from disk, and `ran`, which a command rule of
    the packs creates (so a test can tell that nothing ran)."""
    ran = tmp_path / "ran"
    base = write_pack(
        pack_text(
            "- id: r\n  title: T\n  category: general\n"
            f"  check: {{command: {{run: [touch, {str(ran)!r}]}}}}\n"
        ).replace("name: test", "name: base"),
        name="base.yaml",
    )
    pack = write_pack(pack_text("[]", head="extends: [{pack: ./base.yaml}]\n"))
    repo = make_repo(
        {
            ".rulepack.yaml": "fail_on: never\n",
            ".rulepack/packs/local.yaml": pack_text("[]").replace("name: test", "name: local"),
        }
    )
    config = tmp_path / "config.yaml"
    config.write_text("fail_on: never\n")
    baseline = tmp_path / "baseline.json"
    assert policy("eval", repo, "--pack", pack, "--format", "json", "-o", baseline).exit_code == 0
    ran.unlink()
    link = tmp_path / "link.json"
    link.symlink_to(pack)
    return {
        "repo": repo,
        "pack": pack,
        "base": base,
        "link": link,
        "config": config,
        "repo config": repo / ".rulepack.yaml",
        "repo pack": repo / ".rulepack/packs/local.yaml",
        "baseline": baseline,
        "ran": ran,
    }


@pytest.mark.parametrize(
    ("output", "extra", "what"),
    [
        ("pack", (), "a pack file this run reads"),
        ("base", (), "a pack file this run reads"),  # extended by the pack
        ("link", (), "a pack file this run reads"),  # a symlink to the pack
        ("config", ("--config", "config"), "the config this run reads"),
        ("repo config", (), "the config this run reads"),
        ("repo pack", ("--pack", "local"), "a pack file this run reads"),
        ("baseline", ("--baseline", "baseline"), "the baseline this run reads"),
    ],
)
def test_output_never_overwrites_a_file_the_run_reads(policy, inputs, output, extra, what) -> None:
    args = [inputs.get(a, a) for a in extra]
    before = {name: path.read_bytes() for name, path in inputs.items() if path.is_file()}

    done = policy("eval", inputs["repo"], "--pack", inputs["pack"], *args, "-o", inputs[output])

    assert (done.exit_code, done.stdout) == (2, "")
    assert done.stderr == (
        f"policy: error: -o {inputs[output]} names {what}; write the output to another file\n"
    )
    assert {name: inputs[name].read_bytes() for name in before} == before
    assert not inputs["ran"].exists()


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ("missing/report.json", "there is no folder {tmp}/missing"),
        ("config.yaml/report.json", "there is no folder {tmp}/config.yaml"),
    ],
)
def test_output_where_no_file_can_be_written_fails_before_any_work(
    policy, inputs, tmp_path, output, reason
) -> None:
    done = policy("eval", inputs["repo"], "--pack", inputs["pack"], "-o", tmp_path / output)

    assert done.exit_code == 2
    assert done.stderr == (
        f"policy: error: cannot write {tmp_path / output}: {reason.format(tmp=tmp_path)}\n"
    )
    assert not inputs["ran"].exists()


def test_output_to_a_folder_is_bad_input(policy, inputs, tmp_path) -> None:
    done = policy("eval", inputs["repo"], "--pack", inputs["pack"], "-o", tmp_path)

    assert done.exit_code == 2
    assert done.stderr == f"policy: error: cannot write {tmp_path}: it is a folder\n"
    assert not inputs["ran"].exists()


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


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        (
            "-o",
            "{tmp}/folder",
            "policy: error: cannot write {tmp}/folder: it is a folder",
        ),
        (
            "-o",
            "{tmp}/a-file/r.json",
            "policy: error: cannot write {tmp}/a-file/r.json: there is no folder {tmp}/a-file",
        ),
        ("--param", "=5", "policy: error: --param '=5': expected KEY=VALUE"),
        ("--param", "replicas", "policy: error: --param 'replicas': expected KEY=VALUE"),
        (
            "--baseline",
            "{tmp}/binary.json",
            "policy: error: --baseline {tmp}/binary.json: not a rulepack JSON report "
            "(a NUL byte: this is not a text file)",
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


def test_the_staged_report_ends_with_the_exact_command_that_shows_everything(
    policy, make_repo, write_pack, check_pack, tmp_path
) -> None:
    check = check_pack("{file: {absent: ['*.pem']}}", head="params: {x: 0}\n", severity="warning")
    pack = write_pack(check, "my pack.yaml")
    repo = make_repo({"a.pem": "k", "README.md": "x"})
    options = ["--pack", pack, "--rule", "r", "--param", "x=1", "--fail-on", "warning"]
    options += ["--no-commands", "--config", tmp_path / "none.yaml"]
    (tmp_path / "none.yaml").write_text("{}\n")

    done = policy("eval", repo, "--staged", *options)

    assert done.exit_code == 1
    command = done.stdout.splitlines()[-1].removeprefix("Everything: ")
    assert command == (
        f"policy eval {repo} --staged --pack '{pack}' --rule r --param x=1 --fail-on warning "
        f"--config {tmp_path}/none.yaml --no-commands --show all"
    )
    words = shlex.split(command)
    assert words[:2] == ["policy", "eval"]
    everything = policy(*words[1:])
    assert everything.exit_code == 1
    assert "           • a.pem: should not exist" in everything.stdout.splitlines()


def test_store_records_the_run_in_the_default_store_or_the_one_named(
    policy, make_repo, write_pack, tmp_path: Path
) -> None:
    import os

    from engine.store.database import open_store

    pack = write_pack(
        "apiVersion: rulepack/v1\nname: p\nversion: 1.0.0\ncategories:\n"
        "  - {id: g, title: G}\nrules:\n"
        "  - {id: r, title: R, category: g, check: {file: {exists: [README.md]}}}\n"
    )
    repo = make_repo({"README.md": "x"})
    done = policy("eval", repo, "--pack", pack, "--store", "--format", "json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["summary"]["passed"] == 1  # the report is unchanged
    default = Path(os.environ["RULEPACK_DATA_DIR"]) / "results.db"
    with open_store(f"sqlite:///{default}") as store:
        (run,) = store.runs()
    assert (run.repository.name, run.snapshot_kind, run.settings) == (
        repo.name,
        "worktree",
        "commands=on",
    )
    named = tmp_path / "named.db"
    static = ("eval", repo, "--pack", pack, "--ref", "HEAD", "--no-commands")
    done = policy(*static, "--param", "x=1", "--store", f"sqlite:///{named}")
    assert done.exit_code == 2  # no pack declares x: nothing is recorded
    done = policy(*static, "--store", f"sqlite:///{named}")
    assert done.exit_code == 0, done.stderr
    with open_store(f"sqlite:///{named}") as store:
        (run,) = store.runs()  # one: the run that failed recorded nothing
    assert (run.snapshot_kind, run.ref, run.settings) == ("ref", "HEAD", "commands=off")


def test_a_store_that_cannot_be_used_fails_before_any_work(policy, make_repo, tmp_path) -> None:
    repo = make_repo({"README.md": "x"})
    done = policy("eval", repo, "--store", "ftp://x/y")
    assert done.exit_code == 2
    assert done.stderr == (
        "policy: error: --store ftp://x/y: unknown store URL scheme 'ftp'; "
        "use sqlite:///PATH or postgresql://USER@HOST/DATABASE\n"
    )
    done = policy("eval", repo, "--store", env={"RULEPACK_STORE": "ftp://x/y"})
    assert done.stderr.startswith("policy: error: RULEPACK_STORE=ftp://x/y: unknown store URL")
