"""Content checks' parts of files kept between runs (engine/kept_parts.py)."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import engine.checks.file
import engine.checks.manifest
import engine.checks.subjects
from engine import entry_folder
from engine.kept_parts import FOLDER, KeptParts
from tests.conftest import EvalRun, git

PACK = """\
apiVersion: rulepack/v1
name: docs
version: 1.0.0
categories:
  - {id: docs, title: Docs}
rules:
  - {id: no-secrets, title: no secret in the docs, category: docs,
     check: {file: {paths: ["docs/**/*.md"], not_contains: "password="}}}
  - {id: owned, title: every doc names an owner, category: docs,
     check: {file: {paths: ["docs/**/*.md"], contains: "owner:"}}}
"""


@pytest.fixture
def searched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files this process searches for a content check (rather than reads its part
    of from an earlier run)."""
    found: list[str] = []
    real = engine.checks.file._text_part

    def counting(check: Any, context: Any, path: str) -> Any:
        found.append(path)
        return real(check, context, path)

    monkeypatch.setattr(engine.checks.file, "_text_part", counting)
    return found


def docs_repo(make_repo: Callable[..., Path]) -> Path:
    files: dict[str, str | bytes | None] = {
        f"docs/page{i}.md": f"# Page {i}\nowner: team-{i}\n" for i in range(5)
    }
    return make_repo(files)


def statuses(run: EvalRun) -> dict[str, tuple[str, list[Any]]]:
    assert run.report is not None, run.stderr
    return {
        r["rule"]: (r["status"], [(f["path"], f.get("line"), f["message"]) for f in r["findings"]])
        for r in run.report["results"]
    }


def results(run: EvalRun) -> list[dict[str, Any]]:
    """The report's results, but for their timings."""
    assert run.report is not None, run.stderr
    return [{k: v for k, v in r.items() if k != "duration_ms"} for r in run.report["results"]]


def test_a_staged_edit_searches_only_the_edited_file_again(
    make_repo: Callable[..., Path], evaluate: Callable[..., EvalRun], searched: list[str]
) -> None:
    repo = docs_repo(make_repo)
    first = evaluate(repo, PACK, "--staged")
    assert statuses(first) == {"no-secrets": ("pass", []), "owned": ("pass", [])}
    assert len(searched) == 10  # 5 files, 2 rules
    (repo / "docs/page3.md").write_text("# Page 3\npassword=hunter2\n", encoding="utf-8")
    git(repo, "add", "docs/page3.md")
    searched.clear()
    second = evaluate(repo, PACK, "--staged")
    # Both rules read the edited file, so both are judged again; the other four files'
    # parts come from the first run.
    assert searched == ["docs/page3.md", "docs/page3.md"]
    assert statuses(second) == {
        "no-secrets": ("fail", [("docs/page3.md", 2, "matches /password=/")]),
        "owned": ("fail", [("docs/page3.md", None, "does not match /owner:/")]),
    }
    afresh = evaluate(
        repo, PACK, "--staged", env={"RULEPACK_PARSE_CACHE_MIB": "0", "RULEPACK_VERDICT_CACHE": "0"}
    )
    assert second.exit_code == afresh.exit_code == 1
    assert results(second) == results(afresh)


def test_no_parse_cache_keeps_no_parts(
    make_repo: Callable[..., Path], evaluate: Callable[..., EvalRun], searched: list[str]
) -> None:
    repo = docs_repo(make_repo)
    off = {"RULEPACK_PARSE_CACHE_MIB": "0", "RULEPACK_VERDICT_CACHE": "0"}
    evaluate(repo, PACK, "--staged", env=off)
    evaluate(repo, PACK, "--staged", env=off)
    assert len(searched) == 20
    assert not (Path(os.environ["RULEPACK_CACHE_DIR"]) / "parse" / FOLDER).exists()


def test_edited_working_tree_files_are_searched_every_run(
    make_repo: Callable[..., Path], evaluate: Callable[..., EvalRun], searched: list[str]
) -> None:
    repo = docs_repo(make_repo)
    (repo / "docs/page0.md").write_text("# Page 0\n", encoding="utf-8")  # not staged
    off = {"RULEPACK_VERDICT_CACHE": "0"}
    evaluate(repo, PACK, env=off)
    searched.clear()
    run = evaluate(repo, PACK, env=off)
    # git vouches for the four unchanged files; the edited one has no blob id to keep by.
    assert searched == ["docs/page0.md", "docs/page0.md"]
    assert statuses(run)["owned"] == ("fail", [("docs/page0.md", None, "does not match /owner:/")])


