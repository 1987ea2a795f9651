"""A snapshot made of git entries (mode, object id, path): a commit's tree or the index.

Both git snapshot kinds list their entries once and share the rest: symlinks
are resolved inside the tree exactly as the working tree resolves them on disk
(`resolve_link`), submodules are reported as not read, entries whose path
git would refuse to check out (`..`, `.git`, absolute: paths.py) are
reported as not read and are never written, blobs are read on
demand through one `git cat-file` process, and `materialize` writes the files
into a temporary folder only when a command rule asks for one.

A file whose working-tree copy holds the blob's bytes is read from there:
reading a file costs a fraction of having git find and inflate its blob, and
most files of the index, or of a recent commit, are unchanged on disk. The
copy is used only when its bytes hash to the blob's id, so they are exactly
the blob's whatever was edited, converted or raced meanwhile; a copy behind a
symlinked folder is never opened (nothing outside the root is read).
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from operator import attrgetter
from pathlib import Path

from engine.git.blobs import BlobReader
from engine.git.entries import MODE_GITLINK, MODE_SYMLINK, GitEntry
from engine.model.snapshots import SnapshotInfo, Unreadable
from engine.snapshots.base import Snapshot, fingerprint_of, resolve_link
from engine.snapshots.disk import FolderLinks, blob_id, read_file_capped
from engine.snapshots.gitrepo import GitRepository
from engine.snapshots.materialize import Layout, temporary_copy
from engine.snapshots.paths import refused_paths


class GitObjectsSnapshot(Snapshot):
    """Files from git objects: `entries` maps each path under the root to its entry."""

    def __init__(
        self, repository: GitRepository, entries: dict[str, GitEntry], info: SnapshotInfo
    ) -> None:
        self.repository = repository
        self.info = info
        refused = refused_paths(entries, lambda path: entries[path].mode == MODE_SYMLINK)
        if refused:  # never listed, resolved, read or written
            entries = {path: e for path, e in entries.items() if path not in refused}
        self._refused = [Unreadable(path, f"unsafe path: {why}") for path, why in refused.items()]
        self._entries = entries
        self._blobs = BlobReader(repository.cwd)
        self._lock = threading.Lock()
        self._files: tuple[str, ...] | None = None
        self._unreadable: tuple[Unreadable, ...] = ()
        self._resolved: dict[str, str] = {}  # readable symlink -> the file it resolves to
        self._links: dict[str, str] = {}  # symlinks that stay inside the root -> their target
        self._folder_links = FolderLinks(str(repository.root))  # for working-tree copies

    # -- listing -----------------------------------------------------------------

    def files(self) -> tuple[str, ...]:
        with self._lock:
            if self._files is None:
                self._files = self._classify()
            return self._files

    def unreadable(self) -> tuple[Unreadable, ...]:
        self.files()
        return self._unreadable

    def _classify(self) -> tuple[str, ...]:
        files: list[str] = []
        unreadable: list[Unreadable] = list(self._refused)
        targets: dict[str, str] = {}
        folders: set[str] | None = None

        def target_of(path: str) -> str | None:
            entry = self._entries.get(path)
            if entry is None or entry.mode != MODE_SYMLINK:
                return None
            if path not in targets:
                data = self._blobs.read(entry.object_id)
                targets[path] = data.decode("utf-8", "surrogateescape")
            return targets[path]

        for path, entry in self._entries.items():
            if entry.is_file:
                files.append(path)
            elif entry.mode == MODE_GITLINK:
                unreadable.append(Unreadable(path, "submodule (its files are not read)"))
            elif entry.mode != MODE_SYMLINK:
                unreadable.append(Unreadable(path, f"unknown git entry mode {entry.mode}"))
            else:
                if folders is None:
                    folders = _folders(self._entries)
                reason = self._link(path, target_of, folders)
                if reason is None:
                    files.append(path)
                else:
                    unreadable.append(Unreadable(path, reason))
        self._unreadable = tuple(sorted(unreadable, key=lambda u: u.path))
        return tuple(sorted(files))

    def _link(
        self, path: str, target_of: Callable[[str], str | None], folders: set[str]
    ) -> str | None:
        """Record a symlink; the reason it is not read, or None when it is a readable file."""
        resolved, reason = resolve_link(path, target_of)
        if resolved is None:
            return reason
        entry = self._entries.get(resolved)
        link_target = target_of(path)
        assert link_target is not None
        if entry is not None and entry.is_file:
            self._resolved[path] = resolved
            self._links[path] = link_target
            return None
        if (
            resolved == ""
            or resolved in folders
            or (entry is not None and entry.mode == MODE_GITLINK)
        ):
            self._links[path] = link_target
            return "symlink to a folder (not followed)"
        return "broken symlink"

    # -- reading -----------------------------------------------------------------

    def _entry(self, path: str) -> GitEntry:
        entry = self._entries.get(self._resolved.get(path, path))
        if entry is None or not entry.is_file:
            raise FileNotFoundError(errno.ENOENT, "not a file of the snapshot", path)
        return entry

    def size(self, path: str) -> int:
        return self._blobs.size(self._entry(path).object_id)

    def read_bytes(self, path: str) -> bytes:
        return self._blobs.read(self._entry(path).object_id)

    def read_capped(self, path: str, max_bytes: int) -> bytes | int:
        copy = self._copy(path, max_bytes)
        if copy is not None:
            return copy
        return self._blobs.read_capped(self._entry(path).object_id, max_bytes)

    def read_many_capped(self, paths: list[str], max_bytes: int) -> list[bytes | int]:
        found: list[bytes | int | None] = [self._copy(path, max_bytes) for path in paths]
        missing = [path for path, data in zip(paths, found, strict=True) if data is None]
        ids = [self._entry(path).object_id for path in missing]
        from_git = iter(self._blobs.read_many_capped(ids, max_bytes) if ids else [])
        return [next(from_git) if data is None else data for data in found]

    def _copy(self, path: str, max_bytes: int) -> bytes | None:
        """The bytes of `path`'s working-tree copy when they are its blob's; None when
        they are not (or not readable, or over the cap: git says so then)."""
        entry = self._entry(path)
        real = self._resolved.get(path, path)
        if (
            self.repository.bare
            or self._folder_links.first_link(real.rpartition("/")[0]) is not None
        ):
            return None
        try:
            data = read_file_capped(os.path.join(self.repository.root, real), max_bytes)
        except OSError:
            return None
        if isinstance(data, int) or blob_id(data, len(entry.object_id)) != entry.object_id:
            return None
        return data

    def content_id(self, path: str) -> str | None:
        try:
            return self._entry(path).object_id
        except FileNotFoundError:  # not a file of the snapshot: reading it will say so
            return None

    def is_executable(self, path: str) -> bool:
        return self._entry(path).is_executable

    def fingerprint(self) -> str | None:
        files = self.files()
        entries, resolved = self._entries, self._resolved
        records: Iterable[str]
        if resolved:
            records = (
                f"{path}\0{entries[resolved.get(path, path)].object_id}\0{resolved.get(path, '')}"
                for path in files
            )
        else:  # the same records, made in C: a history asks this of every commit
            ids = map(attrgetter("object_id"), map(entries.__getitem__, files))
            records = map("{}\0{}\0".format, files, ids)
        return fingerprint_of("git", records, self.unreadable())

    def materialize(self) -> AbstractContextManager[Path]:
        files = self.files()
        layout = Layout(
            files=tuple(p for p in files if p not in self._links),
            links=tuple(sorted(self._links.items())),
            folders=tuple(p for p, e in self._entries.items() if e.mode == MODE_GITLINK),
        )
        return temporary_copy(self, layout)

    def not_written(self) -> tuple[Unreadable, ...]:
        return tuple(sorted(self._refused, key=lambda u: u.path))

    def close(self) -> None:
        self._blobs.close()


def _folders(entries: dict[str, GitEntry]) -> set[str]:
    """Every folder that holds an entry (to tell a symlink to a folder from a broken one)."""
    folders: set[str] = set()
    for path in entries:
        parts = path.split("/")[:-1]
        for i in range(len(parts), 0, -1):
            folder = "/".join(parts[:i])
            if folder in folders:
                break
            folders.add(folder)
    return folders
