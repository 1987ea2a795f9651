"""The README's examples stay true: its pack validates, its config parses."""

from __future__ import annotations

import re
from pathlib import Path

from engine.config import parse_config

ROOT = Path(__file__).resolve().parent.parent


def fenced(heading: str, language: str) -> str:
    """The first fenced block of `language` under a README heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1]
    found = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert found, f"no {language} block under '{heading}'"
    return found.group(1)


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


def test_the_waivers_example_parses_and_names_a_real_rule(policy) -> None:
    config = parse_config(fenced("Waivers", "yaml"), "README.md")
    assert [(w.rule, w.paths, w.owner, w.ticket) for w in config.waivers] == [
        ("sec.no-private-keys", ("tests/fixtures/**",), "@platform-team", "SEC-123")
    ]
    assert config.max_waiver_days == 180
    rules = policy("rules", "--pack", "production", "--format", "json").stdout
    assert '"id": "sec.no-private-keys"' in rules
