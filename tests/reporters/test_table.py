"""`--format table`: grouped by category, remediation under failures, summary, colour rules."""

from __future__ import annotations

import os
import re
import select
import subprocess

import pytest

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


def _tail(done) -> list[str]:
    """The report's lines after the header (which names the temporary repository)."""
    lines = done.stdout.splitlines()
    assert lines[3].startswith("rulepack 0.1.0 · ")
    return lines[:3] + lines[4:]


VERDICT = [
    "FAIL · 2 rules fail the run at --fail-on error: keys, config",
    "5 rules · 1 passed · 2 failed (1 error, 1 warning, 0 info) · 1 skipped · 1 errored",
    "sample 1.0.0 · success 25.00% (4 of 5 judged)",
]
SECURITY = [
    "Security · 1 failed · 1 errored · 1 skipped · 2 of 3 judged",
    "  ✗ fail   keys  No private keys  [error]",
    "           • a.pem: should not exist",
    "  ! error  config  Config parses",
    "           config.json:1: does not parse: Expecting property name enclosed in double quotes",
]
LICENSE = [
    "  ✗ fail   license  A LICENSE exists  [warning]",
    "           • none of LICENSE exists",
    "           fix: Add a LICENSE file.",
    "           docs: https://example.invalid/license",
]
SUMMARY = [
    "category       total  passed  failed  skipped  errored                success",
    "Documentation      2       1       1        0        0                 50.00%",
    "Security           3       0       1        1        1  0.00% (2 of 3 judged)",
    "",
    "Success rate: 25.00% (4 of 5 judged)",
]


def test_the_verdict_leads_then_failures_most_severe_first_and_passes_are_counted(
    policy, make_repo, write_pack
) -> None:
    done = policy("eval", make_repo(FILES), "--pack", write_pack(PACK))
    assert done.exit_code == 1
    assert _tail(done) == [
        *VERDICT,
        "",
        *SECURITY,  # the category whose failure fails the run comes first
        "",
        "Documentation · 1 failed · 1 passed · 2 of 2 judged",
        *LICENSE,
        "",
        *SUMMARY,
        "Not listed: 1 passed, 1 skipped (--show all lists them)",
    ]


@pytest.mark.parametrize(
    "show", [["--show", "all"], ["-v"], ["--show", "failed,errored,passed", "--show", "skipped"]]
)
def test_show_all_lists_passed_and_skipped_rules_too(policy, make_repo, write_pack, show) -> None:
    done = policy("eval", make_repo(FILES), "--pack", write_pack(PACK), *show)
    assert _tail(done) == [
        *VERDICT,
        "",
        *SECURITY,
        "  - skip   helm  Charts are valid",
        "           no file matches charts/**/*.yaml",
        "",
        "Documentation · 1 failed · 1 passed · 2 of 2 judged",
        *LICENSE,
        "  ✓ pass   readme  A README exists",
        "",
        *SUMMARY,
    ]


def test_show_lists_only_the_statuses_it_names(policy, make_repo, write_pack) -> None:
    done = policy(
        "eval", make_repo(FILES), "--pack", write_pack(PACK), env={"RULEPACK_SHOW": "skipped"}
    )
    assert done.exit_code == 1
    assert _tail(done)[3:] == [
        "",
        "Security · 1 failed · 1 errored · 1 skipped · 2 of 3 judged",
        "  - skip   helm  Charts are valid",
        "           no file matches charts/**/*.yaml",
        "",
        *SUMMARY,
        "Not listed: 2 failed, 1 errored, 1 passed (--show all lists them)",
    ]


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["--show", "failed,bogus"], {}, "'--show'"),
        ([], {"RULEPACK_SHOW": "fail"}, "'--show' (env var: 'RULEPACK_SHOW')"),
    ],
)
def test_an_unknown_show_word_exits_2_naming_the_choices(
    policy, make_repo, write_pack, args, env, named
) -> None:
    done = policy("eval", make_repo(FILES), "--pack", write_pack(PACK), *args, env=env)
    assert done.exit_code == 2
    word = "bogus" if args else "fail"
    assert done.stderr.splitlines()[-1] == (
        f"Error: Invalid value for {named}: {word!r} is not one of passed, failed, skipped, "
        "errored, waived, all (comma-separated)"
    )


CATEGORIES_PACK = """\
apiVersion: rulepack/v1
name: judged
version: 1.0.0
categories:
  - {id: quality, title: Code quality}
  - {id: tools, title: Tools}
rules:
  - {id: q1, title: One, category: quality, check: {file: {exists: [README.md]}}}
  - {id: q2, title: Two, category: quality, check: {file: {paths: [a.rs], contains: x}},
     when: {file: {exists: [Cargo.toml]}}}
  - {id: q3, title: Three, category: quality, check: {manifest: {files: [c/*.json], assert: a}}}
  - {id: t1, title: Tool, category: tools, check: {manifest: {files: [t/*.json], assert: a}}}
"""


