"""Ctrl-C, SIGTERM and SIGHUP at any moment of `policy eval`: the run cleans up and exits
128 + the signal, leaving no temporary folder and no process behind.

Each run is a real `policy` process with its own TMPDIR. It is stopped where it waits
on something the test controls: a `git` on PATH that stalls while listing the working
tree or while the `--ref` snapshot is written (it marks the moment with a file), a
command rule that has written its pids, worker processes that parse. Ctrl-C is sent as
a terminal sends it, to the whole process group; SIGTERM as `docker stop` and CI send
it, to rulepack alone. Every process below rulepack at that moment, and every pid the
rule's programs wrote, must be gone after.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.interrupts import Interrupted, result_of, shielded, stop_signals
from engine.sessions import has_proc
from tests.conftest import descendants, git, read_pids, survivors
from tests.test_once import LONG

linux_only = pytest.mark.skipif(not has_proc(), reason="processes are found in /proc (Linux)")

#: A stand-in for git: `ls-files` stalls (the working tree's listing), and `cat-file
#: --batch` stalls before answering for the blob STALL_BLOB (only the `--ref` snapshot's
#: writing reads it). Each stall first creates STALL_MARKER. Otherwise it is git.
FAKE_GIT = """\
#!{python}
import os, signal, subprocess, sys, time

signal.signal(signal.SIGINT, signal.SIG_DFL)  # as git: Ctrl-C ends it
REAL = {real!r}
args = sys.argv[1:]
i = 0
while i < len(args) and args[i].startswith("-"):
    i += 2 if args[i] == "-c" else 1
command = args[i] if i < len(args) else ""


def stall():
    open(os.environ["STALL_MARKER"], "w").close()
    time.sleep(float(os.environ["STALL_SECONDS"]))


if command == "ls-files" and os.environ.get("STALL_LISTING"):
    stall()
