"""Running a pack's programs: no shell unless asked, a timeout that kills the group."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Output kept per stream; a runaway program cannot fill memory.
MAX_OUTPUT = 4 * 1024 * 1024


@dataclass(frozen=True)
class ProcessResult:
    argv: tuple[str, ...]
    exit_code: int | None  # None when the program timed out
    stdout: str
    stderr: str
    timed_out: bool = False


def find_program(name: str, cwd: Path, environ: Mapping[str, str]) -> str | None:
    """Where `name` would be run from, or None when it cannot be found."""
    if "/" in name:
        candidate = cwd / name
        return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None
    return shutil.which(name, path=environ.get("PATH", os.defpath))


def run(
    argv: Sequence[str],
    cwd: Path,
    environ: Mapping[str, str],
    timeout: float,
    running: set[subprocess.Popen[bytes]] | None = None,
) -> ProcessResult:
    """Run `argv` in its own process group; on timeout, kill the whole group.

    While it runs, the process is kept in `running`, so that Ctrl-C on the
    main thread can kill programs that worker threads started (`kill_all`).
    """
    program = find_program(argv[0], cwd, environ) or argv[0]
    process = subprocess.Popen(
        [program, *argv[1:]],
        cwd=cwd,
        env=dict(environ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own group, so a timeout kills its children too
    )
    if running is not None:
        running.add(process)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        out, err = process.communicate()
        return ProcessResult(tuple(argv), None, _text(out), _text(err), timed_out=True)
    except BaseException:  # Ctrl-C: leave no program running behind us
        _kill_group(process)
        process.wait()
        raise
    finally:
        if running is not None:
            running.discard(process)
    return ProcessResult(tuple(argv), process.returncode, _text(out), _text(err))


def kill_all(running: set[subprocess.Popen[bytes]]) -> None:
    """Kill the process groups of every program still running."""
    for process in list(running):
        _kill_group(process)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _text(data: bytes) -> str:
    return data[:MAX_OUTPUT].decode("utf-8", "replace")


def tail(text: str, lines: int = 20) -> str:
    """The last lines of a program's output, for a finding."""
    kept = text.rstrip().splitlines()[-lines:]
    return "\n".join(kept)
