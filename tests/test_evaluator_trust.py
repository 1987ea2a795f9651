"""Whose programs run: packs from the evaluated repository, `untrusted_when`, `--tag static`.

A pack read from the repository (its config's `packs:` files, `pack_path`,
`.rulepack/packs/`, or reached through `extends` from one) runs programs only
with --trust-repo or RULEPACK_TRUST_REPO=1. Each program here writes a marker
file: its absence proves it did not run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

UNTRUSTED = "not run: the pack comes from the repository (use --trust-repo)"


def repo_pack(marker: Path, name: str = "ours", head: str = "") -> str:
    """A pack whose rule `runs` writes `marker`, and whose rule `reads` reads a file."""
    return f"""\
apiVersion: rulepack/v1
name: {name}
version: 1.0.0
{head}categories: [{{id: general, title: General}}]
rules:
  - id: {name}.runs
    title: Runs a program
    category: general
    check: {{command: {{shell: "touch {marker}"}}}}
  - id: {name}.reads
    title: Reads a file
    category: general
    check: {{file: {{exists: [README.md]}}}}
"""


def results(done) -> list[tuple[str, str, str | None]]:
    assert done.exit_code in (0, 1), done.stderr
    return [(r["rule"], r["status"], r["reason"]) for r in json.loads(done.stdout)["results"]]


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "marker"


@pytest.mark.parametrize(
    "files",
    [
        {".rulepack/packs/ours.yaml": "PACK", ".rulepack.yaml": "packs: [ours]\n"},
        {"policy/ours.yaml": "PACK", ".rulepack.yaml": "pack_path: [policy]\npacks: [ours]\n"},
        {"policy/ours.yaml": "PACK", ".rulepack.yaml": "packs: [./policy/ours.yaml]\n"},
        {"policy/ours/pack.yaml": "PACK", ".rulepack.yaml": "packs: [policy/ours]\n"},
    ],
    ids=["rulepack-packs", "pack-path", "config-file", "config-folder"],
)
def test_a_repository_pack_runs_no_program_without_trust(policy, make_repo, marker, files) -> None:
    repo = make_repo(
        {
            "README.md": "hi",
            **{p: repo_pack(marker) if t == "PACK" else t for p, t in files.items()},
        }
    )
    done = policy("eval", repo, "--format", "json")
    assert results(done) == [("ours.runs", "skip", UNTRUSTED), ("ours.reads", "pass", None)]
    assert done.exit_code == 0 and not marker.exists()

    trusted = policy("eval", repo, "--format", "json", "--trust-repo")
    assert results(trusted) == [("ours.runs", "pass", None), ("ours.reads", "pass", None)]
    assert marker.exists()


def test_rulepack_trust_repo_1_trusts_it_too(policy, make_repo, marker) -> None:
    repo = make_repo({".rulepack/packs/ours.yaml": repo_pack(marker), "README.md": "hi"})
    done = policy(
        "eval", repo, "--pack", "ours", "--format", "json", env={"RULEPACK_TRUST_REPO": "1"}
    )
    assert results(done)[0] == ("ours.runs", "pass", None)
    assert marker.exists()


def test_the_staged_and_ref_snapshots_are_the_repository_too(policy, make_repo, marker) -> None:
    repo = make_repo({".rulepack/packs/ours.yaml": repo_pack(marker), "README.md": "hi"})
    for snapshot in (["--staged"], ["--ref", "HEAD"]):
        done = policy("eval", repo, "--pack", "ours", *snapshot, "--format", "json")
        assert results(done)[0] == ("ours.runs", "skip", UNTRUSTED)
    assert not marker.exists()


def test_a_repository_pack_that_extends_a_trusted_one_is_the_repositorys(
    policy, make_repo, write_pack, tmp_path, marker
) -> None:
    base = write_pack(repo_pack(tmp_path / "base-ran", name="base"), name="base.yaml")
    top = "extends: [{pack: base}]\n"
    repo = make_repo({".rulepack/packs/ours.yaml": repo_pack(marker, head=top), "README.md": "x"})
    env = {"RULEPACK_PATH": str(base.parent)}
    done = policy("eval", repo, "--pack", "ours", "--format", "json", env=env)
    # the inherited rule is judged as the repository's pack says: not run
    assert results(done) == [
        ("base.runs", "skip", UNTRUSTED),
        ("base.reads", "pass", None),
        ("ours.runs", "skip", UNTRUSTED),
        ("ours.reads", "pass", None),
    ]
    assert not marker.exists() and not (tmp_path / "base-ran").exists()
    # the trusted pack on its own runs its program
    alone = policy("eval", repo, "--pack", "base", "--format", "json", env=env)
    assert results(alone)[0] == ("base.runs", "pass", None)
    assert (tmp_path / "base-ran").exists()


def test_a_trusted_pack_that_extends_a_repository_pack_is_not_trusted(
    policy, make_repo, write_pack, tmp_path, marker
) -> None:
    ours = write_pack(repo_pack(tmp_path / "ours-ran", head="extends: [{pack: local}]\n"))
    repo = make_repo({".rulepack/packs/local.yaml": repo_pack(marker, name="local")})
    done = policy("eval", repo, "--pack", ours, "--format", "json")
    assert [(rule, status) for rule, status, _ in results(done)] == [
        ("local.runs", "skip"),
        ("local.reads", "fail"),
        ("ours.runs", "skip"),
        ("ours.reads", "fail"),
    ]
    assert not marker.exists() and not (tmp_path / "ours-ran").exists()


def test_a_pack_file_named_on_the_command_line_is_trusted_wherever_it_is(
    policy, make_repo, marker
) -> None:
    repo = make_repo({"policy/ours.yaml": repo_pack(marker), "README.md": "hi"})
    done = policy("eval", repo, "--pack", repo / "policy/ours.yaml", "--format", "json")
    assert results(done)[0] == ("ours.runs", "pass", None)
    assert marker.exists()


def test_a_when_that_does_not_hold_says_so_first(policy, make_repo, tmp_path, marker) -> None:
    pack = repo_pack(marker).replace(
        "    check: {command:", "    when: {file: {exists: [Cargo.toml]}}\n    check: {command:", 1
    )
    ran = tmp_path / "condition-ran"
    condition = f"    when: {{command: {{shell: 'touch {ran}'}}}}\n"
    by_program = repo_pack(marker, name="other").replace(
        "    check: {command:", condition + "    check: {command:", 1
    )
    repo = make_repo({".rulepack/packs/ours.yaml": pack, ".rulepack/packs/other.yaml": by_program})
    done = policy("eval", repo, "--pack", "ours", "--pack", "other", "--format", "json")
    assert results(done)[0] == ("ours.runs", "skip", "not applicable: none of Cargo.toml exists")
    # a `when` that runs a program is the program rule's own: not run either
    assert results(done)[2] == ("other.runs", "skip", UNTRUSTED)
    assert not marker.exists() and not ran.exists()


def test_no_commands_says_commands_are_disabled(policy, make_repo, marker) -> None:
    repo = make_repo({".rulepack/packs/ours.yaml": repo_pack(marker)})
    done = policy("eval", repo, "--pack", "ours", "--no-commands", "--format", "json")
    assert results(done)[0] == (
        "ours.runs",
        "skip",
        f"commands are disabled (--no-commands): /bin/sh -c touch {marker}",
    )


def test_diff_judges_both_sides_without_running_the_repository_pack(
    policy, make_repo, marker
) -> None:
    repo = make_repo({".rulepack/packs/ours.yaml": repo_pack(marker), "README.md": "hi"})
    done = policy("diff", "HEAD", "-C", repo, "--pack", "ours", "--format", "json")
    assert done.exit_code == 0, done.stderr
    assert not marker.exists()
    trusted = policy("diff", "HEAD", "-C", repo, "--pack", "ours", "--trust-repo")
    assert trusted.exit_code == 0, trusted.stderr
    assert marker.exists()


# -- untrusted_when: a trusted pack's rule the repository's files would redirect ------------

TOOL_PACK = """\
apiVersion: rulepack/v1
name: tools
version: 1.0.0
categories: [{{id: general, title: General}}]
conditions:
  tool-from-repo:
    manifest: {{files: [tool.toml], assert: "tool.path", expect: any}}
