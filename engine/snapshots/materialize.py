"""Writing a snapshot into a temporary folder, for command rules on `--ref` and `--staged`.

The folder looks like a checkout of the snapshot: regular files with their
executable bit (the umask applies, as with `git checkout`), symlinks that
stay inside the snapshot re-created as symlinks with their original target,
and an empty folder for each submodule (as git leaves an uninitialised one).
Symlinks that leave the root, dangle or loop are not written: inside a
temporary folder they would point somewhere else than in the repository.

The folder is removed when the context exits, whether the run ends, fails or
is interrupted (Ctrl-C, SIGTERM: engine/interrupts.py); it is made only when
a command rule asks for it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from engine.interrupts import shielded
from engine.snapshots.base import Snapshot

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
    """Write the files, symlinks and folders of `layout` under `root`."""
    made: set[str] = set()

    def parent_of(path: str) -> None:
        folder = path.rpartition("/")[0]
        if folder and folder not in made:
            (root / folder).mkdir(parents=True, exist_ok=True)
            made.add(folder)

    for path in layout.files:
        parent_of(path)
        mode = 0o777 if snapshot.is_executable(path) else 0o666
        descriptor = os.open(root / path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(descriptor, "wb") as out:
            out.write(snapshot.read_bytes(path))
    for path, target in layout.links:
        parent_of(path)
        os.symlink(target, root / path)
    for path in layout.folders:
        (root / path).mkdir(parents=True, exist_ok=True)