def test_a_category_says_how_many_rules_were_judged_never_0_of_0(
    policy, make_repo, write_pack
) -> None:
    done = policy("eval", make_repo(FILES), "--pack", write_pack(CATEGORIES_PACK), "-v")
    assert done.exit_code == 0
    lines = done.stdout.splitlines()
    assert lines[0] == "PASS · nothing fails the run at --fail-on error"
    assert "Code quality · 1 passed · 2 skipped · 1 of 3 judged" in lines
    assert "Tools · 1 skipped · none of 1 judged" in lines
    assert lines[-5:] == [
        "category      total  passed  failed  skipped  errored                  success",
        "Code quality      3       1       0        2        0  100.00% (1 of 3 judged)",
        "Tools             1       0       0        1        0         none of 1 judged",
        "",
        "Success rate: 100.00% (1 of 4 judged)",
    ]
    assert not any("0/0" in line or "n/a" in line for line in lines)


def test_table_is_the_default_and_has_no_colour_off_a_terminal(
    policy, make_repo, write_pack
) -> None:
    repo = make_repo(FILES)
    done = policy("eval", repo, "--pack", write_pack(PACK), "--format", "table")
    default = policy("eval", repo, "--pack", write_pack(PACK))
    assert ANSI not in done.stdout + done.stderr
    assert done.stdout == default.stdout


def test_filtered_rules_are_counted_not_listed(policy, make_repo, write_pack) -> None:
    done = policy(
        "eval", make_repo(FILES), "--pack", write_pack(PACK), "--rule", "readme", "--show", "all"
    )
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


