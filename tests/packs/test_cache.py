"""The loaded-pack cache: an unchanged pack is not built again, and anything a build
reads (the pack's files, its bases, params, the engine) changes the entry used."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine import yaml_located
from engine.folders import cache_dir
from engine.packs import cache
from engine.packs.build import PackBuilder
from tests.conftest import CliResult, EvalRun

PACK = """\
apiVersion: rulepack/v1
name: cached
version: 1.0.0
params: {least: 2}
categories:
  - {id: general, title: General}
rules:
  - id: readme
    title: README says hello
    category: general
    check: {file: {paths: [README.md], contains: "[[]hello"}}
  - id: replicas
    title: replicas
    category: general
    check:
      manifest:
        files: ["*.yaml"]
        assert: "replicas >= `{{ least }}`"
"""
FILES: dict[str, str | bytes | None] = {"README.md": "[hello\n", "app.yaml": "replicas: 2\n"}


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every pack built (not taken from the cache)."""
    built: list[str] = []
    real = PackBuilder.build

    def counting(self: PackBuilder, chain: list) -> object:  # type: ignore[type-arg]
        built.append(chain[-1].name)
        return real(self, chain)

    monkeypatch.setattr(PackBuilder, "build", counting)
    return built


def entries() -> list[Path]:
    """The built packs kept (not the pack files read with positions)."""
    return sorted(p for p in cache_dir(cache.KIND).glob("*.pickle") if not is_file_entry(p))


def is_file_entry(path: Path) -> bool:
    return path.name.startswith("file-")


@pytest.fixture
def located(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every pack file read with positions (not taken from the cache)."""
    read: list[str] = []
    real = yaml_located.load_located

    def counting(text: str, file: str) -> object:
        read.append(Path(file).name)
        return real(text, file)

    monkeypatch.setattr(yaml_located, "load_located", counting)
    return read


def test_an_unchanged_pack_is_not_built_again(
    make_repo: Callable[..., Path], evaluate: Callable[..., EvalRun], builds: list[str]
) -> None:
    repo = make_repo(FILES)
    first = evaluate(repo, PACK)
    second = evaluate(repo, PACK)
    assert builds == ["cached"]
    assert len(entries()) == 1
    assert outcomes(first) == outcomes(second)
    # the build's warning (a nested set in the regex) is said again from the cache
    assert "regex '[[]hello'" in first.stderr
    assert second.stderr == first.stderr
    assert [second.status("readme"), second.status("replicas")] == ["pass", "pass"]


def outcomes(run: EvalRun) -> list[tuple[str, str, object]]:
    assert run.report is not None, run.stderr
    return [(r["rule"], r["status"], r["findings"]) for r in run.report["results"]]


def test_a_changed_pack_a_param_or_a_base_is_built_again(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
    builds: list[str],
) -> None:
    repo = make_repo(FILES)
    assert evaluate(repo, PACK).status("replicas") == "pass"
    assert evaluate(repo, PACK.replace("least: 2", "least: 3")).status("replicas") == "fail"
    assert evaluate(repo, PACK, "--param", "least=1").status("replicas") == "pass"
    assert builds == ["cached"] * 3
    base = write_pack(PACK.replace("name: cached", "name: base"), name="base.yaml")
    child = f"""\
apiVersion: rulepack/v1
name: child
version: 1.0.0
extends: [{{pack: {base}}}]
rules: []
"""
    assert evaluate(repo, child).status("replicas") == "pass"
    base.write_text(PACK.replace("name: cached", "name: base").replace("least: 2", "least: 9"))
    assert evaluate(repo, child).status("replicas") == "fail"
    assert builds == ["cached"] * 3 + ["child"] * 2


def test_another_engine_version_builds_again(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    builds: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = make_repo(FILES)
    evaluate(repo, PACK)
    monkeypatch.setattr("engine.code_version.code_version", lambda: "9.9.9+other")
    evaluate(repo, PACK)
    assert builds == ["cached", "cached"]
    assert len(entries()) == 2


def test_a_corrupt_entry_is_a_miss(
    make_repo: Callable[..., Path], evaluate: Callable[..., EvalRun], builds: list[str]
) -> None:
    repo = make_repo(FILES)
    evaluate(repo, PACK)
    (entry,) = entries()
    entry.write_bytes(b"\x80\x05 not a pickle")
    run = evaluate(repo, PACK)
    assert run.status("replicas") == "pass"
    assert builds == ["cached", "cached"]


def test_a_pack_that_reads_a_schema_file_is_not_kept(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
) -> None:
    write_pack('{"type": "object", "required": ["replicas"]}', name="app.schema.json")
    pack = write_pack(
        PACK.replace('assert: "replicas >= `{{ least }}`"', "schema: app.schema.json")
    )
    assert evaluate(make_repo(FILES), pack).status("replicas") == "pass"
    assert entries() == []


def test_the_cache_keeps_at_most_its_bound(tmp_path: Path) -> None:
    for i in range(cache.MAX_ENTRIES + 5):
        cache.store(tmp_path, f"key{i:03}", cache.CachedPack(None, ()))  # type: ignore[arg-type]
    kept = sorted(p.stem for p in tmp_path.glob("*.pickle"))
    assert len(kept) == cache.MAX_ENTRIES
    assert "key068" in kept


def file_entries() -> list[Path]:
    return sorted(p for p in cache_dir(cache.KIND).glob("*.pickle") if is_file_entry(p))


@pytest.mark.parametrize("change", ["nothing", "the pack", "the entry"])
def test_a_pack_file_is_read_with_positions_again_only_when_its_entry_cannot_serve(
    make_repo: Callable[..., Path],
    evaluate: Callable[..., EvalRun],
    write_pack: Callable[..., Path],
    located: list[str],
    change: str,
) -> None:
    repo = make_repo(FILES)
    pack = write_pack(PACK)
    evaluate(repo, pack)
    if change == "the pack":
        pack.write_text(PACK.replace("least: 2", "least: 3"))
    elif change == "the entry":
        (entry,) = file_entries()
        entry.write_bytes(b"\x80\x05 not a pickle")
    status = evaluate(repo, pack).status("replicas")
    assert status == ("fail" if change == "the pack" else "pass")
    assert located == ["pack.yaml"] * (1 if change == "nothing" else 2)


def test_a_pack_file_that_is_not_yaml_says_so_on_every_run(
    make_repo: Callable[..., Path],
    policy: Callable[..., CliResult],
    write_pack: Callable[..., Path],
) -> None:
    repo = make_repo(FILES)
    pack = write_pack(PACK + "  - {id: broken\n")
    for _ in range(2):
        run = policy("eval", repo, "--pack", pack)
        assert run.exit_code == 2
        assert run.stderr.startswith(f"policy: {pack}:20:1: error: not valid YAML: "), run.stderr
    assert file_entries() == []