rules:
  - id: tool.version
    title: The tool runs
    category: general
    untrusted_when: {untrusted_when}
    check: {{command: {{shell: "touch {marker}"}}}}
"""


@pytest.mark.parametrize(
    ("untrusted_when", "why"),
    [
        ("{condition: tool-from-repo}", "condition 'tool-from-repo' holds"),
        ("{file: {exists: [tool.toml]}}", "tool.toml exists"),
    ],
    ids=["named", "inline"],
)
def test_untrusted_when_skips_the_rule_where_the_repository_chooses_the_program(
    evaluate, make_repo, marker, untrusted_when, why
) -> None:
    pack = TOOL_PACK.format(untrusted_when=untrusted_when, marker=marker)
    redirected = make_repo({"tool.toml": '[tool]\npath = "bin"\n'})
    run = evaluate(redirected, pack)
    reason = f"not run: the repository chooses the program ({why}) (use --trust-repo)"
    assert (run.status("tool.version"), run.result("tool.version")["reason"]) == ("skip", reason)
    assert not marker.exists()

    assert evaluate(redirected, pack, "--trust-repo").status("tool.version") == "pass"
    assert marker.exists()


def test_untrusted_when_that_does_not_hold_lets_the_program_run(
    evaluate, make_repo, marker
) -> None:
    pack = TOOL_PACK.format(untrusted_when="{condition: tool-from-repo}", marker=marker)
    for files in ({}, {"tool.toml": '[tool]\nchannel = "stable"\n'}):
        marker.unlink(missing_ok=True)
        assert evaluate(make_repo(files), pack).status("tool.version") == "pass"
        assert marker.exists()


def test_untrusted_when_that_cannot_be_evaluated_is_an_error(evaluate, make_repo, marker) -> None:
    pack = TOOL_PACK.format(untrusted_when="{condition: tool-from-repo}", marker=marker)
    run = evaluate(make_repo({"tool.toml": "[tool\n"}), pack)
    assert run.status("tool.version") == "error"
    assert run.result("tool.version")["reason"].startswith(
        "untrusted_when could not be evaluated: tool.toml:1:"
    )
    assert not marker.exists()


def test_untrusted_when_may_not_run_a_program(policy, make_repo, write_pack, marker) -> None:
    pack = write_pack(TOOL_PACK.format(untrusted_when="{command: {run: ['true']}}", marker=marker))
    done = policy("eval", make_repo({}), "--pack", pack)
    line = pack.read_text().splitlines().index("    untrusted_when: {command: {run: ['true']}}")
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: {pack}:{line + 1}:21: error: rule tool.version: untrusted_when may only read "
        "files: it decides whether programs run\n",
    )


# -- static: derived from the checks ----------------------------------------------------------


def test_tag_static_selects_the_rules_that_run_no_program(evaluate, make_repo, marker) -> None:
    pack = repo_pack(marker).replace("name: ours", "name: mine")
    run = evaluate(make_repo({"README.md": "hi"}), pack, "--tag", "static")
    assert [(r["rule"], r["status"], r["reason"]) for r in run.report["results"]] == [
        ("ours.runs", "skip", "filtered out by --tag"),
        ("ours.reads", "pass", None),
    ]
    assert not marker.exists()
    # reports list the pack's own tags: `static` is for selecting
    assert run.result("ours.reads")["tags"] == []


def test_a_pack_cannot_tag_a_rule_static(policy, make_repo, write_pack, marker) -> None:
    text = repo_pack(marker).replace(
        "    title: Runs a program\n", "    title: Runs a program\n    tags: [env, static]\n"
    )
    pack = write_pack(text)
    done = policy("eval", make_repo({}), "--pack", pack)
    line = text.splitlines().index("    tags: [env, static]") + 1
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: {pack}:{line}:17: error: rule ours.runs: tag 'static' is the engine's: it is "
        "given to every rule that runs no program (--tag static selects them)\n",
    )