def _on_a_terminal(
    policy_exe: str, args: list[str], env: dict[str, str], stderr_too: bool = False
) -> str:
    """Run `policy` with a pseudo-terminal as stdout (and stderr); return what it wrote."""
    controller, terminal = os.openpty()
    try:
        process = subprocess.Popen(
            [policy_exe, *args],
            stdout=terminal,
            stderr=terminal if stderr_too else subprocess.DEVNULL,
            env=env,
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
    assert "Success rate: 25.00% (4 of 5 judged)" in plain
    assert ANSI not in plain


def test_staged_lists_only_what_fails_the_run_and_how_to_see_the_rest(
    policy, make_repo, write_pack
) -> None:
    repo, pack = make_repo(FILES), write_pack(PACK)
    done = policy("eval", repo, "--pack", pack, "--staged")
    assert done.exit_code == 1
    assert done.stdout.splitlines() == [
        *VERDICT[:2],
        "",
        "Security",
        *SECURITY[1:],
        "",
        "Not shown (they do not fail the run): 1 failed, 1 passed, 1 skipped",
        f"Everything: policy eval {repo} --staged --pack {pack} --show all",
    ]
    everything = policy("eval", repo, "--pack", pack, "--staged", "--show", "all")
    assert "  ✓ pass   readme  A README exists" in everything.stdout.splitlines()


def test_staged_with_show_is_the_full_report(policy, make_repo, write_pack) -> None:
    repo, pack = make_repo(FILES), write_pack(PACK)
    done = policy("eval", repo, "--pack", pack, "--staged", "--show", "failed,errored")
    assert _tail(done)[:3] == VERDICT
    assert _tail(done)[-1] == "Not listed: 1 passed, 1 skipped (--show all lists them)"


def test_a_commit_that_holds_says_so_in_two_lines_and_the_command(
    policy, make_repo, write_pack
) -> None:
    repo, pack = make_repo({"README.md": "x"}), write_pack(PACK)
    done = policy("eval", repo, "--pack", pack, "--staged", "--rule", "readme")
    assert done.exit_code == 0
    assert done.stdout.splitlines() == [
        "PASS · nothing fails the run at --fail-on error",
        "5 rules · 1 passed · 0 failed (0 error, 0 warning, 0 info) · 4 skipped · 0 errored",
        "",
        "Not shown (they do not fail the run): 1 passed, 4 skipped",
        f"Everything: policy eval {repo} --staged --pack {pack} --rule readme --show all",
    ]


MANY_RULES = "".join(
    f"""\
  - id: k{i:02}
    title: No key files {i}
    category: {"security" if i % 2 else "docs"}
    check: {{file: {{absent: ["**/*.pem"]}}}}
    remediation: Remove the key files.
    docs: https://example.invalid/keys
"""
    for i in range(12)
)
LONG_COMMAND = """\
  - id: cmd
    title: Tests pass
    category: docs
    check: {command: {shell: 'for i in 1 2 3 4 5 6 7 8 9 10; do echo line $i; done; exit 1'}}
"""


def test_the_brief_report_fits_one_screen_however_much_fails(policy, make_repo, write_pack) -> None:
    keys = {f"k{i:02}.pem": "k" for i in range(30)}
    pack = write_pack(PACK.split("rules:\n")[0] + "rules:\n" + LONG_COMMAND + MANY_RULES)
    done = policy("eval", make_repo(keys), "--pack", pack, "--staged")
    lines = done.stdout.splitlines()
    assert done.exit_code == 1
    assert len(lines) <= 36
    assert lines[0] == "FAIL · 13 rules fail the run at --fail-on error: cmd, k00, k02 and 10 more"
    at = lines.index("  ✗ fail   cmd  Tests pass  [error]")
    assert lines[at + 1 : at + 8] == [
        "           • exit code 1 (expected 0)",
        "               line 1",
        "               line 2",
        "               line 3",
        "               line 4",
        "               line 5",
        "               … (5 more lines)",
    ]
    at = lines.index("  ✗ fail   k00  No key files 0  [error]")
    assert lines[at + 1 : at + 5] == [
        "           • k00.pem: should not exist",
        "           • k01.pem: should not exist",
        "           • k02.pem: should not exist",
        "           • … and 27 more",
    ]
    named = [line for line in lines if line.startswith("  … and ")]
    assert len(named) == 1 and named[0].endswith(", k09, k11")
    assert lines[-1].startswith("Everything: policy eval ")


def test_the_progress_bar_shows_the_rule_running_and_the_time_elapsed(
    policy_exe, make_repo, write_pack
) -> None:
    slow = PACK + (
        "  - {id: slow-tests, title: Tests pass, category: docs,"
        " check: {command: {shell: 'sleep 1; exit 1'}}}\n"
    )
    args = ["eval", str(make_repo(FILES)), "--pack", str(write_pack(slow))]
    env = {**{k: v for k, v in os.environ.items() if k != "NO_COLOR"}, "NO_COLOR": "1"}
    drawn = _on_a_terminal(policy_exe, [*args, "--rule", "slow-tests"], env, stderr_too=True)
    # each redraw of the bar clears its line first (ESC [2K)
    frames = drawn.replace("\r", "\x1b[2K").split("\x1b[2K")
    assert any(re.fullmatch(r"running commands +0/1 0:00:0\d slow-tests *", f) for f in frames)


def test_with_jobs_the_bar_counts_the_other_rules_running(
    policy_exe, make_repo, write_pack
) -> None:
    slow = PACK + "".join(
        f"  - {{id: slow-{i}, title: Slow, category: docs,"
        " check: {command: {shell: 'sleep 1; exit 1'}}}\n"
        for i in (1, 2)
    )
    args = ["eval", str(make_repo(FILES)), "--pack", str(write_pack(slow)), "--jobs", "2"]
    env = {**{k: v for k, v in os.environ.items() if k != "NO_COLOR"}, "NO_COLOR": "1"}
    drawn = _on_a_terminal(policy_exe, [*args, "--rule", "slow-1", "--rule", "slow-2"], env, True)
    frames = drawn.replace("\r", "\x1b[2K").split("\x1b[2K")
    pattern = r"running commands +0/2 0:00:0\d slow-[12] \(\+1 more\) *"
    assert any(re.fullmatch(pattern, f) for f in frames), drawn


class ThroughRich:
    """A Screen that lays out everything with rich, as the report was written before
    it wrote plain text itself: the reference for the plain path."""

    def __init__(self, out, *, color: bool, width: int) -> None:
        from engine.reporters.styled import rich_console

        self._console = rich_console(out, color=color, width=width)

    def show(self, item=None) -> None:
        self._console.print() if item is None else self._console.print(item.rich())


SERVICE = {
    "Cargo.toml": '[package]\nname = "svc"\nversion = "0.1.0"\nedition = "2021"\n',
    "src/main.rs": "fn main() {}\n",
    "README.md": "# svc [beta]\n",
    "Dockerfile": "FROM rust:1.80\nCOPY . .\n",
    "k8s/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: svc}\n",
}


@pytest.mark.parametrize("args", [[], ["--show", "all"], ["--staged"]])
def test_the_plain_report_is_what_rich_writes_without_colour(
    policy, make_repo, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    repo = make_repo(SERVICE)
    command = ["eval", repo, "--pack", "production", "--no-commands", *args]
    plain = policy(*command)
    monkeypatch.setattr("engine.reporters.table.Screen", ThroughRich)
    reference = policy(*command)
    assert plain.exit_code == reference.exit_code == 1
    assert "Success rate:" in plain.stdout or "Everything:" in plain.stdout
    assert plain.stdout == reference.stdout
