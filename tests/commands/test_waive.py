"""`policy waive`: a waiver appended to the repo config as text, comments and layout kept."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.test_waivers import PACK

ENV = {"RULEPACK_TODAY": "2026-12-01"}
WAIVE = ("waive", "license", "--reason", "Legal: picking one", "--owner", "@legal", "--days", "30")
ENTRY = """\
  - rule: license
    reason: "Legal: picking one"
    owner: "@legal"
    expires: 2026-12-31
"""


def repo(make_repo, config: str | None, files: dict[str, str] | None = None) -> Path:
    found: dict[str, str | bytes | None] = {"packs/team.yaml": PACK, "keys/a.pem": "k"}
    if config is not None:
        found[".rulepack.yaml"] = textwrap.dedent(config)
    return make_repo({**found, **(files or {})})


def waive(policy, root: Path, *args: str):
    return policy(*args, "-C", root, env=ENV)


def config_text(root: Path) -> str:
    return (root / ".rulepack.yaml").read_text(encoding="utf-8")


def test_an_entry_goes_after_the_last_waiver_keeping_comments(policy, make_repo) -> None:
    before = """\
    packs: [packs/team.yaml]   # ours
    # Exceptions, reviewed monthly.
    waivers:
      - rule: no-keys          # test keys
        reason: Test keys
        owner: "@sec"
        expires: 2027-01-01
      # - rule: retired
    disable: []  # nothing
    """
    root = repo(make_repo, before)
    done = waive(policy, root, *WAIVE, "--ticket", "LEG-1")
    assert (done.exit_code, done.stdout) == (
        0,
        "policy: waived license until 2026-12-31 in " + str(root / ".rulepack.yaml") + "\n",
    )
    lines = textwrap.dedent(before).splitlines(keepends=True)
    assert config_text(root) == "".join(lines[:7]) + ENTRY + "    ticket: LEG-1\n" + "".join(
        lines[7:]
    )


def test_the_waiver_written_is_the_one_eval_applies(policy, make_repo) -> None:
    root = repo(make_repo, "packs: [packs/team.yaml]\n")
    assert waive(policy, root, *WAIVE, "--path", "keys/**").exit_code == 0
    done = policy("eval", root, "--format", "json", env=ENV)
    report = json.loads(done.stdout)
    assert [(w["rule"], w["paths"], w["state"]) for w in report["waivers"]] == [
        ("license", ["keys/**"], "unused")  # license has no findings under keys/
    ]
    assert config_text(root) == (
        "packs: [packs/team.yaml]\nwaivers:\n  - rule: license\n"
        '    paths: ["keys/**"]\n'
        '    reason: "Legal: picking one"\n    owner: "@legal"\n    expires: 2026-12-31\n'
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # no waivers key, and no newline at the end
        ("packs: [packs/team.yaml]", "packs: [packs/team.yaml]\nwaivers:\n" + ENTRY),
        # a flow list, empty or not
        (
            "packs: [packs/team.yaml]\nwaivers: []  # none yet\n",
            'packs: [packs/team.yaml]\nwaivers: [{rule: license, reason: "Legal: picking one", '
            'owner: "@legal", expires: 2026-12-31}]  # none yet\n',
        ),
        (
            "packs: [packs/team.yaml]\nwaivers: [{rule: no-keys, reason: r, owner: o,"
            " expires: 2027-01-01}]\n",
            "packs: [packs/team.yaml]\nwaivers: [{rule: no-keys, reason: r, owner: o,"
            ' expires: 2027-01-01}, {rule: license, reason: "Legal: picking one", '
            'owner: "@legal", expires: 2026-12-31}]\n',
        ),
        # a compact list (dashes at the key's column), and Windows line ends
        (
            "waivers:\n- {rule: no-keys, reason: r, owner: o, expires: 2027-01-01}\n"
            "packs: [packs/team.yaml]\n",
            "waivers:\n- {rule: no-keys, reason: r, owner: o, expires: 2027-01-01}\n"
            + textwrap.indent(textwrap.dedent(ENTRY), "")
            .replace("  - rule", "- rule")
            .replace("\n    ", "\n  ")
            + "packs: [packs/team.yaml]\n",
        ),
        (
            "packs: [packs/team.yaml]\r\nwaivers:\r\n  - {rule: no-keys, reason: r, owner: o,"
            " expires: 2027-01-01}\r\n",
            "packs: [packs/team.yaml]\r\nwaivers:\r\n  - {rule: no-keys, reason: r, owner: o,"
            " expires: 2027-01-01}\r\n" + ENTRY.replace("\n", "\r\n"),
        ),
    ],
)
def test_every_layout_of_waivers_gets_a_well_formed_entry(
    policy, make_repo, before: str, after: str
) -> None:
    root = repo(make_repo, None, {".rulepack.yaml": before})
    (root / ".rulepack.yaml").write_bytes(before.encode())
    done = waive(policy, root, *WAIVE)
    assert done.exit_code == 0, done.stderr
    assert (root / ".rulepack.yaml").read_bytes().decode() == after


def test_a_missing_config_is_created_for_the_default_pack(policy, make_repo) -> None:
    root = repo(make_repo, None)
    done = waive(policy, root, "waive", "sys.docker-version", "--reason", "r", "--owner", "o")
    assert done.exit_code == 2  # --days is required
    done = waive(
        policy, root, "waive", "sys.docker-version", "--reason", "No Docker here",
        "--owner", "ops", "--days", "1",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert config_text(root) == (
        'waivers:\n  - rule: sys.docker-version\n    reason: "No Docker here"\n'
        "    owner: ops\n    expires: 2026-12-02\n"
    )


def test_a_config_with_a_waivers_file_gets_the_entry_there(policy, make_repo) -> None:
    waivers = "# reviewed by @sec\n- {rule: no-keys, reason: r, owner: o, expires: 2027-01-01}\n"
    root = repo(
        make_repo,
        "packs: [packs/team.yaml]\nwaivers_file: policy/waivers.yaml\n",
        {"policy/waivers.yaml": waivers},
    )
    assert waive(policy, root, *WAIVE).exit_code == 0
    assert config_text(root) == "packs: [packs/team.yaml]\nwaivers_file: policy/waivers.yaml\n"
    written = (root / "policy" / "waivers.yaml").read_text(encoding="utf-8")
    assert written == waivers + textwrap.dedent(ENTRY)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("waive", "licence", "--reason", "r", "--owner", "o", "--days", "3"),
            "policy: error: unknown rule 'licence': the config's packs (team) lack it "
            "(did you mean 'license'?)\n",
        ),
        (
            ("waive", "license", "--reason", " ", "--owner", "o", "--days", "3"),
            "policy: error: --reason may not be blank\n",
        ),
        (
            ("waive", "license", "--reason", "r", "--owner", "", "--days", "3"),
            "policy: error: --owner may not be blank\n",
        ),
        (
            ("waive", "license", "--reason", "r", "--owner", "o", "--days", "366"),
            "policy: error: --days 366: a waiver may not expire later than max_waiver_days "
            "(365) from today\n",
        ),
        (
            ("waive", "license", "--path", "../x", "--reason", "r", "--owner", "o", "--days", "3"),
            "policy: error: --path ../x: glob '../x' leaves the snapshot root "
            "('..' is not allowed)\n",
        ),
    ],
)
def test_bad_options_exit_2_and_leave_the_config_alone(
    policy, make_repo, args: tuple[str, ...], message: str
) -> None:
    root = repo(make_repo, "packs: [packs/team.yaml]\n")
    done = waive(policy, root, *args)
    assert (done.exit_code, done.stderr) == (2, message)
    assert config_text(root) == "packs: [packs/team.yaml]\n"


def test_a_missing_reason_or_owner_is_a_usage_error(policy, make_repo) -> None:
    root = repo(make_repo, "packs: [packs/team.yaml]\n")
    done = waive(policy, root, "waive", "license", "--owner", "o", "--days", "3")
    assert done.exit_code == 2
    assert "Missing option '--reason'" in done.stderr
    done = waive(policy, root, "waive", "license", "--reason", "r", "--days", "3")
    assert "Missing option '--owner'" in done.stderr


def test_a_broken_config_is_not_touched(policy, make_repo) -> None:
    root = repo(make_repo, "packs: [packs/team.yaml\n")
    done = waive(policy, root, *WAIVE)
    assert done.exit_code == 2
    assert done.stderr.startswith("policy: .rulepack.yaml:2:1: error: not valid YAML")
    assert config_text(root) == "packs: [packs/team.yaml\n"


def test_a_config_from_policy_init_takes_a_waiver_below_its_comments(policy, make_repo) -> None:
    root = repo(make_repo, None)
    assert policy("init", root).exit_code == 0
    before = config_text(root)
    done = waive(
        policy, root, "waive", "sys.docker-version", "--reason", "r", "--owner", "o", "--days", "9"
    )
    assert done.exit_code == 0, done.stderr
    assert config_text(root) == before + (
        "waivers:\n  - rule: sys.docker-version\n    reason: r\n    owner: o\n"
        "    expires: 2026-12-10\n"
    )
