"""`--format json`: valid against schemas/report.schema.json, deterministic, in pack/rule order."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from engine.packs.digest import files_digest
from engine.resources import schema_path

PACK = """\
apiVersion: rulepack/v1
name: sample
version: 1.2.3
categories:
  - {id: docs, title: Documentation}
  - {id: deploy, title: Deployment}
rules:
  - id: readme
    title: A README exists
    category: docs
    tags: [repo]
    check: {file: {exists: [README.md]}}
    remediation: Add a README.md.
    docs: https://example.invalid/readme
  - id: replicas
    title: Deployments run two replicas
    category: deploy
    severity: warning
    check:
      manifest:
        files: ["k8s/*.yaml"]
        where: "kind == 'Deployment'"
        assert: "spec.replicas >= `2`"
  - id: broken
    title: JSON parses
    category: deploy
    severity: info
    check: {manifest: {files: ["*.json"], assert: name}}
  - id: skipped
    title: Nothing to see
    category: deploy
    check: {manifest: {files: ["*.toml"], assert: a}}
  - id: secrets
    title: No keys
    category: docs
    check: {file: {paths: ["**/*"], not_contains: "PRIVATE KEY"}}
"""

FILES: dict[str, str | bytes | None] = {
    "k8s/app.yaml": "kind: Deployment\nmetadata: {name: api}\nspec: {replicas: 1}\n---\n"
    "kind: Deployment\nmetadata: {name: ok}\nspec: {replicas: 3}\n",
    "bad.json": "{",
    "README.md": "# sample\n",
    "ünïcode/key.txt": "PRIVATE KEY\n",
    "logo.png": b"\x89PNG\x00\x00",
}


@pytest.fixture
def validator() -> Draft202012Validator:
    schema = json.loads(schema_path("report").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_the_report_matches_its_schema(evaluate, make_repo, validator) -> None:
    run = evaluate(make_repo(FILES), PACK)
    assert run.exit_code == 1
    errors = sorted(validator.iter_errors(run.report), key=lambda e: list(map(str, e.path)))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []
    assert {r["status"] for r in run.report["results"]} == {"pass", "fail", "skip", "error"}


def test_the_report_says_what_was_evaluated(evaluate, make_repo, write_pack) -> None:
    pack = write_pack(PACK)
    repo = make_repo(FILES)
    report = evaluate(repo, pack).report
    assert report["schema"] == "rulepack/report/v1"
    assert report["tool"] == {"name": "rulepack", "version": "0.1.0"}
    snapshot = report["snapshot"]
    assert (snapshot["kind"], snapshot["root"], snapshot["ref"]) == ("worktree", str(repo), None)
    assert re.fullmatch(r"[0-9a-f]{40}", snapshot["commit"])
    digest = files_digest([("file:pack.yaml", pack.read_bytes())])  # no folder in its key
    assert report["packs"] == [
        {
            "name": "sample",
            "version": "1.2.3",
            "source": "file",
            "path": str(pack),
            "digest": digest,
        }
    ]
    assert report["categories"] == [
        {"id": "docs", "title": "Documentation", "pack": "sample"},
        {"id": "deploy", "title": "Deployment", "pack": "sample"},
    ]


def test_a_result_in_full(evaluate, make_repo) -> None:
    run = evaluate(make_repo(FILES), PACK)
    replicas = dict(run.result("replicas"))
    assert isinstance(replicas.pop("duration_ms"), float)
    assert replicas == {
        "rule": "replicas",
        "pack": "sample",
        "category": "deploy",
        "severity": "warning",
        "level": None,  # the pack declares no levels
        "weight": 1,
        "status": "fail",
        "title": "Deployments run two replicas",
        "message": "k8s/app.yaml:3: Deployment/api: spec.replicas is 1, expected >= 2",
        "remediation": "",
        "docs": "",
        "reason": None,
        "tags": [],
        "findings": [
            {
                "path": "k8s/app.yaml",
                "line": 3,
                "document": 1,
                "message": "Deployment/api: spec.replicas is 1, expected >= 2",
            }
        ],
        "notes": [],
    }
    assert run.result("secrets")["findings"] == [
        {"path": "ünïcode/key.txt", "line": 1, "document": None, "message": "matches /PRIVATE KEY/"}
    ]
    assert run.result("secrets")["notes"] == [
        {"path": "logo.png", "message": "not read: binary file"}
    ]
    readme = run.result("readme")
    assert (readme["remediation"], readme["docs"], readme["tags"]) == (
        "Add a README.md.",
        "https://example.invalid/readme",
        ["repo"],
    )


def _without_durations(text: str) -> str:
    return re.sub(r'"duration_ms": [0-9.e-]+', '"duration_ms": 0', text)


def test_two_runs_are_byte_identical_apart_from_durations(
    policy, make_repo, write_pack, tmp_path
) -> None:
    pack = write_pack(PACK)
    repo = make_repo(FILES)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    for out in (first, second):
        done = policy("eval", repo, "--pack", pack, "--format", "json", "-o", out, "--jobs", "2")
        assert (done.exit_code, done.stdout) == (1, "")
    assert _without_durations(first.read_text()) == _without_durations(second.read_text())
    to_stdout = policy("eval", repo, "--pack", pack, "--format", "json").stdout
    assert _without_durations(to_stdout) == _without_durations(first.read_text())


def test_non_ascii_is_written_as_is(policy, make_repo, write_pack, tmp_path) -> None:
    out = tmp_path / "r.json"
    policy("eval", make_repo(FILES), "--pack", write_pack(PACK), "--format", "json", "-o", out)
    assert "ünïcode/key.txt" in out.read_text(encoding="utf-8")


def test_an_output_file_that_cannot_be_written(policy, make_repo, write_pack, tmp_path) -> None:
    out = tmp_path / "missing-folder" / "r.json"
    done = policy(
        "eval", make_repo(FILES), "--pack", write_pack(PACK), "--format", "json", "-o", out
    )
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: cannot write {out}: there is no folder {out.parent}\n",
    )


def test_an_unknown_format_is_an_input_error(policy, make_repo, write_pack) -> None:
    done = policy("eval", make_repo(FILES), "--pack", write_pack(PACK), "--format", "yaml")
    assert done.exit_code == 2
    assert "Invalid value for '--format': 'yaml' is not one of" in done.stderr


def test_a_report_file_is_utf8_with_a_final_newline(
    policy, make_repo, write_pack, tmp_path
) -> None:
    out = tmp_path / "r.json"
    policy("eval", make_repo(FILES), "--pack", write_pack(PACK), "--format", "json", "-o", out)
    data = Path(out).read_bytes()
    assert data.endswith(b"}\n") and b"\r\n" not in data
    json.loads(data.decode("utf-8"))
