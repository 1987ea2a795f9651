"""History's walk over commits: one parse per blob, however many commits hold it."""

from __future__ import annotations

from pathlib import Path

from engine.history.line import first_parent_line
from engine.history.walk import walk
from engine.runs import EvalRequest
from engine.store.database import open_store
from engine.store.records import Repository
from tests.commands.test_history import commit
from tests.conftest import git
from tests.test_parse_cache import RecordingCache

PACK = """\
apiVersion: rulepack/v1
name: k8s
version: 1.0.0
categories:
  - {id: ha, title: HA}
rules:
  - id: replicas
    title: Replicas
    category: ha
    check:
      manifest:
        files: ["k8s/*.yaml"]
        where: "kind == 'Deployment'"
        assert: "spec.replicas >= `2`"
"""


def blob(repo: Path, commit_id: str, path: str) -> str:
    return git(repo, "rev-parse", f"{commit_id}:{path}").strip()


def test_a_blob_that_several_commits_hold_is_parsed_once(tmp_path: Path, write_pack) -> None:
    repo = tmp_path / "svc"
    repo.mkdir()
    git(repo, "init", "-q")
    deployment = "kind: Deployment\nspec: {replicas: 1}\n"
    ids = [commit(repo, {"k8s/app.yaml": deployment, "k8s/db.yaml": "kind: X\n"}, "2024-01-01")]
    ids.append(commit(repo, {"k8s/db.yaml": "kind: Y\n"}, "2024-01-02"))
    ids.append(commit(repo, {"k8s/moved.yaml": deployment, "k8s/app.yaml": None}, "2024-01-03"))
    cache = RecordingCache()
    request = EvalRequest(packs=(str(write_pack(PACK)),))
    with open_store(f"sqlite:///{tmp_path / 'r.db'}") as store:
        walked = walk(
            first_parent_line(repo, None, None, None),
            request,
            store,
            Repository("svc"),
            parse_cache=cache,
        )
    assert [p.counts["failed"] for p in walked.history.points] == [1, 1, 1]
    parsed = sorted(blob_id for blob_id, _ in cache.stored)
    distinct = {
        blob(repo, ids[0], "k8s/app.yaml"),  # the same bytes at k8s/moved.yaml in ids[2]
        blob(repo, ids[0], "k8s/db.yaml"),
        blob(repo, ids[1], "k8s/db.yaml"),
    }
    assert parsed == sorted(distinct)
