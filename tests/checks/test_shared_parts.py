"""What checks make of a file, kept across the evaluations that share a parse cache
(a history's commits, `policy diff`'s two snapshots), never changes a verdict.

Differential: random commits of manifests and texts (broken YAML, text that is
not UTF-8, values an expression cannot be evaluated on, files moved, changed and
removed) are judged commit by commit through one shared cache, and each commit
again by a fresh evaluation of its own; the reports must be the same.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.checks import manifest
from engine.commits import commit_workspace
from engine.model.serialize import report_to_data
from engine.parse_cache import MemoryParseCache
from engine.runs import EvalRequest
from tests.conftest import commit_all, git, repository_examples

PACK = """\
apiVersion: rulepack/v1
name: parts
version: 1.0.0
categories:
  - {id: k8s, title: Kubernetes}
filesets:
  k8s: {include: ["**/*.yaml"]}
rules:
  - {id: replicas, title: t, category: k8s, check: {manifest: {files: {fileset: k8s},
      where: "kind == 'Deployment'", assert: "spec.replicas >= `2`"}}}
  - {id: limits, title: t, category: k8s, check: {manifest: {files: {fileset: k8s},
      where: "kind == 'Deployment'", each: "spec.containers[]",
      assert: "length(limits) > `0`"}}}
  - {id: any-service, title: t, category: k8s, check: {manifest: {files: {fileset: k8s},
      where: "kind == 'Service'", assert: "spec.port", expect: any, on_empty: fail}}}
  - {id: no-latest, title: t, category: k8s, check: {manifest: {files: {fileset: k8s},
      each: "spec.containers[]", assert: "image == 'latest'", expect: none,
      on_parse_error: skip}}}
  - {id: steps, title: t, category: k8s, check: {manifest: {files: {fileset: k8s},
      where: "length(spec.containers) >= `1`", each: "spec.containers[]",
      assert: "length(limits) > `0`"}}}
  - {id: budget, title: t, category: k8s, check: {manifest: {files: {fileset: k8s},
      on_parse_error: skip,
      assert_all: "length([?kind=='PodDisruptionBudget']) > `0`"}}}
  - {id: readme-title, title: t, category: k8s, check: {file: {paths: ["**/*.md"],
      contains: "^# "}}}
  - {id: any-license, title: t, category: k8s, check: {file: {paths: ["**/*.md"],
      contains: "License", match: any}}}
  - {id: no-todo, title: t, category: k8s, check: {file: {paths: ["**/*.md", "**/*.yaml"],
      not_contains: "TODO"}}}
  - {id: docs-each, title: t, category: k8s, check: {file: {paths: ["*.md"],
      in_each: "svc/*", contains: "owner"}}}
  - {id: a-readme, title: t, category: k8s, check: {file: {exists: ["svc/*/README.md"]}}}
  - {id: no-top, title: t, category: k8s, check: {file: {absent: ["*.yaml"]}}}
  - {id: more-than-one, title: t, category: k8s, check: {file: {exists: ["svc/b/m*.yaml",
      "svc/a/*.yaml"]}}}
