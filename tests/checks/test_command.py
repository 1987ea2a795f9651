"""`command` checks end to end: argv and shell, exit codes, output, timeout, env, cwd, tools."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest


def messages(run, rule: str = "r") -> list[str]:
    return [f["message"] for f in run.result(rule)["findings"]]


def test_argv_runs_without_a_shell(evaluate, make_repo, check_pack) -> None:
    check = "{command: {run: [printf, '%s|%s', 'a;b', '$HOME'], stdout_matches: '^a;b[|][$]HOME$'}}"
    run = evaluate(make_repo({}), check_pack(check))
    assert (run.exit_code, run.status(), run.result()["message"]) == (
        0,
        "pass",
        "printf %s|%s a;b $HOME exited 0",
    )


def test_shell_runs_through_sh(evaluate, make_repo, check_pack) -> None:
    check = "{command: {shell: 'echo one && echo two', stdout_matches: '^one\\ntwo$'}}"
    assert evaluate(make_repo({}), check_pack(check)).status() == "pass"


def test_a_string_run_is_refused_with_a_pointer_to_shell(
    policy, make_repo, check_pack, write_pack
) -> None:
    pack = write_pack(check_pack("{command: {run: 'echo hi'}}"))
    done = policy("eval", make_repo({}), "--pack", pack)
    assert done.exit_code == 2
    assert done.stderr.endswith(
        "error: rule r: check.command.run: 'echo hi' is not of type 'array'\n"
    )


@pytest.mark.parametrize(
    ("exit_code", "expected", "status"),
    [
        ("3", "3", "pass"),
        ("[0, 3]", "[0, 3]", "pass"),
        ("0", "0", "fail"),
        ("[0, 1]", "[0, 1]", "fail"),
    ],
)
def test_exit_code_int_or_list(
    evaluate, make_repo, check_pack, exit_code, expected, status
) -> None:
    check = (
        f"{{command: {{run: [sh, -c, 'echo out; echo err >&2; exit 3'], exit_code: {exit_code}}}}}"
    )
    run = evaluate(make_repo({}), check_pack(check))
    assert run.status() == status
    if status == "fail":
        wanted = " or ".join(expected.strip("[]").split(", "))
        assert messages(run) == [f"exit code 3 (expected {wanted})\nerr"]
        assert (
            run.result()["message"]
            == f"sh -c echo out; echo err >&2; exit 3: exit code 3 (expected {wanted})"
        )


def test_the_default_expected_exit_code_is_zero(evaluate, make_repo, check_pack) -> None:
    run = evaluate(make_repo({}), check_pack("{command: {run: ['false']}}"))
    assert (run.exit_code, run.status(), messages(run)) == (1, "fail", ["exit code 1 (expected 0)"])


def test_output_regexes(evaluate, make_repo, pack_text) -> None:
    script = "printf 'ok\\nwarning: x\\n'; echo 'all good' >&2"
    pack = pack_text(f"""\
        - id: stdout-ok
          title: T
          category: general
          check:
            command: {{shell: "{script}", stdout_matches: "(?m)^ok$", stderr_matches: good}}
        - id: stdout-missing
          title: T
          category: general
          check: {{command: {{shell: "{script}", stdout_matches: "^done$"}}}}
        - id: stdout-forbidden
          title: T
          category: general
          check: {{command: {{shell: "{script}", stdout_not_matches: "warning: .*"}}}}
        - id: stderr-forbidden
          title: T
          category: general
          check:
            command: {{shell: "{script}", stderr_not_matches: good, stderr_matches: nothing}}
    """)
    run = evaluate(make_repo({}), pack)
    assert run.status("stdout-ok") == "pass"
    assert messages(run, "stdout-missing") == ["stdout does not match /^done$/"]
    assert messages(run, "stdout-forbidden") == ["stdout line 2 matches /warning: .*/: warning: x"]
    assert messages(run, "stderr-forbidden") == [
        "stderr does not match /nothing/",
        "stderr line 1 matches /good/: good",
    ]


def _alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie waiting to be reaped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_a_timeout_kills_the_whole_process_group(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({})
    check = "{command: {shell: 'sleep 30 & echo $! > child.pid; sleep 30', timeout: 0.3}}"
    started = time.monotonic()
    run = evaluate(repo, check_pack(check))
    assert time.monotonic() - started < 10  # not the 30 s the programs wanted
    assert (run.exit_code, run.status()) == (1, "error")
    assert run.result()["reason"] == (
        "timed out after 0.3s: /bin/sh -c sleep 30 & echo $! > child.pid; sleep 30"
    )
    child = int((repo / "child.pid").read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(child), "the program's own child survived the timeout"


def test_env_is_added_to_the_environment(evaluate, make_repo, check_pack) -> None:
    check = (
        '{command: {run: [sh, -c, \'echo "$GREETING $LEVEL $DEBUG"; test -n "$PATH"\'],'
        " env: {GREETING: hello, LEVEL: 3, DEBUG: true}, stdout_matches: '^hello 3 true$'}}"
    )
    assert evaluate(make_repo({}), check_pack(check)).status() == "pass"


def test_cwd_is_relative_to_the_snapshot_root(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"sub/marker.txt": "x"})
    check = "{command: {run: [ls], cwd: sub, stdout_matches: '^marker.txt$'}}"
    assert evaluate(repo, check_pack(check)).status() == "pass"


def test_a_cwd_that_is_not_a_folder_is_an_error(evaluate, make_repo, check_pack) -> None:
    run = evaluate(make_repo({}), check_pack("{command: {run: [ls], cwd: missing}}"))
    assert (run.status(), run.result()["reason"]) == (
        "error",
        "cwd 'missing' is not a folder of the snapshot",
    )


@pytest.mark.parametrize(
    ("cwd", "reason"),
    [
        ("out", "cwd 'out' leads outside the snapshot (through a symlink)"),
        ("sub/up", "cwd 'sub/up' leads outside the snapshot (through a symlink)"),
        ("gitdir", "cwd 'gitdir' leads to an unsafe path: `.git` names git's own folder"),
    ],
)
def test_a_cwd_that_a_symlink_takes_outside_the_root_is_an_error_and_nothing_runs(
    evaluate, make_repo, check_pack, tmp_path, cwd, reason
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = make_repo({"sub/keep": "x"})
    os.symlink(os.path.relpath(outside, repo), repo / "out")
    os.symlink("../../outside", repo / "sub/up")
    os.symlink(".git", repo / "gitdir")

    run = evaluate(repo, check_pack(f"{{command: {{run: [touch, ran], cwd: {cwd}}}}}"))

    assert (run.status(), run.result()["reason"]) == ("error", reason)
    assert list(outside.iterdir()) == []
    assert not (repo / ".git" / "ran").exists()


def test_a_cwd_through_a_symlink_that_stays_inside_runs_there(
    evaluate, make_repo, check_pack
) -> None:
    repo = make_repo({"services/api/marker.txt": "x"})
    os.symlink("services/api", repo / "api")
    check = "{command: {run: [ls], cwd: api, stdout_matches: '^marker.txt$'}}"
    assert evaluate(repo, check_pack(check)).status() == "pass"


def test_the_default_cwd_is_the_root(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"marker.txt": "x"})
    check = "{command: {run: [ls], stdout_matches: '(?m)^marker.txt$'}}"
    assert evaluate(repo, check_pack(check)).status() == "pass"


def test_a_program_inside_the_repository(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"scripts/check.sh": "#!/bin/sh\necho checked\n"})
    script = repo / "scripts" / "check.sh"
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    check = "{command: {run: [./scripts/check.sh], stdout_matches: checked}}"
    assert evaluate(repo, check_pack(check)).status() == "pass"


@pytest.mark.parametrize("entry", ["bin", ".", "./bin", ""], ids=["bin", "dot", "dot-bin", "empty"])
def test_relative_path_entries_do_not_find_the_repositorys_programs(
    evaluate, make_repo, check_pack, tmp_path, entry
) -> None:
    marker = tmp_path / "marker"
    tool = f"#!/bin/sh\ntouch {marker}\n"
    repo = make_repo({"bin/rp-tool": tool, "rp-tool": tool})
    for script in (repo / "bin/rp-tool", repo / "rp-tool"):
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    path = f"{entry}:/usr/bin:/bin"
    argv = evaluate(repo, check_pack("{command: {run: [rp-tool]}}"), env={"PATH": path})
    shell = evaluate(repo, check_pack("{command: {shell: rp-tool}}"), env={"PATH": path})
    assert (argv.status(), argv.result()["reason"]) == (
        "skip",
        "rp-tool is not installed (not found on PATH)",
    )
    assert shell.status() == "fail"  # sh: rp-tool: not found
    assert not marker.exists()


def test_a_path_of_relative_entries_only_finds_nothing(
    evaluate, make_repo, check_pack, tmp_path
) -> None:
    marker = tmp_path / "marker"
    repo = make_repo({"rp-tool": f"#!/bin/sh\ntouch {marker}\n"})
    (repo / "rp-tool").chmod(0o755)
    # an empty PATH would make the shell look in the current folder: the repository
    run = evaluate(repo, check_pack("{command: {run: [/bin/sh, -c, rp-tool]}}"), env={"PATH": "."})
    assert run.status() == "fail"
    assert not marker.exists()


def test_a_path_the_check_sets_itself_is_passed_on_unchanged(
    evaluate, make_repo, check_pack
) -> None:
    repo = make_repo({"bin/rp-tool": "#!/bin/sh\necho ours\n"})
    (repo / "bin/rp-tool").chmod(0o755)
    check = "{command: {shell: rp-tool, env: {PATH: 'bin:/usr/bin:/bin'}, stdout_matches: ours}}"
    assert evaluate(repo, check_pack(check)).status() == "pass"


def test_a_missing_tool_skips(evaluate, make_repo, check_pack) -> None:
    check = "{command: {run: [echo, hi], requires: [no-such-tool-xyz]}}"
    run = evaluate(make_repo({}), check_pack(check))
    assert (run.exit_code, run.status(), run.result()["reason"]) == (
        0,
        "skip",
        "no-such-tool-xyz is not installed (not found on PATH)",
    )


def test_a_missing_program_skips(evaluate, make_repo, check_pack) -> None:
    run = evaluate(make_repo({}), check_pack("{command: {run: [no-such-tool-xyz, --version]}}"))
    assert (run.status(), run.result()["reason"]) == (
        "skip",
        "no-such-tool-xyz is not installed (not found on PATH)",
    )


def test_on_missing_fail(evaluate, make_repo, check_pack) -> None:
    check = "{command: {run: [no-such-tool-xyz], on_missing: fail}}"
    run = evaluate(make_repo({}), check_pack(check))
    assert (run.exit_code, run.status(), messages(run)) == (
        1,
        "fail",
        ["no-such-tool-xyz is not installed (not found on PATH)"],
    )


def test_no_commands_skips_with_a_reason(evaluate, make_repo, check_pack, tmp_path) -> None:
    repo = make_repo({})
    run = evaluate(repo, check_pack("{command: {run: [touch, ran]}}"), "--no-commands")
    assert (run.exit_code, run.status(), run.result()["reason"]) == (
        0,
        "skip",
        "commands are disabled (--no-commands): touch ran",
    )
    assert not (repo / "ran").exists()


def test_no_commands_also_skips_commands_inside_combinators_and_when(
    evaluate, make_repo, pack_text
) -> None:
    repo = make_repo({"a.txt": "x"})
    pack = pack_text("""\
        - id: inside
          title: T
          category: general
          check: {all: [{file: {exists: [a.txt]}}, {command: {run: [touch, ran]}}]}
        - id: when
          title: T
          category: general
          when: {command: {run: [touch, ran]}}
          check: {file: {exists: [a.txt]}}
    """)
    run = evaluate(repo, pack, "--no-commands")
    assert [(r["status"], r["reason"]) for r in run.report["results"]] == [
        ("skip", "commands are disabled (--no-commands): touch ran"),
        ("skip", "commands are disabled (--no-commands): touch ran"),
    ]
    assert not (repo / "ran").exists()


def test_jobs_gives_the_same_results_in_the_same_order(evaluate, make_repo, pack_text) -> None:
    rules = ""
    for i in range(6):
        if i % 2:
            rules += (
                f"- {{id: file-{i}, title: T, category: general,"
                " check: {file: {exists: [a.txt]}}}\n"
            )
        else:
            sleep = 0.2 if i == 0 else 0.0
            rules += (
                f"- {{id: cmd-{i}, title: T, category: general,"
                f" check: {{command: {{shell: 'sleep {sleep}; echo {i}',"
                f" stdout_matches: '^{i}$'}}}}}}\n"
            )
    rules += "- {id: cmd-fail, title: T, category: general, check: {command: {run: ['false']}}}\n"
    repo = make_repo({"a.txt": "x"})
    one = evaluate(repo, pack_text(rules), "--jobs", "1")
    two = evaluate(repo, pack_text(rules), "--jobs", "2")

    def stable(run) -> list[dict]:
        return [{k: v for k, v in r.items() if k != "duration_ms"} for r in run.report["results"]]

    assert stable(one) == stable(two)
    assert [r["rule"] for r in two.report["results"]] == [
        "cmd-0",
        "file-1",
        "cmd-2",
        "file-3",
        "cmd-4",
        "file-5",
        "cmd-fail",
    ]
    assert [r["status"] for r in two.report["results"]] == ["pass"] * 6 + ["fail"]


@pytest.mark.parametrize("jobs", ["0", "65"])
def test_jobs_must_be_from_1_to_64(policy, make_repo, check_pack, write_pack, jobs) -> None:
    pack = write_pack(check_pack("{file: {exists: [a]}}"))
    done = policy("eval", make_repo({}), "--pack", pack, "--jobs", jobs)
    assert done.exit_code == 2
    assert done.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--jobs': {jobs} is not in the range 1<=x<=64."
    )


def test_the_environment_of_the_run_reaches_the_program(evaluate, make_repo, check_pack) -> None:
    check = "{command: {run: [sh, -c, 'echo $RULEPACK_TEST_VALUE'], stdout_matches: '^from-env$'}}"
    run = evaluate(make_repo({}), check_pack(check), env={"RULEPACK_TEST_VALUE": "from-env"})
    assert run.status() == "pass", run.result()


def test_program_output_is_not_inherited(policy, make_repo, check_pack, write_pack) -> None:
    pack = write_pack(check_pack("{command: {run: [sh, -c, 'echo LEAKED-OUT\"\"PUT']}}"))
    done = policy("eval", make_repo({}), "--pack", pack, "--format", "json")
    assert done.exit_code == 0
    assert "LEAKED-OUTPUT" not in done.stdout + done.stderr


def test_output_past_the_cap_is_dropped(evaluate, make_repo, check_pack) -> None:
    check = (
        "{command: {shell: 'head -c 5000000 /dev/zero | tr \"\\\\0\" a; echo END',"
        " stdout_matches: END}}"
    )
    run = evaluate(make_repo({}), check_pack(check))
    assert messages(run) == ["stdout does not match /END/"]


def test_endless_output_does_not_fill_memory(policy_exe, make_repo, check_pack, write_pack) -> None:
    import subprocess
    import sys

    pack = write_pack(check_pack("{command: {run: ['yes'], timeout: 0.5}}"))
    script = (
        "import resource, sys\n"
        "from cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "eval", "--pack", str(pack), "--format", "json"],
        cwd=make_repo({}),
        capture_output=True,
        text=True,
    )
    assert '"reason": "timed out after 0.5s: yes"' in done.stdout
    assert int(done.stderr.splitlines()[-1]) < 200, "MiB kept while `yes` ran"


def test_children_holding_the_output_open_are_covered_by_the_timeout(
    evaluate, make_repo, check_pack
) -> None:
    repo = make_repo({})
    started = time.monotonic()
    run = evaluate(repo, check_pack("{command: {shell: 'sleep 30 & echo started', timeout: 0.3}}"))
    assert time.monotonic() - started < 10
    assert (run.status(), run.result()["reason"]) == (
        "error",
        "timed out after 0.3s: /bin/sh -c sleep 30 & echo started",
    )


def test_jobs_runs_command_rules_at_the_same_time(evaluate, make_repo, pack_text) -> None:
    # each program waits for the other's file: only running both at once lets both pass
    wait = "touch {mine}; while [ ! -e {other} ]; do sleep 0.01; done"
    rules = "".join(
        f"- {{id: {mine}, title: T, category: general,"
        f" check: {{command: {{shell: '{wait.format(mine=mine, other=other)}', timeout: 20}}}}}}\n"
        for mine, other in (("left", "right"), ("right", "left"))
    )
    run = evaluate(make_repo({}), pack_text(rules), "--jobs", "2")
    assert [r["status"] for r in run.report["results"]] == ["pass", "pass"]


FORMATTER = "echo 'Diff in src/main.rs at line 3:'; echo '-fn  main() {}'; " + (
    "i=0; while [ $i -lt 20 ]; do echo 'Warning: unstable option' >&2; i=$((i+1)); done; exit 1"
)


def test_evidence_names_the_output_a_failure_quotes(evaluate, make_repo, check_pack) -> None:
    default = evaluate(make_repo({}), check_pack(f'{{command: {{shell: "{FORMATTER}"}}}}'))
    assert messages(default)[0].splitlines()[1:3] == [
        "Warning: unstable option",
        "Warning: unstable option",
    ]
    stdout = evaluate(
        make_repo({}), check_pack(f'{{command: {{shell: "{FORMATTER}", evidence: stdout}}}}')
    )
    assert messages(stdout) == [
        "exit code 1 (expected 0)\nDiff in src/main.rs at line 3:\n-fn  main() {}"
    ]


def test_a_failure_whose_output_matches_error_matches_is_an_error_with_that_line(
    evaluate, make_repo, check_pack
) -> None:
    offline = (
        "echo '    Updating crates.io index' >&2; "
        "echo 'warning: spurious network error (3 tries remaining): [6] "
        "Could not resolve hostname' >&2; exit 101"
    )
    check = (
        f'{{command: {{shell: "{offline}", error_matches: "(?i)network error|could not resolve"}}}}'
    )
    run = evaluate(make_repo({}), check_pack(check))
    assert run.status() == "error"
    assert run.result()["reason"].endswith(
        "could not be judged: warning: spurious network error (3 tries remaining): "
        "[6] Could not resolve hostname"
    )
    # a failure that says nothing of the kind stays a failure
    plain = '{command: {shell: "echo broken >&2; exit 1", error_matches: "network error"}}'
    assert evaluate(make_repo({}), check_pack(plain)).status() == "fail"
    # and a program that succeeds passes, whatever it printed
    fine = '{command: {shell: "echo network error >&2", error_matches: "network error"}}'
    assert evaluate(make_repo({}), check_pack(fine)).status() == "pass"


# -- what no program can be given -----------------------------------------------------------


@pytest.mark.parametrize(
    ("timeout", "message"),
    [
        (".nan", "nan is not a number (NaN and infinities are not)"),
        (".inf", "inf is not a number (NaN and infinities are not)"),
        ("1e10", "10000000000.0 is greater than the maximum of 86400"),
        ("0", "0 is less than or equal to the minimum of 0"),
    ],
)
def test_a_timeout_is_a_finite_number_up_to_a_day(
    policy, make_repo, check_pack, write_pack, timeout, message
) -> None:
    pack = write_pack(check_pack(f"{{command: {{run: ['true'], timeout: {timeout}}}}}"))
    done = policy("eval", make_repo(), "--pack", pack)
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: {pack}:10:47: error: rule r: check.command.timeout: {message}\n",
    )


@pytest.mark.parametrize(
    ("check", "at", "message"),
    [
        (
            '{command: {run: ["true"], env: {"A=B": x}}}',
            '"A=B"',
            "environment variable name 'A=B' must be non-empty, without `=` or NUL",
        ),
        (
            '{command: {run: ["true"], env: {"": x}}}',
            '""',
            "environment variable name '' must be non-empty, without `=` or NUL",
        ),
        (
            '{command: {run: ["true"], env: {A: "x\\0y"}}}',
            '"x',
            "'x\\x00y' holds a NUL character, which no program can be given",
        ),
        (
            '{command: {run: ["true", "x\\0y"]}}',
            '"x',
            "'x\\x00y' holds a NUL character, which no program can be given",
        ),
        (
            '{command: {shell: "echo \\0"}}',
            '"echo',
            "'echo \\x00' holds a NUL character, which no program can be given",
        ),
        (
            '{version: {command: [rustc], requires: ["a\\0"], satisfies: "*"}}',
            '"a',
            "'a\\x00' holds a NUL character, which no program can be given",
        ),
    ],
)
def test_environment_names_and_arguments_a_program_cannot_take_are_pack_errors(
    policy, make_repo, check_pack, write_pack, check, at, message
) -> None:
    column = len("    check: ") + check.index(at) + 1
    pack = write_pack(check_pack(check))
    done = policy("eval", make_repo(), "--pack", pack)
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: {pack}:10:{column}: error: rule r: {message}\n",
    )
