"""The same inputs give byte-identical JSON apart from `duration_ms`.

Each run is a real `policy eval` process with parsing forced onto worker
processes and its own hash seed, so that neither the order in which workers
finish nor the iteration order of sets and dicts can leak into the report;
and a rule reports the same whichever other rules run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

APPS = 2000
CRATES = 240


def app_manifests(i: int) -> str:
    """A Deployment, a Service and a ConfigMap; some with anchors, some with `&&` in text."""
    name = f"app{i:04}"
    replicas = 1 if i % 7 == 0 else 3
    labels = "{app: " + name + "}"
    if i % 3 == 0:  # an anchor in each document, and its alias
        first, second = f"&labels {labels}", "*labels"
    else:
        first = second = labels
    command = "make && make install" if i % 5 == 0 else "make"
    return (
        f"kind: Deployment\nmetadata: {{name: {name}, labels: {first}}}\n"
        f"spec:\n  replicas: {replicas}\n  template:\n    metadata: {{labels: {second}}}\n"
        f"---\nkind: Service\nmetadata: {{name: {name}, labels: {first}}}\n"
        f"spec: {{selector: {second}}}\n"
        f"---\nkind: ConfigMap\nmetadata: {{name: {name}}}\n"
        f"data: {{owner: {name}, run: '{command}'}}\n"
    )


def many_files() -> dict[str, str | bytes | None]:
    files: dict[str, str | bytes | None] = {}
    for i in range(APPS):
        files[f"deploy/team{i % 16:02}/{i:04}.yaml"] = app_manifests(i)
    for i in range(CRATES):
        month = 1 + i % 12
        files[f"crates/c{i:03}/Cargo.toml"] = (
            f'[package]\nname = "c{i:03}"\nreleased = 2024-{month:02}-01\n'
            f"built = 2024-{month:02}-01T12:00:00+02:00\n"
        )
        node = ">=20" if i % 4 else ">=18"
        files[f"web/w{i:03}/package.json"] = json.dumps(
            {"name": f"w{i:03}", "engines": {"node": node}}
        )
    return files


PACK = """\
- id: replicas
  title: Deployments run two replicas
  category: general
  check:
    manifest:
      files: ["deploy/**/*.yaml"]
      where: "kind == 'Deployment'"
      assert: "spec.replicas >= `2`"
- id: labels
  title: Pods carry their Deployment's label
  category: general
  check:
    manifest:
      files: ["deploy/**/*.yaml"]
      where: "kind == 'Deployment'"
      assert: "spec.template.metadata.labels.app == metadata.name"
- id: selectors
  title: Services select their app
  category: general
  check:
    manifest:
      files: ["deploy/**/*.yaml"]
      where: "kind == 'Service'"
      assert: "spec.selector.app == metadata.name"
- id: owners
  title: ConfigMaps name their owner
  category: general
  check:
    manifest:
      files: ["deploy/**/*.yaml"]
      where: "kind == 'ConfigMap'"
      assert: "data.owner == metadata.name && starts_with(data.run, 'make')"
- id: pairs
  title: As many Services as Deployments
  category: general
  check:
    manifest:
      files: ["deploy/**/*.yaml"]
      assert_all: "length([?kind == 'Service']) == length([?kind == 'Deployment'])"
- id: released
  title: Crates released this summer or later
  category: general
  check:
    manifest:
      files: ["crates/**/Cargo.toml"]
      assert: "package.released >= '2024-06-01' && package.built >= '2024-06-01T'"
- id: node
  title: Node 20
  category: general
  check:
    manifest:
      files: ["web/**/package.json"]
      assert: "engines.node == '>=20'"
- id: installs
  title: No install step
  category: general
  check:
    file: {paths: ["deploy/**/*.yaml"], not_contains: "make install"}
