"""Writing a snapshot into a temporary folder, for command rules on `--ref` and `--staged`.

The folder looks like a checkout of the snapshot: regular files with their
executable bit (the umask applies, as with `git checkout`), symlinks that
stay inside the snapshot re-created as symlinks with their original target,
and an empty folder for each submodule (as git leaves an uninitialised one).
Symlinks that leave the root, dangle or loop are not written: inside a
temporary folder they would point somewhere else than in the repository.
Nothing is ever written outside the folder (`write_layout` says how).

The folder is removed when the context exits, whether the run ends, fails or
is interrupted (Ctrl-C, SIGTERM: engine/interrupts.py); it is made only when
a command rule asks for it.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from engine.interrupts import shielded
from engine.snapshots.base import Snapshot
from engine.snapshots.paths import path_problem

#: Temporary folders are named with this prefix (and nothing else of rulepack's is).
TEMP_PREFIX = "rulepack-snapshot-"


@dataclass(frozen=True)
class Layout:
    """What to write besides file contents: which paths are symlinks, which empty folders."""

    files: tuple[str, ...]  # written with the snapshot's content and executable bit
    links: tuple[tuple[str, str], ...] = ()  # (path, target) re-created as symlinks
    folders: tuple[str, ...] = ()  # created empty


@contextmanager
def temporary_copy(snapshot: Snapshot, layout: Layout) -> Iterator[Path]:
    """A temporary folder holding the snapshot as `layout` describes; removed on exit."""
    with temporary_folder(TEMP_PREFIX) as root:
        write_layout(snapshot, layout, root)
        yield root


@contextmanager
def temporary_folder(prefix: str) -> Iterator[Path]:
    """A new folder in the system's temporary folder (`$TMPDIR`), removed on exit.

    A stop signal can break off neither making nor removing it halfway: one
    that arrives meanwhile takes effect once the folder is safely made or gone.
    """
    folder: tempfile.TemporaryDirectory[str] | None = None
    try:
        with shielded():
            folder = tempfile.TemporaryDirectory(prefix=prefix)
        yield Path(folder.name)
    finally:
        with shielded():
            if folder is not None:
                folder.cleanup()


def write_layout(snapshot: Snapshot, layout: Layout, root: Path) -> None:
    """Write the folders, files and symlinks of `layout` under `root`.

    Every path is checked before anything is written (`path_problem`: no `..`,
    no absolute path, no `.git`), and each is written relative to a handle on
    its folder opened without following symlinks, so nothing can land outside
    `root`: not through a symlink the snapshot holds, nor through two names a
    case-insensitive file system takes for one. Symlinks come last, so no
    file is written after a symlink it could go through.
    """
    for path in (*layout.folders, *layout.files, *(path for path, _ in layout.links)):
        problem = path_problem(path)
        if problem is not None:
            raise OSError(errno.EPERM, f"refused to write {path}: {problem}")
    with _FolderChain(root) as folders:
        for path in layout.folders:
            with _naming(path):
                folders.parent_of(f"{path}/-")
        for path in layout.files:
            data, executable = snapshot.read_bytes(path), snapshot.is_executable(path)
            with _naming(path):
                _write_file(folders.parent_of(path), _name(path), data, executable)
        for path, target in layout.links:
            with _naming(path):
                os.symlink(target, _name(path), dir_fd=folders.parent_of(path))


def _write_file(folder: int, name: str, data: bytes, executable: bool) -> None:
    """A new file `name` in `folder` (never an existing one, nor through a symlink)."""
    mode = 0o777 if executable else 0o666
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    with os.fdopen(os.open(name, flags, mode, dir_fd=folder), "wb") as out:
        out.write(data)


@contextmanager
def _naming(path: str) -> Iterator[None]:
    """An OSError while writing `path` names it."""
    try:
        yield
    except OSError as exc:
        raise OSError(exc.errno, f"cannot write {path}: {exc.strerror or exc}") from None


def _name(path: str) -> str:
    return path.rpartition("/")[2]


class _FolderChain:
    """Open handles on the folders from `root` down to the one being written in.

    Each folder is made if missing and opened with O_NOFOLLOW: a symlink in its
    place is an error, never followed. Only the current chain is kept open
    (the paths come sorted, so neighbours share it), however many folders
    the snapshot has.
    """

    def __init__(self, root: Path) -> None:
        self._root = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        self._chain: list[tuple[str, int]] = []  # (name, handle) from the root down

    def __enter__(self) -> _FolderChain:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close_from(0)
        os.close(self._root)

    def parent_of(self, path: str) -> int:
        """A handle on the folder holding `path`, made as needed."""
        names = path.split("/")[:-1]
        kept = 0
        while kept < min(len(names), len(self._chain)) and self._chain[kept][0] == names[kept]:
            kept += 1
        self._close_from(kept)
        for name in names[kept:]:
            folder = self._chain[-1][1] if self._chain else self._root
            with suppress(FileExistsError):  # made for an earlier path; opened
                os.mkdir(name, dir_fd=folder)  # below without following a link in its place
            flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
            self._chain.append((name, os.open(name, flags, dir_fd=folder)))
        return self._chain[-1][1] if self._chain else self._root

    def _close_from(self, index: int) -> None:
        while len(self._chain) > index:
            os.close(self._chain.pop()[1])
