"""What a command rule's program leaves behind is killed: its session, and whoever holds its
output, also a `setsid` grandchild that escaped its process group (Linux: found in /proc)."""

from __future__ import annotations

import subprocess
import time

import pytest

from engine.sessions import has_proc, kill_program
from tests.conftest import process_alive, read_pids, survivors
from tests.test_once import LONG

pytestmark = pytest.mark.skipif(not has_proc(), reason="processes are found in /proc (Linux)")


def setsid_grandchild(pid_file: str) -> str:
    """Shell words that start a grandchild in a session of its own, writing its pid; it
    keeps the program's stdout and stderr open unless the caller redirects them."""
    return f"setsid sh -c 'echo $$ > {pid_file}; exec sleep 300' &"


def wait_for(*files) -> None:
    deadline = time.monotonic() + LONG
    while not all(f.exists() and f.read_text().strip() for f in files):
        assert time.monotonic() < deadline, f"never written: {files}"
        time.sleep(0.02)


@pytest.mark.parametrize("program_then", ["exec sleep 300", "exit 0"], ids=["runs", "exits"])
def test_a_setsid_grandchild_holding_the_output_is_killed_on_timeout(
    evaluate, make_repo, check_pack, tmp_path, program_then
) -> None:
    """The run waits for output still open, up to the timeout, also after the program
    exited; then the holder is killed with its session, though its parent is gone."""
    pid, grandchild = tmp_path / "pid", tmp_path / "grandchild"
    shell = f"{setsid_grandchild(grandchild)} echo $$ > {pid}; {program_then}"
    check = f'{{command: {{shell: "{shell}", timeout: 0.5}}}}'

    run = evaluate(make_repo({}), check_pack(check))

    assert (run.status(), run.result()["reason"]) == (
        "error",
        f"timed out after 0.5s: /bin/sh -c {shell}",
    )
    assert survivors(read_pids(pid, grandchild)) == set()


def test_what_a_program_leaves_running_in_its_session_ends_with_it(
    evaluate, make_repo, check_pack, tmp_path
) -> None:
    child = tmp_path / "child"
    check = f"{{command: {{shell: 'sleep 300 > /dev/null 2>&1 & echo $! > {child}'}}}}"

    run = evaluate(make_repo({}), check_pack(check))

    assert (run.status(), run.result()["message"]) == (
        "pass",
        f"/bin/sh -c sleep 300 > /dev/null 2>&1 & echo $! > {child} exited 0",
    )
    assert survivors(read_pids(child)) == set()


def test_a_grandchild_in_a_session_of_its_own_is_killed_while_its_parent_lives(tmp_path) -> None:
    """Holding no output of the program, it is found as a descendant of its session."""
    grandchild = tmp_path / "grandchild"
    quiet = setsid_grandchild(grandchild).replace(" &", " < /dev/null > /dev/null 2>&1 &")
    program = subprocess.Popen(
        ["sh", "-c", f"{quiet} wait"], start_new_session=True, stdout=subprocess.DEVNULL
    )
    wait_for(grandchild)
    assert process_alive(int(grandchild.read_text()))

    kill_program(program.pid)

    assert program.wait(timeout=LONG) == -9
    assert survivors(read_pids(grandchild)) == set()
