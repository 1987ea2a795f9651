"""Programs that checks start: every one can be killed on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess

from engine.process import RunningPrograms


def test_a_program_started_just_after_ctrl_c_is_killed_at_once(tmp_path) -> None:
    """The race behind Ctrl-C: a worker thread registers its program after kill_all ran."""
    running = RunningPrograms()
    running.kill_all()
    program = subprocess.Popen(["sleep", "30"], start_new_session=True, cwd=tmp_path)
    running.add(program)
    assert program.wait(timeout=5) == -signal.SIGKILL  # at once, not 30 seconds later
    assert not os.path.exists(f"/proc/{program.pid}")


def test_kill_all_kills_the_programs_running(tmp_path) -> None:
    running = RunningPrograms()
    program = subprocess.Popen(["sleep", "30"], start_new_session=True, cwd=tmp_path)
    running.add(program)
    running.kill_all()
    assert program.wait(timeout=5) == -signal.SIGKILL
