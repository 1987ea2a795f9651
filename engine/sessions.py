"""Killing every process a program started, also those that left its process group.

Each program runs as the leader of a session of its own (engine.process).
Killing its process group reaches the children that stay in that group, but
not one that made a group or a session of its own (`setsid`, a daemon) and
still holds the program's output open, so that the run waits for it. POSIX
has no "kill a session", so on Linux the processes are found in /proc:

- every process of the program's session (its id is the program's pid);
- every process holding the read or write end of one of the program's
  output pipes, and every process of its session;
- every child of those, whatever its session.

All of them are stopped (SIGSTOP, so that none forks meanwhile) until a scan
finds no new one, then killed. The sessions found this way were made by the
program's descendants, so nothing else is touched; rulepack's own session
and process never are.

Limits, without cgroups: a descendant that left the program's session, does
not hold its output, and whose parent has already exited (a daemon that
closed its output, such as Gradle's) has nothing left that ties it to the
program, and is not found. Where there is no /proc (macOS, the BSDs) only the
program's process group is killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Collection
from dataclasses import dataclass

_PROC = "/proc"
#: Scans before giving up on a tree that keeps growing (each stops what it finds).
_MAX_SCANS = 50


@dataclass(frozen=True)
class _Process:
    """A process's parent and session, as /proc tells them."""

    parent: int
    session: int


def has_proc() -> bool:
    """Whether processes can be found in /proc (Linux)."""
    return os.path.isdir(f"{_PROC}/self/fd")


def pipe_ids(*fds: int) -> frozenset[int]:
    """The inode numbers of the pipes among `fds`, as /proc shows them (`pipe:[N]`)."""
    found = set()
    for fd in fds:
        with contextlib.suppress(OSError):
            found.add(os.fstat(fd).st_ino)
    return frozenset(found)


def kill_program(leader: int, pipes: Collection[int] = ()) -> None:
    """Kill the session of `leader` (a program started as a session leader), every
    process holding one of `pipes` with its session, and their children."""
    stopped = _stop_all(leader, frozenset(pipes)) if has_proc() else set()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(leader, signal.SIGKILL)
    for pid in stopped:
        _send(pid, signal.SIGKILL)


def _stop_all(leader: int, pipes: frozenset[int]) -> set[int]:
    """Stop the program's processes until a scan finds no new one; their pids."""
    stopped: set[int] = set()
    holders = _holders(pipes) if pipes else set()
    spared = _never_killed()
    for _ in range(_MAX_SCANS):
        table = _processes()
        new = _members(table, leader, holders) - spared - stopped
        if not new:
            break
        for pid in new:
            _send(pid, signal.SIGSTOP)
        stopped |= new
    return stopped


def _members(table: dict[int, _Process], leader: int, holders: set[int]) -> set[int]:
    """The program's processes in `table`: its session, the holders' sessions, and
    every descendant of those."""
    own_session = os.getsid(0)
    sessions = {leader} | {table[pid].session for pid in holders if pid in table}
    sessions.discard(own_session)
    found = {pid for pid, p in table.items() if p.session in sessions}
    found |= holders & table.keys()
    children: dict[int, list[int]] = {}
    for pid, p in table.items():
        children.setdefault(p.parent, []).append(pid)
    todo = list(found)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _never_killed() -> set[int]:
    """This process, its ancestors and init."""
    spared = {0, 1}
    pid = os.getpid()
    while pid > 1 and pid not in spared:
        spared.add(pid)
        found = _read_stat(pid)
        pid = found.parent if found else 1
    return spared


def _processes() -> dict[int, _Process]:
    """Every live process /proc shows: parent and session (zombies left out)."""
    table = {}
    for name in os.listdir(_PROC):
        if name.isdigit():
            found = _read_stat(int(name))
            if found is not None:
                table[int(name)] = found
    return table


def _read_stat(pid: int) -> _Process | None:
    try:
        fd = os.open(f"{_PROC}/{pid}/stat", os.O_RDONLY)
    except OSError:
        return None  # gone
    try:
        text = os.read(fd, 4096)
    except OSError:
        return None
    finally:
        os.close(fd)
    # `pid (name) state ppid pgrp session ...`: the name may hold spaces and parentheses.
    fields = text[text.rfind(b")") + 2 :].split()
    if len(fields) < 4 or fields[0] in (b"Z", b"X"):
        return None  # dead, waiting for its parent to read its status
    return _Process(parent=int(fields[1]), session=int(fields[3]))


def _holders(pipes: frozenset[int]) -> set[int]:
    """The processes with one of `pipes` open (only this user's can be read)."""
    wanted = {f"pipe:[{inode}]" for inode in pipes}
    found = set()
    for name in os.listdir(_PROC):
        if not name.isdigit():
            continue
        folder = f"{_PROC}/{name}/fd"
        try:
            fds = os.listdir(folder)
        except OSError:
            continue  # gone, or another user's
        for fd in fds:
            try:
                if os.readlink(f"{folder}/{fd}") in wanted:
                    found.add(int(name))
                    break
            except OSError:
                continue
    found.discard(os.getpid())  # rulepack reads the pipes itself
    return found


def _send(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signum)