def kept(tmp_path: Path, version: str = "v1", place: str = "/repo") -> KeptParts:
    return KeptParts(tmp_path / FOLDER, version, place)


def saved(tmp_path: Path, *parts: tuple[str, str, str, bool]) -> None:
    """One run keeping (path, content id, part, settled) in the table of kind `kind`."""
    run = kept(tmp_path)
    table = run.table("kind")
    run.keep(
        table, [((path, content_id), part, settled) for path, content_id, part, settled in parts]
    )
    run.save()


def test_parts_read_back_by_kind_and_engine_version(tmp_path: Path) -> None:
    first = kept(tmp_path)
    table = first.table(("file contents", "a", None))
    first.asked(table, [("a.md", "1")])
    first.keep(table, [(("a.md", "1"), "part of a.md", True)])
    first.save()
    again = kept(tmp_path)
    assert again.table(("file contents", "a", None)) == {("a.md", "1"): "part of a.md"}
    assert again.table(("file contents", "b", None)) == {}  # another check
    assert kept(tmp_path, "v2").table(("file contents", "a", None)) == {}  # another engine
    assert kept(tmp_path, place="/other").table(("file contents", "a", None)) == {}


def test_the_kinds_a_run_did_not_ask_for_are_kept_as_they_were(tmp_path: Path) -> None:
    saved(tmp_path, ("a.md", "1", "part of a.md", True))  # kind `kind`: one pack's check
    other = kept(tmp_path)  # another pack's run over the same place
    table = other.table("another kind")
    other.keep(table, [(("b.md", "2"), "part of b.md", True)])
    other.save()
    again = kept(tmp_path)
    assert again.table("kind") == {("a.md", "1"): "part of a.md"}
    assert again.table("another kind") == {("b.md", "2"): "part of b.md"}


def test_a_part_that_did_not_settle_is_not_kept(tmp_path: Path) -> None:
    saved(tmp_path, ("a.md", "1", "gave up", False), ("b.md", "2", "part of b.md", True))
    assert kept(tmp_path).table("kind") == {("b.md", "2"): "part of b.md"}


def test_a_table_past_twice_what_was_asked_keeps_only_that(tmp_path: Path) -> None:
    # a.md edited twice since.
    saved(tmp_path, *(("a.md", str(i), f"a.md as blob {i}", True) for i in range(3)))
    second = kept(tmp_path)
    table = second.table("kind")
    second.asked(table, [("a.md", "3")])
    second.keep(table, [(("a.md", "3"), "a.md as blob 3", True)])
    second.save()
    assert kept(tmp_path).table("kind") == {("a.md", "3"): "a.md as blob 3"}


def test_a_corrupt_table_is_an_empty_one(tmp_path: Path) -> None:
    saved(tmp_path, ("a.md", "1", "part", True))
    (entry,) = (tmp_path / FOLDER).iterdir()
    entry.write_bytes(b"not a pickle")
    assert kept(tmp_path).table("kind") == {}
    assert entry.name.endswith(entry_folder.SUFFIX)


