"""Tab completion through click's protocol, as the shell asks it: `policy` run with
COMP_WORDS, COMP_CWORD and _POLICY_COMPLETE=bash_complete."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PACK_HEADER

OURS = (
    PACK_HEADER.replace("name: test", "name: ours")
    + """\
  - {id: other, title: Other}
  - {id: empty, title: Empty}
rules:
  - {id: a.one, title: One, category: general, tags: [t1], check: {file: {exists: [x]}}}
  - {id: a.two, title: Two, category: other, tags: [t2, t1], check: {file: {exists: [x]}}}
"""
)


@pytest.fixture
def complete(policy_exe):
    """The completions of `line` (the word being completed is its last, maybe empty)."""

    def run(line: str, cwd: Path, env: dict[str, str] | None = None) -> list[tuple[str, str]]:
        done = subprocess.run(
            [policy_exe],
            cwd=cwd,
            env={
                **os.environ,
                **(env or {}),
                "COMP_WORDS": line,
                "COMP_CWORD": str(len(line.split(" ")) - 1),
                "_POLICY_COMPLETE": "bash_complete",
            },
            capture_output=True,
            text=True,
        )
        assert (done.returncode, done.stderr) == (0, ""), line
        return [
            (kind, value)
            for kind, _, value in (item.partition(",") for item in done.stdout.split())
        ]

    return run


def plain(*values: str) -> list[tuple[str, str]]:
    return [("plain", value) for value in values]


BUILTIN = ("common", "oss", "production", "testing")


def test_packs_are_the_names_policy_packs_finds_and_file_names(
    complete, make_repo, tmp_path
) -> None:
    on_path = tmp_path / "on-path"
    on_path.mkdir()
    (on_path / "team.yaml").write_text("x")
    repo = make_repo(
        {
            ".rulepack.yaml": "pack_path: [policy/packs]\n",
            "policy/packs/ours/pack.yaml": "x",
            ".rulepack/packs/local.yml": "x",
        }
    )
    env = {"RULEPACK_PATH": str(on_path)}
    # in the order `eval` looks names up: the repository's own last
    everything = [("file", ""), *plain("team", *BUILTIN, "ours", "local")]
    assert complete("policy eval --pack ", repo, env) == everything
    assert complete(f"policy eval {repo} --pack ", tmp_path, env) == everything
    assert complete("policy diff HEAD --pack lo", repo, env) == [("file", "lo"), *plain("local")]
    assert complete("policy rules --pack pro", tmp_path) == [("file", "pro"), *plain("production")]
    assert complete("policy test t", tmp_path, env) == [("file", "t"), *plain("team", "testing")]


def test_rules_categories_and_tags_are_those_of_the_packs_named_before(
    complete, write_pack, tmp_path
) -> None:
    pack = write_pack(OURS)
    assert complete(f"policy eval --pack {pack} --rule ", tmp_path) == plain("a.one", "a.two")
    assert complete(f"policy eval --pack {pack} --rule a.t", tmp_path) == plain("a.two")
    assert complete(f"policy eval --pack {pack} --category ", tmp_path) == plain("general", "other")
    # both rules read files only: the engine's `static` tag selects them too
    assert complete(f"policy eval --pack {pack} --tag ", tmp_path) == plain("static", "t1", "t2")
    assert complete(f"policy explain --pack {pack} a.", tmp_path) == plain("a.one", "a.two")


def test_zsh_shows_what_a_category_is(policy_exe, write_pack, tmp_path) -> None:
    line = f"policy eval --pack {write_pack(OURS)} --category "
    done = subprocess.run(
        [policy_exe],
        cwd=tmp_path,
        env={
            **os.environ,
            "COMP_WORDS": line,
            "COMP_CWORD": "5",
            "_POLICY_COMPLETE": "zsh_complete",
        },
        capture_output=True,
        text=True,
    )
    assert done.stdout.splitlines() == ["plain", "general", "General", "plain", "other", "Other"]


def test_without_pack_the_rules_are_those_rulepack_pack_or_the_config_names(
    complete, make_repo, write_pack, tmp_path
) -> None:
    repo = make_repo({".rulepack.yaml": "packs: [./ours.yaml]\n", "ours.yaml": OURS})
    assert complete("policy eval --rule ", repo) == plain("a.one", "a.two")
    assert complete(f"policy diff HEAD -C {repo} --rule a.o", tmp_path) == plain("a.one")
    assert complete(f"policy eval {repo} --rule a.t", tmp_path) == plain("a.two")
    oss = complete("policy eval --rule ", repo, {"RULEPACK_PACK": "oss"})
    assert oss[:2] == plain("oss.license", "oss.license-recognised")


def test_explain_completes_the_rules_it_searches(complete, policy, tmp_path) -> None:
    listed = json.loads(policy("rules", "--pack", "oss", "--format", "json").stdout)
    expected = [rule["id"] for rule in listed if rule["id"].startswith("oss.readme")]
    assert len(expected) > 1
    assert complete("policy explain oss.readme", tmp_path) == plain(*expected)


def test_a_broken_config_or_pack_completes_nothing(complete, make_repo, write_pack) -> None:
    repo = make_repo({".rulepack.yaml": "packs: [\n"})
    assert complete("policy eval --rule ", repo) == []
    assert complete("policy eval --pack ", repo) == [("file", "")]
    assert complete("policy explain ", repo) == []
    broken = write_pack("apiVersion: rulepack/v1\nname: [\n", name="broken.yaml")
    assert complete(f"policy eval --pack {broken} --tag ", broken.parent) == []
    assert complete("policy eval --pack no-such-pack --rule ", broken.parent) == []


def test_format_completes_each_of_several_formats(complete, tmp_path) -> None:
    assert complete("policy eval --format j", tmp_path) == plain("json", "junit")
    assert complete("policy eval --format json,s", tmp_path) == plain("json,sarif")
    assert complete("policy diff --format j", tmp_path) == plain("json")  # diff writes one


def test_show_completes_the_statuses_after_those_typed(complete, tmp_path) -> None:
    every = plain("passed", "failed", "skipped", "errored", "waived", "all")
    assert complete("policy eval --show ", tmp_path) == every
    assert complete("policy eval --show passed,s", tmp_path) == plain("passed,skipped")
    assert complete("policy diff HEAD --show failed,", tmp_path) == plain(
        "failed,passed", "failed,skipped", "failed,errored", "failed,waived", "failed,all"
    )


def test_rules_of_a_remote_pack_complete_from_the_cache_and_never_fetch(
    complete, policy, make_repo, pack_repository
) -> None:
    from engine.folders import cache_dir
    from tests.packs.test_remote import config, remote_pack

    repository = pack_repository()
    repository.release("v1.0.0", {"packs/base/pack.yaml": remote_pack()})
    repo = make_repo({".rulepack.yaml": config(repository.url)})
    assert complete("policy eval --rule ", repo) == []  # not pinned: nothing fetched
    assert not cache_dir("packs").exists()
    assert policy("lock", repo).exit_code == 0
    assert complete("policy eval --rule ", repo) == plain("readme")