"""

DURATION = re.compile(rb'"duration_ms": [0-9.e+-]+')


def run_eval(policy_exe: str, repo: Path, pack: Path, hash_seed: int, minimum: int) -> bytes:
    environ = {
        **os.environ,
        "PYTHONHASHSEED": str(hash_seed),
        "RULEPACK_PARALLEL_MINIMUM": str(minimum),
    }
    done = subprocess.run(
        [policy_exe, "eval", str(repo), "--pack", str(pack), "--format", "json"],
        capture_output=True,
        env=environ,
    )
    assert done.returncode == 1, done.stderr.decode()
    return DURATION.sub(b'"duration_ms": 0', done.stdout)


def test_reports_are_byte_identical_with_parallel_parsing(
    make_repo: Callable[..., Path],
    write_pack: Callable[..., Path],
    pack_text: Callable[..., str],
    policy_exe: str,
) -> None:
    repo = make_repo(many_files())
    pack = write_pack(pack_text(PACK))
    reports = [run_eval(policy_exe, repo, pack, seed, minimum=1) for seed in (1, 2, 3)]
    assert reports[1] == reports[0]
    assert reports[2] == reports[0]
    assert run_eval(policy_exe, repo, pack, 4, minimum=10**9) == reports[0]  # one process

    results: dict[str, Any] = {r["rule"]: r for r in json.loads(reports[0])["results"]}
    assert {rule: r["status"] for rule, r in results.items()} == {
        "replicas": "fail",
        "labels": "pass",
        "selectors": "pass",
        "owners": "pass",
        "pairs": "pass",
        "released": "fail",
        "node": "fail",
        "installs": "fail",
    }
    assert [f["path"] for f in results["replicas"]["findings"]] == [
        f"deploy/team{i % 16:02}/{i:04}.yaml"
        for i in sorted(range(0, APPS, 7), key=lambda i: (i % 16, i))
    ]
    assert results["replicas"]["findings"][0]["message"] == (
        "Deployment/app0000: spec.replicas is 1, expected >= 2"
    )
    assert len(results["released"]["findings"]) == CRATES * 5 // 12
    assert len(results["node"]["findings"]) == CRATES // 4
    assert len(results["installs"]["findings"]) == APPS // 5


def test_a_rule_says_the_same_whichever_rules_run_before_it(
    evaluate: Callable[..., Any], make_repo: Callable[..., Path], pack_text: Callable[..., str]
) -> None:
    repo = make_repo({"a.md": "x", "b.md": "x"})
    pack = pack_text(
        "- {id: read, title: T, category: general,"
        " check: {file: {paths: [b.md, a.md], contains: x}}}\n"
        "- {id: exists, title: T, category: general, check: {file: {exists: [b.md, a.md]}}}\n"
    )
    after_another = evaluate(repo, pack).result("exists")
    alone = evaluate(repo, pack, "--rule", "exists").result("exists")
    assert after_another["message"] == alone["message"] == "b.md exists"


def test_the_built_in_packs_judge_a_helm_charts_repository_the_same_way_every_time(
    tmp_path: Path, policy_exe: str
) -> None:
    """The issue's case: `--pack production --pack testing --no-commands`, three times, on
    a Helm charts monorepo with rendered examples (multi-document YAML with anchors)."""
    from engine.packtest.build import build_case
    from engine.packtest.cases import read_cases
    from engine.resources import builtin_packs_dir

    cases = {c.name: c for c in read_cases(builtin_packs_dir() / "production" / "tests")}
    build_case(cases["helm-charts-monorepo"], tmp_path / "case")
    repo = tmp_path / "case" / "repo"
    command = [policy_exe, "eval", str(repo), "--pack", "production", "--pack", "testing"]
    reports = []
    for seed in (1, 2, 3):
        environ = {**os.environ, "PYTHONHASHSEED": str(seed), "RULEPACK_PARALLEL_MINIMUM": "1"}
        done = subprocess.run(
            [*command, "--no-commands", "--format", "json"], capture_output=True, env=environ
        )
        assert done.returncode in (0, 1), done.stderr.decode()
        reports.append(DURATION.sub(b'"duration_ms": 0', done.stdout))
    assert reports[1] == reports[0]
    assert reports[2] == reports[0]
    statuses = {r["rule"]: r["status"] for r in json.loads(reports[0])["results"]}
    assert statuses["ha.replicas-min"] == "skip"  # the rendered examples are not judged
    assert statuses["test.basic.tests-exist"] == "pass"  # chart test hooks count
