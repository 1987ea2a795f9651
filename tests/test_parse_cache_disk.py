"""The persistent parse cache: a second run parses nothing it parsed before, a broken
cache is no cache, two processes can share it, and it stays under its bound."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine import parse_cache_disk
from engine.folders import cache_dir
from engine.kept_parts import KeptParts
from engine.model.documents import Document
from engine.parse_cache import CachedParse
from engine.parse_cache_disk import FILE_NAME, WRITE_BATCH, DiskParseCache, decode, encode
from tests.conftest import EvalRun

PACK = """\
apiVersion: rulepack/v1
name: test
version: 1.0.0
categories:
  - {id: general, title: General}
rules:
  - id: r
    title: replicas
    category: general
    check:
      manifest:
        files: ["**/*.yaml"]
        where: "kind == 'Deployment'"
        assert: "spec.replicas >= `2`"
"""

FILES: dict[str, str | bytes | None] = {
    **{f"k8s/app{i}.yaml": f"kind: Deployment\nspec: {{replicas: {i}}}\n" for i in range(4)},
    "k8s/broken.yaml": "kind: [Deployment\n",
}


@pytest.fixture(autouse=True)
def every_batch_uses_the_file(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """These small repositories use the file as a large one does (a test of the
    threshold itself is marked `real_threshold`); every run judges its rules, so that
    what a second run reads is parses, not the verdicts of the first (engine/verdicts.py)
    nor the parts of files it kept (engine/kept_parts.py)."""
    monkeypatch.setenv("RULEPACK_VERDICT_CACHE", "0")
    monkeypatch.setattr(KeptParts, "save", lambda self: None)
    if "real_threshold" not in request.keywords:
        monkeypatch.setattr(parse_cache_disk, "MIN_BATCH", 1)


def without_durations(report: dict[str, Any]) -> dict[str, Any]:
    """A report as the same inputs must give it again (only durations may differ)."""
    results = [{k: v for k, v in r.items() if k != "duration_ms"} for r in report["results"]]
    return {**report, "results": results}


def report_of(run: EvalRun) -> dict[str, Any]:
    assert run.report is not None, run.stderr
    return without_durations(run.report)


def entries() -> list[tuple[str, bytes]]:
    with sqlite3.connect(cache_dir("parse") / FILE_NAME) as connection:
        return list(connection.execute("SELECT key, value FROM entries ORDER BY key"))


@pytest.mark.parametrize("snapshot", [["--ref", "HEAD"], ["--staged"], []])
def test_a_second_run_parses_nothing_it_parsed_before(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    count_parses: list[str],
    snapshot: list[str],
) -> None:
    repo = make_repo(FILES)
    first = evaluate(repo, PACK, *snapshot)
    assert count_parses == ["yaml"] * 5
    second = evaluate(repo, PACK, *snapshot)
    assert count_parses == ["yaml"] * 5
    uncached = evaluate(repo, PACK, *snapshot, env={"RULEPACK_PARSE_CACHE_MIB": "0"})
    assert count_parses == ["yaml"] * 10
    assert report_of(first) == report_of(second) == report_of(uncached)
    assert second.result()["status"] == "error"  # the broken file, named as before
    assert "k8s/broken.yaml" in json.dumps(second.result())


def test_an_edited_file_is_parsed_again(
    make_repo: Callable[..., Path], evaluate: Callable[..., EvalRun], count_parses: list[str]
) -> None:
    repo = make_repo({p: text for p, text in FILES.items() if p != "k8s/broken.yaml"})
    evaluate(repo, PACK)
    (repo / "k8s/app3.yaml").write_text("kind: Deployment\nspec: {replicas: 1}\n")
    run = evaluate(repo, PACK)
    assert count_parses == ["yaml"] * 5
    assert [f["path"] for f in run.result()["findings"]] == [
        "k8s/app0.yaml",
        "k8s/app1.yaml",
        "k8s/app3.yaml",
    ]


def test_a_corrupt_entry_is_a_miss(
    make_repo: Callable[..., Path], evaluate: Callable[..., EvalRun], count_parses: list[str]
) -> None:
    repo = make_repo(FILES)
    first = evaluate(repo, PACK, "--ref", "HEAD")
    with sqlite3.connect(cache_dir("parse") / FILE_NAME) as connection:
        connection.execute("UPDATE entries SET value = x'00ff'")
    second = evaluate(repo, PACK, "--ref", "HEAD")
    assert count_parses == ["yaml"] * 10
    assert report_of(first) == report_of(second)
    assert all(decode(value) is not None for _, value in entries())  # replaced


def test_a_cache_file_that_is_not_a_database_is_replaced(
    make_repo: Callable[..., Path], evaluate: Callable[..., EvalRun]
) -> None:
    repo = make_repo(FILES)
    first = evaluate(repo, PACK, "--ref", "HEAD")
    (cache_dir("parse") / FILE_NAME).write_bytes(b"not a database" * 100)
    second = evaluate(repo, PACK, "--ref", "HEAD")
    assert report_of(first) == report_of(second)
    assert len(entries()) == 5


def test_a_cache_folder_that_cannot_be_made_is_no_cache(
    make_repo: Callable[..., Path], evaluate: Callable[..., EvalRun], tmp_path: Path
) -> None:
    repo = make_repo(FILES)
    blocker = tmp_path / "a file"
    blocker.write_text("")
    run = evaluate(repo, PACK, "--ref", "HEAD", env={"RULEPACK_CACHE_DIR": str(blocker)})
    assert (run.exit_code, run.stderr) == (1, "")


def test_a_bad_size_bound_is_an_input_error(
    make_repo: Callable[..., Path], evaluate: Callable[..., EvalRun]
) -> None:
    run = evaluate(make_repo(FILES), PACK, env={"RULEPACK_PARSE_CACHE_MIB": "lots"})
    assert run.exit_code == 2
    assert (
        run.stderr
        == "policy: error: RULEPACK_PARSE_CACHE_MIB must be a number of MiB, not 'lots'\n"
    )


def entry(size: int) -> CachedParse:
    return CachedParse(size, None, (Document(1, 1, {"x": "y" * size}),))


def test_entries_of_another_engine_version_are_not_read(tmp_path: Path) -> None:
    old = DiskParseCache(tmp_path, "0.1.0+old", 1 << 20)
    old.put(("blob", "yaml"), entry(3))
    old.close()
    new = DiskParseCache(tmp_path, "0.1.0+new", 1 << 20)
    assert new.get(("blob", "yaml")) is None
    again = DiskParseCache(tmp_path, "0.1.0+old", 1 << 20)
    assert again.get(("blob", "yaml")) == entry(3)


def test_the_cache_stays_under_its_bound_dropping_what_was_used_longest_ago(
    tmp_path: Path,
) -> None:
    bound = 50_000
    cache = DiskParseCache(tmp_path, "v", bound)
    for i in range(20):  # 20 entries of about 10 kB: twice the bound
        cache.put((f"blob{i:02}", "yaml"), entry(10_000))
        cache.close()  # written one by one, in this order
    with sqlite3.connect(tmp_path / FILE_NAME) as connection:
        (total,) = connection.execute("SELECT sum(size) FROM entries").fetchone()
        kept = [k.split("\0")[2] for (k,) in connection.execute("SELECT key FROM entries")]
    assert total <= bound
    assert "blob19" in kept  # the newest stay
    fresh = DiskParseCache(tmp_path, "v", bound)
    assert fresh.get(("blob19", "yaml")) == entry(10_000)


def test_entries_nested_deeper_than_marshal_writes_are_not_kept() -> None:
    deep: Any = []
    for _ in range(3000):
        deep = [deep]
    assert encode(CachedParse(1, None, (Document(1, 1, deep),))) is None


def test_two_processes_can_use_the_cache_at_once(
    make_repo: Callable[..., Path], policy_exe: str, write_pack: Callable[..., Path]
) -> None:
    many = {f"k8s/app{i}.yaml": f"kind: Deployment\nspec: {{replicas: {i}}}\n" for i in range(300)}
    repo = make_repo(many)
    pack = write_pack(PACK)
    command = [
        policy_exe,
        "eval",
        str(repo),
        "--pack",
        str(pack),
        "--format",
        "json",
        "--ref",
        "HEAD",
    ]
    env = {**os.environ, "RULEPACK_PARALLEL_MINIMUM": "100000"}
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        for _ in range(3)
    ]
    outputs = [run.communicate() for run in runs]
    assert [run.returncode for run in runs] == [1, 1, 1], outputs
    reports = [without_durations(json.loads(out)) for out, _ in outputs]
    assert reports[0] == reports[1] == reports[2]
    assert len(entries()) == 300


def test_a_large_batch_written_meanwhile_is_all_there_once_closed(tmp_path: Path) -> None:
    cache = DiskParseCache(tmp_path, "v", 1 << 30)
    keys = [(f"blob{i}", "yaml") for i in range(WRITE_BATCH + 10)]
    cache.put_many({key: entry(1) for key in keys})  # handed to a writer thread
    cache.put(("last", "json"), entry(2))
    cache.close()
    fresh = DiskParseCache(tmp_path, "v", 1 << 30)
    found = fresh.get_many([*keys, ("last", "json")])
    assert len(found) == WRITE_BATCH + 11
    assert found["last", "json"] == entry(2)


def test_entries_written_in_several_statements_are_all_kept_in_key_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parse_cache_disk, "ROWS_PER_STATEMENT", 3)
    cache = DiskParseCache(tmp_path, "v", 1 << 30)
    keys = [(f"blob{i}", "yaml") for i in (7, 2, 9, 0, 4, 1, 8, 3, 6, 5)]  # 4 statements
    cache.put_many({key: entry(i) for i, key in enumerate(keys)})
    cache.close()
    fresh = DiskParseCache(tmp_path, "v", 1 << 30)
    assert fresh.get_many(keys) == {key: entry(i) for i, key in enumerate(keys)}
    with sqlite3.connect(tmp_path / FILE_NAME) as connection:
        stored = [k.split("\0")[2] for (k,) in connection.execute("SELECT key FROM entries")]
    assert stored == [f"blob{i}" for i in range(10)]


def test_a_run_on_a_later_day_records_the_use_of_what_it_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parse_cache_disk, "ROWS_PER_STATEMENT", 2)
    monkeypatch.setattr(parse_cache_disk, "_today", lambda: 100)
    cache = DiskParseCache(tmp_path, "v", 1 << 30)
    cache.put_many({(f"blob{i}", "yaml"): entry(i) for i in range(5)})
    cache.close()
    monkeypatch.setattr(parse_cache_disk, "_today", lambda: 103)
    later = DiskParseCache(tmp_path, "v", 1 << 30)
    assert len(later.get_many([(f"blob{i}", "yaml") for i in (0, 2, 3, 4)])) == 4
    later.close()
    with sqlite3.connect(tmp_path / FILE_NAME) as connection:
        used = {
            k.split("\0")[2]: day for k, day in connection.execute("SELECT key, used FROM entries")
        }
    assert used == {"blob0": 103, "blob1": 100, "blob2": 103, "blob3": 103, "blob4": 103}


def manifests(count: int) -> dict[str, str | bytes | None]:
    """`count` manifests, each its own blob."""
    return {
        f"k8s/app{i}.yaml": f"kind: Deployment\nspec: {{replicas: {i}}}\n" for i in range(count)
    }


@pytest.mark.real_threshold
def test_a_run_asking_for_fewer_files_than_the_threshold_never_opens_the_file(
    make_repo: Callable[..., Path], evaluate: Callable[..., EvalRun], count_parses: list[str]
) -> None:
    few = parse_cache_disk.MIN_BATCH - 1
    here = {"RULEPACK_PARALLEL_MINIMUM": "1000"}  # parsed in this process, to be counted
    small = make_repo(manifests(few))
    first = evaluate(small, PACK, env=here)
    second = evaluate(small, PACK, env=here)
    assert count_parses == ["yaml"] * few * 2  # parsed again: cheaper than opening the file
    assert report_of(first) == report_of(second)
    assert not (cache_dir("parse") / FILE_NAME).exists()
    large = make_repo(manifests(parse_cache_disk.MIN_BATCH))
    evaluate(large, PACK, env=here)
    evaluate(large, PACK, env=here)
    assert count_parses == ["yaml"] * (few * 2 + parse_cache_disk.MIN_BATCH)
    assert len(entries()) == parse_cache_disk.MIN_BATCH
