"""The interface every snapshot kind implements."""

from __future__ import annotations

import hashlib
import posixpath
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from engine.model.snapshots import SnapshotInfo, Unreadable
from engine.snapshots.paths import path_problem

#: Symlink chains longer than this are treated as loops.
MAX_LINK_HOPS = 40


class Snapshot(ABC):
    """A fixed set of files with POSIX paths relative to the root.

    `files()` lists the regular files that checks may read, sorted. Entries
    that exist but are not read (symlinks leaving the root, submodules) are
    listed by `unreadable()` so that content checks can say what they passed over.
    """

    info: SnapshotInfo

    @abstractmethod
    def files(self) -> tuple[str, ...]:
        """Sorted relative paths of every readable file."""

    @abstractmethod
    def unreadable(self) -> tuple[Unreadable, ...]:
        """Entries present in the tree that are not read as files."""

    @abstractmethod
    def size(self, path: str) -> int:
        """Size in bytes of a listed file."""

    @abstractmethod
    def read_bytes(self, path: str) -> bytes:
        """Contents of a listed file."""

    def read_capped(self, path: str, max_bytes: int) -> bytes | int:
        """Contents of a file no larger than `max_bytes`, else its size (nothing read)."""
        size = self.size(path)
        return size if size > max_bytes else self.read_bytes(path)

    def read_many_capped(self, paths: list[str], max_bytes: int) -> list[bytes | int]:
        """`read_capped` for many files at once (git snapshots pipeline the requests)."""
        return [self.read_capped(path, max_bytes) for path in paths]

    def content_id(self, path: str) -> str | None:
        """What identifies a listed file's bytes (two files with the same id hold the
        same bytes): the git blob id where the snapshot knows it, else None."""
        return None

    def disk_path(self, path: str) -> str | None:
        """Where a listed file can be read directly on disk, if it can (worker processes)."""
        return None

    def is_executable(self, path: str) -> bool:
        """Whether a listed file has its executable bit set."""
        return False

    @abstractmethod
    def materialize(self) -> AbstractContextManager[Path]:
        """A real folder holding the snapshot, for command rules; cleaned up on exit."""

    def fingerprint(self) -> str | None:
        """What identifies all a check that only reads files can see of the snapshot: the
        listing, each file's bytes (and the file a symlink resolves to), what is not read
        and why. Snapshots with equal fingerprints give such checks equal verdicts, which
        is what lets them be kept between runs (engine/verdicts.py); None: the snapshot
        cannot vouch for its files now, and no verdict is kept or reused."""
        return None

    def unchanged(self) -> bool:
        """Whether the files still hold what `fingerprint` said of them, asked once a run
        has read them and before its verdicts are kept: one edited meanwhile (even one put
        back since) may have been read with other bytes than those it names. Git objects
        never change."""
        return True

    def not_written(self) -> tuple[Unreadable, ...]:
        """Entries `materialize` leaves out of its folder because writing them would be
        unsafe (`..`, `.git`, absolute paths): what a command rule's notes list."""
        return ()

    def close(self) -> None:  # noqa: B027 - most snapshots hold nothing to release
        """Release processes or handles the snapshot holds."""


@contextmanager
def existing_folder(root: Path) -> Iterator[Path]:
    """`materialize` for snapshots that already are a folder on disk."""
    yield root


def resolve_link(
    path: str, target_of: Callable[[str], str | None]
) -> tuple[str, None] | tuple[None, str]:
    """Resolve a symlink inside a tree given as a mapping of link paths to targets.

    Returns (resolved_path, None), or (None, reason) when the chain leaves the
    root, is absolute, loops, or ends in a path no snapshot reads (`.git/config`:
    paths.py). Intermediate folders that are links are followed the way the
    operating system follows them.
    """
    pending = path.split("/")
    resolved: list[str] = []
    hops = 0
    while pending:
        part = pending.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not resolved:
                return None, "symlink leaves the snapshot root"
            resolved.pop()
            continue
        candidate = "/".join([*resolved, part])
        target = target_of(candidate)
        if target is None:
            resolved.append(part)
            continue
        hops += 1
        if hops > MAX_LINK_HOPS:
            return None, "symlink loop"
        if target.startswith("/"):
            return None, "symlink leaves the snapshot root (absolute target)"
        pending = target.split("/") + pending
    normal = posixpath.normpath("/".join(resolved)) if resolved else ""
    problem = path_problem(normal) if normal else None
    if problem is not None:
        return None, f"symlink to an unsafe path: {problem}"
    return normal, None


def fingerprint_of(kind: str, files: Iterable[str], unreadable: Iterable[Unreadable]) -> str:
    """`Snapshot.fingerprint` from the snapshot's kind, one record per file (its path,
    what identifies its bytes, the file a symlink resolves to, NUL-separated: no path
    holds a NUL) and its unreadable entries."""
    digest = hashlib.sha256(f"rulepack-snapshot-v1\0{kind}\0".encode())
    digest.update("\0\0".join(files).encode("utf-8", "surrogateescape"))
    digest.update(b"\0\0\0")
    digest.update(
        "\0\0".join(f"{u.path}\0{u.reason}" for u in unreadable).encode("utf-8", "surrogateescape")
    )
    return digest.hexdigest()