elif command == "cat-file" and os.environ.get("STALL_BLOB"):
    real = subprocess.Popen([REAL, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out = sys.stdout.buffer
    for request in sys.stdin.buffer:
        if request.strip().decode() == os.environ["STALL_BLOB"]:
            stall()
        real.stdin.write(request)
        real.stdin.flush()
        header = real.stdout.readline()
        out.write(header)
        if len(header.split()) == 3:
            out.write(real.stdout.read(int(header.split()[2]) + 1))
        out.flush()
    real.stdin.close()
    sys.exit(real.wait())
os.execv(REAL, [REAL, *args])
"""


@dataclass(frozen=True)
class Stop:
    """A stop signal and how it is sent."""

    signum: signal.Signals
    to_group: bool  # a terminal signals the whole foreground job
    exit_code: int
    message: str


CTRL_C = Stop(signal.SIGINT, True, 130, "policy: interrupted")
SIGTERM = Stop(signal.SIGTERM, False, 143, "policy: stopped by SIGTERM")
SIGHUP = Stop(signal.SIGHUP, True, 129, "policy: stopped by SIGHUP")


@dataclass
class Stopped:
    """What a stopped run left: its exit code and stderr, the pids that must be gone."""

    exit_code: int
    stderr: str
    watched: set[int]


@pytest.fixture
def stop_run(tmp_path: Path, policy_exe: str) -> Iterator[Callable[..., Stopped]]:
    """Run `policy ARGS`, send `stop` once `ready()` holds, and wait for the run to end."""
    bin_folder = tmp_path / "fake-bin"
    bin_folder.mkdir()
    fake = bin_folder / "git"
    fake.write_text(FAKE_GIT.format(python=sys.executable, real=shutil.which("git")))
    fake.chmod(0o755)
    # Short: the parse workers' socket is named inside it (at most 107 bytes).
    temp = Path(tempfile.mkdtemp(prefix="rp-"))

    def run(
        args: list[str], stop: Stop, ready: Callable[[int], bool], env: dict[str, str] | None
    ) -> Stopped:
        environ = {
            **os.environ,
            "TMPDIR": str(temp),
            "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}",
            "STALL_MARKER": str(tmp_path / "stalled"),
            "STALL_SECONDS": "30",
            **(env or {}),
        }
        process = subprocess.Popen(
            [policy_exe, *args],
            env=environ,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # a process group of its own, as a terminal's job
            # SIGHUP as a terminal's job has it, whatever the tests were started under
            # (`nohup` ignores it, and an ignored signal stays ignored: engine/interrupts.py)
            preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL),
        )
        try:
            deadline = time.monotonic() + LONG
            while not ready(process.pid):
                assert process.poll() is None, f"ended first: {process.stderr.read().decode()}"
                assert time.monotonic() < deadline, "never got there"
                time.sleep(0.01)
            watched = descendants(process.pid)
            if stop.to_group:
                os.killpg(process.pid, stop.signum)
            else:
                process.send_signal(stop.signum)
            _, stderr = process.communicate(timeout=LONG)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert list(temp.iterdir()) == [], "a temporary folder is left"
        return Stopped(process.returncode, stderr.decode(), watched)

    yield run
    shutil.rmtree(temp)


def assert_clean(stopped: Stopped, stop: Stop, *written: Path) -> None:
    *announced, said = stopped.stderr.splitlines()  # "running N programs" may come first
    assert (stopped.exit_code, said) == (stop.exit_code, stop.message)
    assert [line.startswith("policy: running ") for line in announced] == [True] * len(announced)
    assert stopped.watched, "nothing ran below rulepack when it was stopped"
    assert survivors(stopped.watched | read_pids(*written)) == set()


def exists(path: Path) -> Callable[[int], bool]:
    return lambda pid: path.exists()


both = pytest.mark.parametrize("stop", [CTRL_C, SIGTERM], ids=["ctrl-c", "sigterm"])


@linux_only
@both
def test_stopped_while_listing_the_working_tree(
    stop_run, make_repo, write_pack, pack_text, tmp_path, stop
):
    pack = write_pack(
        pack_text("- {id: r, title: T, category: general, check: {file: {exists: a}}}")
    )
    repo = make_repo({"a": "x"})

    stopped = stop_run(
        ["eval", str(repo), "--pack", str(pack)],
        stop,
        exists(tmp_path / "stalled"),
        {"STALL_LISTING": "1"},
    )

    assert_clean(stopped, stop)


def command_rule(shell: str, rule: str = "slow") -> str:
    return (
        f"- id: {rule}\n  title: T\n  category: general\n"
        f"  check: {{command: {{shell: '{shell}'}}}}\n"
    )


def writes_its_pid(path: Path) -> str:
    """Shell words that write the shell's pid into `path` whole (never an empty file)."""
    return f"echo $$ > {path}.new && mv {path}.new {path}"


def pids_written(*paths: Path) -> list[Path]:
    """Those of `paths` a program wrote its pid into (it may have been killed before)."""
    return [path for path in paths if path.exists()]


@linux_only
@both
def test_stopped_while_the_ref_snapshot_is_written(
    stop_run, make_repo, write_pack, pack_text, tmp_path, stop
):
    """git stalls on the last blob: the temporary copy exists, half written, and the run
    waits for its writing to end (one second) before it removes it."""
    ran = tmp_path / "ran"
    pack = write_pack(pack_text(command_rule(f"{writes_its_pid(ran)}; exec sleep 300")))
    repo = make_repo({f"f{i:02}.txt": f"{i}\n" for i in range(20)} | {"zz.txt": "last\n"})
    blob = git(repo, "rev-parse", "HEAD:zz.txt").strip()

    stopped = stop_run(
        ["eval", str(repo), "--ref", "HEAD", "--pack", str(pack)],
        stop,
        exists(tmp_path / "stalled"),
        {"STALL_BLOB": blob, "STALL_SECONDS": "1"},
    )

    assert_clean(stopped, stop, *pids_written(ran))


@linux_only
@pytest.mark.parametrize("stop", [CTRL_C, SIGTERM, SIGHUP], ids=["ctrl-c", "sigterm", "sighup"])
def test_stopped_while_a_command_rule_runs_on_the_ref_snapshot(
    stop_run, make_repo, write_pack, pack_text, tmp_path, stop
):
    """The program and its `setsid` grandchild (holding its output) are killed, and the
    `--ref` copy is removed."""
    pid, grandchild = tmp_path / "pid", tmp_path / "grandchild"
    grandchild_shell = writes_its_pid(grandchild).replace("$$", "\\$\\$")
    shell = (
        f'setsid sh -c "{grandchild_shell}; exec sleep 300" & {writes_its_pid(pid)}; exec sleep 300'
    )

    pack = write_pack(pack_text(command_rule(shell)))
    repo = make_repo({"a.txt": "x\n"})

    stopped = stop_run(
        ["eval", str(repo), "--ref", "HEAD", "--pack", str(pack)],
        stop,
        lambda _: pid.exists() and grandchild.exists(),
        None,
    )

    assert_clean(stopped, stop, pid, grandchild)


def parse_workers_started(pid: int) -> bool:
    """Whether the run's forkserver has started worker processes."""
    for child in descendants(pid):
        try:
            command_line = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"forkserver" in command_line and descendants(child):
            return True
    return False


@linux_only
@both
def test_stopped_while_parsing_on_worker_processes(
    stop_run, make_repo, write_pack, pack_text, tmp_path, stop
):
    """Workers ignore the terminal's Ctrl-C (no traceback of theirs): the run stops them."""
    body = "".join(f"key{i}:\n  name: value {i}\n  list: [1, 2, {i}]\n" for i in range(40))
    files: dict[str, str | bytes | None] = {f"d{i % 20}/f{i}.yaml": body for i in range(2000)}
    repo = make_repo(files, git_init=False)
    parse = (
        "- {id: p, title: T, category: general,"
        " check: {manifest: {files: ['**/*.yaml'], format: yaml, assert: 'key0'}}}\n"
    )
    ran = tmp_path / "ran"
    pack = write_pack(pack_text(parse + command_rule(f"{writes_its_pid(ran)}; exec sleep 300")))

    stopped = stop_run(
        ["eval", str(repo), "--pack", str(pack)],
        stop,
        parse_workers_started,
        {"RULEPACK_PARALLEL_MINIMUM": "1"},
    )

    assert_clean(stopped, stop, *pids_written(ran))


def without_durations(text: str) -> dict:
    report = json.loads(text)
    for result in report["results"]:
        result.pop("duration_ms")
    report.pop("duration_ms", None)
    return report


@linux_only
def test_two_runs_on_one_repository_at_once_leave_nothing_behind(
    make_repo, write_pack, pack_text, policy_exe, tmp_path
):
    """Each has its own `--ref` copy; both report the same; nothing is left after."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    rules = command_rule("sleep 0.5; test -f a.txt", "c") + (
        "- {id: f, title: T, category: general, check: {file: {exists: a.txt}}}\n"
    )
    pack = write_pack(pack_text(rules))
    repo = make_repo({"a.txt": "x\n"})
    runs = [
        subprocess.Popen(
            [
                policy_exe,
                "eval",
                str(repo),
                "--ref",
                "HEAD",
                "--pack",
                str(pack),
                "--format",
                "json",
            ],
            env={**os.environ, "TMPDIR": str(temp)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    done = [run.communicate(timeout=LONG) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], [err for _, err in done]
    first, second = (without_durations(out.decode()) for out, _ in done)
    assert first == second
    assert [r["status"] for r in first["results"]] == ["pass", "pass"]
    assert list(temp.iterdir()) == []


def test_a_signal_inside_a_shield_waits_for_its_end_then_stops_the_run() -> None:
    """Clean-up in a shield (removing a temporary folder) is never broken off halfway."""
    finished = []
    with pytest.raises(Interrupted) as stopped, stop_signals(), shielded():
        os.kill(os.getpid(), signal.SIGTERM)
        finished.append("clean-up")
    assert (finished, stopped.value.exit_code) == (["clean-up"], 143)


def test_only_the_first_signal_stops_the_run() -> None:
    """A second Ctrl-C, or CI's SIGTERM after its SIGINT, cannot break off the clean-up."""
    cleaned = []
    with pytest.raises(Interrupted) as stopped, stop_signals():
        try:
            os.kill(os.getpid(), signal.SIGINT)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)
            cleaned.append("clean-up")
    assert (cleaned, stopped.value.signum) == (["clean-up"], signal.SIGINT)


def test_a_signal_the_process_ignores_stays_ignored() -> None:
    """`nohup policy eval`: a hang-up does not stop the run."""
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with stop_signals():
            os.kill(os.getpid(), signal.SIGHUP)
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_a_signal_another_thread_received_stops_the_main_thread_waiting_for_it() -> None:
    """The kernel may hand SIGTERM to a worker thread (a command rule's): the main thread,
    waiting for that worker, must act on it at once, not when the program ends."""
    waiting, release = threading.Event(), threading.Event()

    class Observed(Future[str]):
        def result(self, timeout: float | None = None) -> str:
            waiting.set()
            return super().result(timeout)

    future = Observed()

    def rule() -> None:
        waiting.wait(LONG)  # the main thread waits for this one's result
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
        release.wait(LONG)
        future.set_result("done")

    worker = threading.Thread(target=rule)
    try:
        with pytest.raises(Interrupted), stop_signals():
            worker.start()
            result_of(future)
        assert not future.done()
    finally:
        release.set()
        worker.join()
