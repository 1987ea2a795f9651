"""Before command rules start, the table report says how many programs run, and where.

The line goes to stderr, and only with the table format: stdout holds the
report alone, and the other formats are read by programs.
"""

from __future__ import annotations

import json
import subprocess

from tests.conftest import git

# Two rules that share a named condition running a program (it runs once), one
# rule whose `when` does not hold (nothing of it runs), one that reads a file.
RULES = """\
- {id: a, title: A, category: general, when: {condition: tool}, check: {command: {run: ["true"]}}}
- {id: b, title: B, category: general, when: {condition: tool}, check: {command: {run: ["true"]}}}
- {id: c, title: C, category: general, when: {file: {exists: [absent]}},
   check: {command: {run: ["true"]}}}
- {id: d, title: D, category: general, check: {file: {exists: [README.md]}}}
"""
CONDITIONS = 'conditions:\n  tool: {command: {run: ["true"]}}\n'


def test_the_table_report_announces_the_programs_on_stderr(
    policy, make_repo, write_pack, pack_text
) -> None:
    pack = write_pack(pack_text(RULES, head=CONDITIONS))
    repo = make_repo({"README.md": "hi"})
    done = policy("eval", repo, "--pack", pack)
    assert done.exit_code == 0, done.stderr
    assert done.stderr == f"policy: running 3 programs in {repo} (use --no-commands to skip)\n"
    assert "running" not in done.stdout


def test_other_formats_announce_nothing(policy, make_repo, write_pack, pack_text) -> None:
    pack = write_pack(pack_text(RULES, head=CONDITIONS))
    repo = make_repo({"README.md": "hi"})
    for format_name in ("json", "sarif", "junit"):
        done = policy("eval", repo, "--pack", pack, "--format", format_name)
        assert (done.exit_code, done.stderr) == (0, "")
    json.loads(policy("eval", repo, "--pack", pack, "--format", "json").stdout)


def test_nothing_is_announced_when_no_program_will_run(
    policy, make_repo, write_pack, pack_text, tmp_path
) -> None:
    pack = write_pack(pack_text(RULES, head=CONDITIONS))
    repo = make_repo({"README.md": "hi"})
    for options in (["--no-commands"], ["--rule", "c", "--rule", "d"], ["--tag", "static"]):
        done = policy("eval", repo, "--pack", pack, *options)
        assert (done.exit_code, done.stderr) == (0, ""), options
    # a repository's own pack runs nothing without --trust-repo: nothing to announce
    marker = tmp_path / "marker"
    own = make_repo(
        {
            ".rulepack/packs/own.yaml": pack_text(
                "- {id: o, title: O, category: general,"
                f" check: {{command: {{shell: 'touch {marker}'}}}}}}"
            ).replace("name: test", "name: own")
        }
    )
    done = policy("eval", own, "--pack", "own")
    assert (done.exit_code, done.stderr) == (0, "")
    trusted = policy("eval", own, "--pack", "own", "--trust-repo")
    assert trusted.stderr == f"policy: running 1 program in {own} (use --no-commands to skip)\n"
    assert marker.exists()


def test_ref_and_staged_runs_name_the_copy_they_run_in(
    policy, make_repo, write_pack, pack_text
) -> None:
    pack = write_pack(pack_text(RULES, head=CONDITIONS))
    repo = make_repo({"README.md": "hi"})
    commit = git(repo, "rev-parse", "HEAD").strip()
    at_ref = policy("eval", repo, "--pack", pack, "--ref", "HEAD")
    staged = policy("eval", repo, "--pack", pack, "--staged")
    assert at_ref.stderr == (
        f"policy: running 3 programs in a copy of HEAD ({commit[:12]}) of {repo} "
        "(use --no-commands to skip)\n"
    )
    assert staged.stderr == (
        f"policy: running 3 programs in a copy of the index of {repo} (use --no-commands to skip)\n"
    )


def test_the_announcement_comes_before_the_first_program_starts(
    policy_exe, make_repo, write_pack, pack_text, tmp_path
) -> None:
    stderr_file = tmp_path / "stderr"
    seen = tmp_path / "seen"
    rule = (
        "- {id: r, title: R, category: general,"
        f" check: {{command: {{shell: 'cat {stderr_file} > {seen}'}}}}}}"
    )
    pack = write_pack(pack_text(rule))
    repo = make_repo({})
    with stderr_file.open("w") as err:
        done = subprocess.run(
            [policy_exe, "eval", str(repo), "--pack", str(pack)], stdout=subprocess.PIPE, stderr=err
        )
    assert done.returncode == 0
    announced = f"policy: running 1 program in {repo} (use --no-commands to skip)\n"
    assert seen.read_text() == announced  # what the program found on policy's stderr


def test_diff_announces_each_snapshot(policy, make_repo, write_pack, pack_text) -> None:
    pack = write_pack(pack_text(RULES, head=CONDITIONS))
    repo = make_repo({"README.md": "hi"})
    commit = git(repo, "rev-parse", "HEAD").strip()
    done = policy("diff", "HEAD", "-C", repo, "--pack", pack)
    assert done.exit_code == 0, done.stderr
    assert done.stderr.splitlines() == [
        f"policy: running 3 programs in {repo} (use --no-commands to skip)",
        f"policy: running 3 programs in a copy of HEAD ({commit[:12]}) of {repo} "
        "(use --no-commands to skip)",
    ]
    assert policy("diff", "HEAD", "-C", repo, "--pack", pack, "--format", "json").stderr == ""
