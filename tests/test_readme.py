"""The README's examples stay true: its pack validates, its config parses."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from engine import __version__
from engine.config import parse_config

ROOT = Path(__file__).resolve().parent.parent


def fenced_blocks(heading: str, language: str) -> list[str]:
    """The fenced blocks of `language` under a README heading (`## ...` or `### ...`),
    up to the next heading of its level or above."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    level, section = next(
        (hashes, text.split(f"\n{hashes} {heading}\n", 1)[1])
        for hashes in ("##", "###")
        if f"\n{hashes} {heading}\n" in text
    )
    section = re.split(rf"\n#{{2,{len(level)}}} ", section, maxsplit=1)[0]
    found = re.findall(rf"```{language}\n(.*?)```", section, re.S)
    assert found, f"no {language} block under '{heading}'"
    return found


def fenced(heading: str, language: str) -> str:
    """The first fenced block of `language` under a README heading."""
    return fenced_blocks(heading, language)[0]


def test_the_pack_in_one_page_is_valid(policy, tmp_path) -> None:
    pack = tmp_path / "my-service.yaml"
    pack.write_text(fenced("A pack in one page", "yaml"), encoding="utf-8")
    done = policy("validate", pack)
    assert (done.exit_code, done.stderr) == (0, "")
    assert done.stdout.endswith("1 file(s) checked: 0 error(s), 0 warning(s)\n")


def test_the_config_example_is_valid_and_names_real_rules(policy) -> None:
    config = parse_config(fenced("Repository config", "yaml"), "README.md")
    assert config.fail_on == "warning"
    rules = policy("rules", "--pack", "production", "--format", "json").stdout
    for rule_id, _ in config.disable:
        assert f'"id": "{rule_id}"' in rules
    for rule_id, _, _ in config.severity:
        assert f'"id": "{rule_id}"' in rules


def test_the_pre_commit_snippets_name_this_release_and_this_repository_s_hook() -> None:
    remote, local = (
        yaml.safe_load(block)["repos"] for block in fenced_blocks("The pre-commit hook", "yaml")
    )
    (ours,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    # the framework checks out `rev`: the release tag of this version (`git tag -a v0.1.0`)
    assert remote[0]["rev"] == f"v{__version__}"
    assert [hook["id"] for hook in remote[0]["hooks"]] == [ours["id"]] == ["policy"]
    # the `repo: local` form runs what the published hook runs, with the `policy` on PATH
    assert local[0]["repo"] == "local"
    (hook,) = local[0]["hooks"]
    assert hook["language"] == "system"
    same = ("id", "name", "entry", "pass_filenames", "always_run")
    assert {key: hook[key] for key in same} == {key: ours[key] for key in same}
