"""The live progress bar: on a terminal, `policy fleet` shows repositories done and failed."""

from __future__ import annotations

import os
import pty
import select
import subprocess

from tests.fleet.fixtures import BRONZE, SILVER


def test_a_terminal_sees_the_repositories_done_and_failed(
    policy_exe, make_repo, write_fleet, fleet_pack, tmp_path
) -> None:
    fleet = write_fleet(
        f"- {{name: a, path: {make_repo(SILVER)}}}\n- {{name: b, path: {make_repo(BRONZE)}}}\n"
        "- {name: c, path: no/such/folder}\n"
    )
    terminal, screen = pty.openpty()  # stderr is a terminal; the report goes to a file
    command = [policy_exe, "fleet", str(fleet), "--pack", str(fleet_pack), "--workers", "1"]
    command += ["--format", "json", "-o", str(tmp_path / "fleet.json")]
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120", "NO_COLOR": "1"}
    process = subprocess.Popen(command, stderr=screen, stdout=subprocess.DEVNULL, env=env)
    os.close(screen)
    shown = b""
    while True:
        ready, _, _ = select.select([terminal], [], [], 120)
        assert ready, "no output within 120 s"
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the terminal's other end is closed: the command has ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    assert process.wait(timeout=60) == 1
    text = shown.decode("utf-8", "replace")
    assert "repositories" in text and "ETA" in text
    assert "3/3" in text and "2 failed" in text  # `b` fails its run, `c` cannot be read
    assert (tmp_path / "fleet.json").is_file()