"""

CONTAINER = st.sampled_from(
    [
        "{name: a, limits: {memory: 1Gi}}",
        "{name: b, limits: {}}",
        "{name: c, limits: 3}",  # length() of a number: the expression cannot be evaluated
        "{name: d, image: latest}",
    ]
)
MANIFEST = st.one_of(
    st.builds(
        lambda replicas, containers: (
            f"kind: Deployment\nspec:\n  replicas: {replicas}\n"
            f"  containers: [{', '.join(containers)}]\n"
        ),
        st.sampled_from(["1", "3", "'two'", "null"]),
        st.lists(CONTAINER, max_size=2),
    ),
    st.sampled_from(
        [
            "kind: Service\nspec: {port: 80}\n",
            "kind: Service\nspec: {}\n",
            "kind: PodDisruptionBudget\n",
            "kind: Deployment\nspec: {replicas: 2}\n---\nkind: Service\nspec: {port: 1}\n",
            "kind: [Deployment\n",  # does not parse
            "# TODO: write this\nkind: ConfigMap\n",
        ]
    ),
)
TEXT = st.sampled_from(
    ["# Title\nowner: me\n", "no title\n", "# T\nLicense: MIT\n", "TODO\nTODO\n", "# x\n"]
)
PATHS = ["svc/a/deploy.yaml", "svc/a/README.md", "svc/b/deploy.yaml", "svc/b/more.yaml"]
PATHS += ["svc/b/README.md", "top.yaml", "NOTES.md"]


def content(path: str) -> st.SearchStrategy[bytes | None]:
    """What a commit does to `path`: writes it (sometimes as text not in UTF-8) or removes it."""
    text = MANIFEST if path.endswith(".yaml") else TEXT
    written = text.map(lambda t: t.encode("utf-8"))
    latin = text.map(lambda t: t.replace("\n", " \xe9\n", 1).encode("latin-1"))
    return st.one_of(written, written, latin, st.none())


COMMITS = st.lists(
    st.fixed_dictionaries({}, optional={path: content(path) for path in PATHS}),
    min_size=2,
    max_size=4,
)


def without_durations(report: dict[str, Any]) -> str:
    results = [{k: v for k, v in r.items() if k != "duration_ms"} for r in report["results"]]
    return json.dumps({**report, "results": results}, sort_keys=True)


@repository_examples(30)
@given(commits=COMMITS)
def test_commits_judged_through_one_cache_are_judged_as_each_alone(
    tmp_path_factory: Any, monkeypatch: pytest.MonkeyPatch, commits: list[dict[str, bytes | None]]
) -> None:
    # Only the first 2 findings of a rule point at their field's line (the rest keep the
    # document's): the limit then falls inside and between the files' parts.
    monkeypatch.setattr(manifest, "MAX_PINPOINTED", 2)
    # Judged every time: outcomes kept between runs would hide how parts are shared.
    monkeypatch.setenv("RULEPACK_VERDICT_CACHE", "0")
    repo = tmp_path_factory.mktemp("repo")
    git(repo, "init", "-q")
    pack = tmp_path_factory.mktemp("pack") / "pack.yaml"
    pack.write_text(PACK, encoding="utf-8")
    ids = []
    for n, changes in enumerate(commits):
        for name, data in changes.items():
            path = repo / name
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        ids.append(commit_all(repo, f"c{n}"))
    shared = MemoryParseCache()
    for through_shared, alone in judged_both_ways(repo, pack, ids, shared):
        assert through_shared == alone
    if any(data is not None for changes in commits for data in changes.values()):
        assert shared.parts is not None and len(shared.parts) > 0  # parts were shared


def judged_both_ways(
    repo: Path, pack: Path, ids: list[str], shared: MemoryParseCache
) -> list[tuple[str, str]]:
    """Each commit's JSON report (without durations) judged through `shared`, and alone."""
    request = EvalRequest(packs=(str(pack),))
    found = []
    for commit_id in ids:
        with commit_workspace(repo, commit_id, request) as commit:
            through_shared = commit.evaluate(shared)
            alone = commit.evaluate(MemoryParseCache(keeps_parts=False))
        found.append(
            (
                without_durations(report_to_data(through_shared)),
                without_durations(report_to_data(alone)),
            )
        )
    return found


FAULT = """\
apiVersion: rulepack/v1
name: fault
version: 1.0.0
categories:
  - {id: k8s, title: Kubernetes}
rules:
  - {id: r, title: t, category: k8s, check: {manifest: {files: ["*.yaml"], WHERE
      assert: "ASSERT"}}}
"""


@pytest.mark.parametrize(
    ("where", "assertion", "files", "message"),
    [
        # A file that does not parse is reported before anything is judged (ceil() of
        # infinity is a fault of the engine: "internal error" when it comes first).
        (
            "",
            "ceil(x) > `0`",
            {"a.yaml": "kind: [x\n", "b.yaml": "x: .inf\n"},
            "a.yaml:2: does not parse",
        ),
        # `where` is evaluated on every file before the assertion on any.
        (
            "where: 'abs(y) > `0`',",
            "ceil(x) > `0`",
            {"a.yaml": "{x: .inf, y: 1}\n", "b.yaml": "{x: 1, y: {}}\n"},
            "b.yaml document 1: `abs(y) > `0`` cannot be evaluated here",
        ),
        # The assertion is evaluated on every file before findings are made (a.yaml's
        # finding cannot be: its keys do not sort, a fault of the engine).
        (
            "",
            "x == abs(y)",
            {"a.yaml": "x: {1: a, b: c}\ny: 1\n", "b.yaml": "x: 1\ny: s\n"},
            "b.yaml document 1: `x == abs(y)` cannot be evaluated here",
        ),
    ],
)
def test_the_first_error_is_the_first_step_s_even_past_a_fault_in_another_file(
    tmp_path: Path, where: str, assertion: str, files: dict[str, str], message: str
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    for name, text in files.items():
        (repo / name).write_text(text, encoding="utf-8")
    ids = [commit_all(repo, "one")]
    (repo / "c.yaml").write_text("x: 1\ny: 1\n", encoding="utf-8")
    ids.append(commit_all(repo, "two"))  # the parts of a.yaml and b.yaml are kept
    pack = tmp_path / "pack.yaml"
    pack.write_text(FAULT.replace("WHERE", where).replace("ASSERT", assertion), encoding="utf-8")
    for through_shared, alone in judged_both_ways(repo, pack, ids, MemoryParseCache()):
        assert through_shared == alone
        (result,) = json.loads(alone)["results"]
        assert result["status"] == "error"
        assert result["message"].startswith(message), result["message"]
