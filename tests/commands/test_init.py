"""`policy init` writes a valid repo config that `policy eval` then follows."""

from __future__ import annotations

import json


def test_init_writes_a_config_that_eval_uses(make_repo, policy) -> None:
    root = make_repo({"tests/test_a.py": "def test(): pass\n", "README.md": "# x\n"})
    result = policy("init", root)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"wrote {root / '.rulepack.yaml'}")
    text = (root / ".rulepack.yaml").read_text()
    assert "packs:\n  - production\n  - testing\n" in text
    assert "  - oss" not in text  # no LICENSE, so not an open-source release

    report = policy("eval", root, "--no-commands", "--format", "json")
    assert report.exit_code in (0, 1)
    assert [p["name"] for p in json.loads(report.stdout)["packs"]] == ["production", "testing"]


def test_init_refuses_to_replace_a_config_without_force(make_repo, policy) -> None:
    root = make_repo({".rulepack.yaml": "packs: [oss]\n"})
    refused = policy("init", root)
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"policy: error: {root / '.rulepack.yaml'} already exists (use --force to replace it)\n"
    )
    assert (root / ".rulepack.yaml").read_text() == "packs: [oss]\n"
    assert policy("init", root, "--force").exit_code == 0
    assert "  - production\n" in (root / ".rulepack.yaml").read_text()


def test_init_in_a_folder_that_cannot_hold_the_file_is_an_input_error(policy) -> None:
    done = policy("init", "/proc")
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: error: cannot write /proc/.rulepack.yaml: No such file or directory\n",
    )
