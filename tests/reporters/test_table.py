"""`--format table`: grouped by category, remediation under failures, summary, colour rules."""

from __future__ import annotations

import os
import select
import subprocess

PACK = """\
apiVersion: rulepack/v1
name: sample
version: 1.0.0
categories:
  - {id: docs, title: Documentation}
  - {id: security, title: Security}
rules:
  - id: readme
    title: A README exists
    category: docs
    check: {file: {exists: [README.md]}}
  - id: license
    title: A LICENSE exists
    category: docs
    severity: warning
    check: {file: {exists: [LICENSE]}}
    remediation: Add a LICENSE file.
    docs: https://example.invalid/license
  - id: keys
    title: No private keys
    category: security
    check: {file: {absent: ["**/*.pem"]}}
  - id: config
    title: Config parses
    category: security
    check: {manifest: {files: ["*.json"], assert: a}}
  - id: helm
    title: Charts are valid
    category: security
    check: {manifest: {files: ["charts/**/*.yaml"], assert: a}}
"""

FILES = {"README.md": "x", "a.pem": "k", "config.json": "{"}
ANSI = "\x1b["


def test_the_table_groups_by_category_with_remediation_and_summary(
    policy, make_repo, write_pack
) -> None:
    done = policy("eval", make_repo(FILES), "--pack", write_pack(PACK))
    assert done.exit_code == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("rulepack 0.1.0 · sample 1.0.0 · ")
    assert lines[1:] == [
        "",
        "Documentation  1/2 passed",
        "  ✓ pass   readme  A README exists",
        "  ✗ fail   license  A LICENSE exists  [warning]",
        "           • none of LICENSE exists",
        "           fix: Add a LICENSE file.",
        "           docs: https://example.invalid/license",
        "",
        "Security  0/2 passed",
        "  ✗ fail   keys  No private keys  [error]",
        "           • a.pem: should not exist",
        "  ! error  config  Config parses",
        "           config.json:1: does not parse: Expecting property name enclosed in double "
        "quotes",
        "  - skip   helm  Charts are valid",
        "           no file matches charts/**/*.yaml",
        "",
        "category       total  passed  failed  skipped  errored  success",
        "Documentation      2       1       1        0        0   50.00%",
        "Security           3       0       1        1        1    0.00%",
        "",
        "Summary: 5 rules · 1 passed · 2 failed (1 error, 1 warning, 0 info) · 1 skipped · "
        "1 errored",
        "Success rate: 25.00%",
    ]


def test_table_is_the_default_and_has_no_colour_off_a_terminal(
    policy, make_repo, write_pack
) -> None:
    done = policy("eval", make_repo(FILES), "--pack", write_pack(PACK), "--format", "table")
    default = policy("eval", make_repo(FILES), "--pack", write_pack(PACK))
    assert ANSI not in done.stdout + done.stderr
    assert done.stdout.splitlines()[1:] == default.stdout.splitlines()[1:]


def test_filtered_rules_are_counted_not_listed(policy, make_repo, write_pack) -> None:
    done = policy("eval", make_repo(FILES), "--pack", write_pack(PACK), "--rule", "readme")
    assert done.exit_code == 0
    lines = done.stdout.splitlines()
    assert "  (1 filtered out)" in lines
    assert "  (3 filtered out)" in lines
    assert not any("keys" in line for line in lines)


def test_many_findings_are_shortened(policy, make_repo, write_pack) -> None:
    files = {f"k{i:02}.pem": "k" for i in range(25)}
    done = policy("eval", make_repo(files), "--pack", write_pack(PACK), "--rule", "keys")
    lines = done.stdout.splitlines()
    assert "           • k19.pem: should not exist" in lines
    assert "           • k20.pem: should not exist" not in lines
    assert "           • … and 5 more" in lines


def test_multi_line_findings_are_indented(policy, make_repo, write_pack) -> None:
    pack = PACK + (
        "  - {id: cmd, title: Tests pass, category: docs,"
        " check: {command: {shell: 'echo first; echo second; exit 2'}}}\n"
    )
    done = policy("eval", make_repo(FILES), "--pack", write_pack(pack), "--rule", "cmd")
    lines = done.stdout.splitlines()
    at = lines.index("           • exit code 2 (expected 0)")
    assert lines[at + 1 : at + 3] == ["               first", "               second"]


def _on_a_terminal(policy_exe: str, args: list[str], env: dict[str, str]) -> str:
    """Run `policy` with a pseudo-terminal as stdout; return what it wrote."""
    controller, terminal = os.openpty()
    try:
        process = subprocess.Popen(
            [policy_exe, *args], stdout=terminal, stderr=subprocess.DEVNULL, env=env
        )
        os.close(terminal)
        chunks = []
        while True:
            ready, _, _ = select.select([controller], [], [], 30)
            if not ready:
                break
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed: the program ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=30) == 1
    finally:
        os.close(controller)
    return b"".join(chunks).decode("utf-8", "replace")


def test_colour_on_a_terminal_unless_no_color(policy_exe, make_repo, write_pack) -> None:
    args = ["eval", str(make_repo(FILES)), "--pack", str(write_pack(PACK))]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    coloured = _on_a_terminal(policy_exe, args, env)
    assert ANSI in coloured
    plain = _on_a_terminal(policy_exe, args, {**env, "NO_COLOR": "1"})
    assert "Success rate: 25.00%" in plain
    assert ANSI not in plain