def test_a_folder_that_cannot_be_written_keeps_nothing(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    parts = KeptParts(tmp_path / "file" / FOLDER, "v1", "/repo")  # under a file: no folder
    table = parts.table("kind")
    parts.keep(table, [(("a.md", "1"), "part", True)])
    parts.save()  # no error
    assert KeptParts(tmp_path / "file" / FOLDER, "v1", "/repo").table("kind") == {}


MANIFEST_PACK = """\
apiVersion: rulepack/v1
name: deploy
version: 1.0.0
categories:
  - {id: deploy, title: Deploy}
rules:
  - id: replicas
    title: two replicas or more
    category: deploy
    check:
      manifest:
        files: ["k8s/*.yaml"]
        where: "kind == 'Deployment'"
        assert: "spec.replicas >= `2`"
  - id: total
    title: four replicas in all
    category: deploy
    check:
      manifest:
        files: ["k8s/*.yaml"]
        assert_all: "sum([].spec.replicas) >= `4`"
"""


@pytest.fixture
def judged_files(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(rule's first assertion, file) of each file this process judges for a manifest
    check one file at a time (rather than reads its part of from an earlier run)."""
    found: list[tuple[str, str]] = []
    real = engine.checks.manifest._file_part

    def counting(check: Any, focus: Any, path: str, *args: Any) -> Any:
        found.append(("assert" if check.assertion else "assert_all", path))
        return real(check, focus, path, *args)

    monkeypatch.setattr(engine.checks.manifest, "_file_part", counting)
    return found


@pytest.fixture
def lined(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files this process builds again with positions, for the lines of findings."""
    found: list[str] = []
    real = engine.checks.subjects._lined

    def counting(context: Any, path: str) -> Any:
        found.append(path)
        return real(context, path)

    monkeypatch.setattr(engine.checks.subjects, "_lined", counting)
    return found


def test_a_staged_edit_judges_only_the_edited_manifest_again(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    judged_files: list[tuple[str, str]],
    lined: list[str],
) -> None:
    repo = make_repo(
        {f"k8s/app{i}.yaml": f"kind: Deployment\nspec:\n  replicas: {i}\n" for i in range(5)}
    )
    first = evaluate(repo, MANIFEST_PACK, "--staged")
    assert statuses(first)["replicas"] == (
        "fail",
        [
            ("k8s/app0.yaml", 3, "Deployment: spec.replicas is 0, expected >= 2"),
            ("k8s/app1.yaml", 3, "Deployment: spec.replicas is 1, expected >= 2"),
        ],
    )
    # The first run over the folder judges all the documents at once and keeps no
    # manifest parts (which a CI job with an empty cache would keep for nothing).
    assert judged_files == []
    lined.clear()
    (repo / "k8s/app3.yaml").write_text("kind: Deployment\n\nspec: {replicas: 0}\n", "utf-8")
    git(repo, "add", "k8s/app3.yaml")
    evaluate(repo, MANIFEST_PACK, "--staged")
    # The second judges file by file, keeping each file's part and findings' lines...
    assert judged_files == [("assert", f"k8s/app{i}.yaml") for i in range(5)]
    assert lined == ["k8s/app0.yaml", "k8s/app1.yaml", "k8s/app3.yaml"]
    (repo / "k8s/app4.yaml").write_text("kind: Deployment\nspec: {replicas: 1}\n", "utf-8")
    git(repo, "add", "k8s/app4.yaml")
    judged_files.clear()
    lined.clear()
    third = evaluate(repo, MANIFEST_PACK, "--staged")
    # ...so the third judges only the edited file. `assert_all` reads every document
    # again, so its parts are never kept between runs.
    assert judged_files == [("assert", "k8s/app4.yaml")]
    assert lined == ["k8s/app4.yaml"]
    assert statuses(third)["replicas"] == (
        "fail",
        [
            ("k8s/app0.yaml", 3, "Deployment: spec.replicas is 0, expected >= 2"),
            ("k8s/app1.yaml", 3, "Deployment: spec.replicas is 1, expected >= 2"),
            ("k8s/app3.yaml", 3, "Deployment: spec.replicas is 0, expected >= 2"),
            ("k8s/app4.yaml", 2, "Deployment: spec.replicas is 1, expected >= 2"),
        ],
    )
    assert statuses(third)["total"][0] == "pass"  # 0 + 1 + 2 + 0 + 1 replicas in all
    afresh = evaluate(
        repo,
        MANIFEST_PACK,
        "--staged",
        env={"RULEPACK_PARSE_CACHE_MIB": "0", "RULEPACK_VERDICT_CACHE": "0"},
    )
    assert third.exit_code == afresh.exit_code == 1
    assert results(third) == results(afresh)


def test_a_file_that_gives_a_manifest_check_nothing_reads_back_as_nothing() -> None:
    # `_parts` leaves such a file out by identity, read back from a kept table or not
    nothing = engine.checks.manifest._NOTHING
    assert pickle.loads(pickle.dumps(nothing, protocol=pickle.HIGHEST_PROTOCOL)) is nothing
