"""Running a pack's programs: no shell unless asked, a timeout that kills what they started.

Each program is the leader of a session of its own. When it ends, times out
or the run is interrupted, every process it left behind is killed: its
session, and any process still holding its output (engine.sessions).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from engine.sessions import kill_program, pipe_ids

#: Output kept per stream; a runaway program cannot fill memory.
MAX_OUTPUT = 4 * 1024 * 1024
#: After a timeout kill, how long to wait for output a program's escaped children still hold.
_DRAIN_AFTER_KILL = 1.0


@dataclass(frozen=True)
class ProcessResult:
    """What a program did: its exit code (None: timed out) and its output."""

    argv: tuple[str, ...]
    exit_code: int | None  # None when the program timed out
    stdout: str
    stderr: str
    timed_out: bool = False


class RunningPrograms:
    """The programs checks have started and not yet reaped, so Ctrl-C can kill them all.

    Once `kill_all` has run, a program registered afterwards (started by a
    worker thread in the instant the interrupt arrived) is killed at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[subprocess.Popen[bytes], frozenset[int]] = {}
        self._stopped = False

    def add(self, process: subprocess.Popen[bytes], pipes: frozenset[int] = frozenset()) -> None:
        """Track a program started as a session leader, with its output pipes (`pipe_ids`)."""
        with self._lock:
            self._running[process] = pipes
            if self._stopped:
                kill_program(process.pid, pipes)

    def discard(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._running.pop(process, None)

    def kill_all(self) -> None:
        """Kill every program still running with all it started, and any program to come."""
        with self._lock:
            self._stopped = True
            for process, pipes in self._running.items():
                kill_program(process.pid, pipes)


def find_program(name: str, cwd: Path, environ: Mapping[str, str]) -> str | None:
    """Where `name` would be run from, or None when it cannot be found."""
    if "/" in name:
        candidate = cwd / name
        return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None
    import shutil  # with bz2 and lzma: only runs with command rules look programs up

    return shutil.which(name, path=environ.get("PATH", os.defpath))


def run(
    argv: Sequence[str],
    cwd: Path,
    environ: Mapping[str, str],
    timeout: float,
    running: RunningPrograms | None = None,
) -> ProcessResult:
    """Run `argv` in a session of its own; when it ends or times out, kill what it left.

    Output is read as it comes and only the first MAX_OUTPUT bytes of each
    stream are kept, so a program that prints without end cannot fill memory
    while its timeout runs. The timeout also covers children that keep the
    output open after the program itself has exited; they are killed with it.

    While it runs, the process is kept in `running`, so that Ctrl-C on the
    main thread can kill programs that worker threads started.
    """
    program = find_program(argv[0], cwd, environ) or argv[0]
    process = subprocess.Popen(
        [program, *argv[1:]],
        cwd=cwd,
        env=dict(environ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own session: what it starts can be found and killed
    )
    assert process.stdout is not None and process.stderr is not None
    pipes = pipe_ids(process.stdout.fileno(), process.stderr.fileno())
    if running is not None:
        running.add(process, pipes)
    out, err = _Capture(process.stdout), _Capture(process.stderr)
    deadline = time.monotonic() + timeout
    timed_out = False
    try:
        try:
            process.wait(timeout=timeout)
            for capture in (out, err):  # children may still hold the output open
                capture.join(max(0.0, deadline - time.monotonic()))
            timed_out = out.reading or err.reading
        except subprocess.TimeoutExpired:
            timed_out = True
        if timed_out:
            kill_program(process.pid, pipes)
            process.wait()
            for capture in (out, err):
                capture.join(_DRAIN_AFTER_KILL)
        else:  # it ended: what it left running in its session ends too
            kill_program(process.pid)
    except BaseException:  # Ctrl-C: leave no program running behind us
        kill_program(process.pid, pipes)
        process.wait()
        raise
    finally:
        if running is not None:
            running.discard(process)
    exit_code = None if timed_out else process.returncode
    return ProcessResult(tuple(argv), exit_code, out.text(), err.text(), timed_out=timed_out)


class _Capture:
    """Reads one output stream on a thread, keeping at most MAX_OUTPUT bytes."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._kept = bytearray()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # the stream closed under us
            while chunk := os.read(self._stream.fileno(), 65536):
                room = MAX_OUTPUT - len(self._kept)
                if room > 0:
                    self._kept += chunk[:room]  # past the cap: read on, keep nothing

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    @property
    def reading(self) -> bool:
        return self._thread.is_alive()

    def text(self) -> str:
        if not self.reading:
            self._stream.close()
        return _text(bytes(self._kept))


def _text(data: bytes) -> str:
    return data[:MAX_OUTPUT].decode("utf-8", "replace")


def tail(text: str, lines: int = 20) -> str:
    """The last lines of a program's output, for a finding."""
    kept = text.rstrip().splitlines()[-lines:]
    return "\n".join(kept)


def absolute_path_only(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` with only the absolute folders of its PATH.

    An empty entry, `.` or `bin` is looked up from where the program runs,
    inside the snapshot: the repository would choose which `cargo` runs. An
    empty PATH is such an entry too (a shell searches the current folder), so a
    PATH left without folders names one that holds nothing.
    """
    if "PATH" not in environ:
        return dict(environ)
    kept = [entry for entry in environ["PATH"].split(os.pathsep) if os.path.isabs(entry)]
    return {**environ, "PATH": os.pathsep.join(kept) or os.devnull}
