"""`--staged`: the index, which is what `git commit` would record.

Staged content is read from the blobs `git add` wrote; unstaged edits and
untracked files are invisible and staged deletions are gone, so a pre-commit
hook's verdict depends only on what is being committed. It works before the
first commit (the index alone is the snapshot).

When a hook runs, most staged files are unchanged in the working tree, and
reading a file there costs a fraction of having git find and inflate its blob.
So a staged file is read from its working-tree copy when those bytes hash to
the staged blob's id, exactly the bytes the blob holds, whatever was edited,
converted or raced meanwhile; any other file, and one behind a symlinked
folder (nothing outside the root is read), is read from git.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from pathlib import Path

from engine.errors import InputError
from engine.git.entries import GitEntry
from engine.git.repository import list_index
from engine.git.runner import output
from engine.model.snapshots import SnapshotInfo
from engine.snapshots.gitobjects import GitObjectsSnapshot
from engine.snapshots.gitrepo import GitRepository, open_repository
from engine.snapshots.worktree import read_file_capped

#: `git add -N` records a path with this id; such an entry is not committed.
EMPTY_BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
_INTENT_TO_ADD = 0x20000000  # the index entry flag git sets for `git add -N`


def _intent_to_add(repository: GitRepository, start: str) -> list[str]:
    """Paths under the root added with `git add -N`: listed in the index, not committed.

    Only `ls-files --debug` shows the flag; it is asked only when the index
    holds empty entries, which is the only id such a path can have.
    """
    listed = output(["ls-files", "--debug", "-z", "--full-name"], repository.cwd)
    found = []
    chunks = listed.split(b"\0")
    path = chunks[0]
    for chunk in chunks[1:]:
        # A path's debug lines end with `flags: HEX` and a newline; the next path
        # follows, and may hold newlines itself.
        flags, _, following = chunk.partition(b"flags: ")[2].partition(b"\n")
        if flags and int(flags, 16) & _INTENT_TO_ADD:
            full = path.decode("utf-8", "surrogateescape")
            if full.startswith(start):
                found.append(full[len(start) :])
        path = following
    return found


def blob_id(data: bytes, id_length: int) -> str:
    """The id git gives a blob of `data`: SHA-1, or SHA-256 in a repository whose ids
    are that long."""
    kind = hashlib.sha1 if id_length == 40 else hashlib.sha256
    digest = kind(usedforsecurity=False)  # an id, as git computes it (FIPS builds allow it)
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


class GitIndexSnapshot(GitObjectsSnapshot):
    """The staged files under the snapshot root."""

    def __init__(
        self, repository: GitRepository, entries: dict[str, GitEntry], info: SnapshotInfo
    ) -> None:
        super().__init__(repository, entries, info)
        self._links_on_disk: dict[str, bool] = {"": False}  # folder -> is a symlink on disk
        self._disk_lock = threading.Lock()

    def read_capped(self, path: str, max_bytes: int) -> bytes | int:
        copy = self._copy(path, max_bytes)
        return copy if copy is not None else super().read_capped(path, max_bytes)

    def read_many_capped(self, paths: list[str], max_bytes: int) -> list[bytes | int]:
        found: list[bytes | int | None] = [self._copy(path, max_bytes) for path in paths]
        missing = [path for path, data in zip(paths, found, strict=True) if data is None]
        from_git = iter(super().read_many_capped(missing, max_bytes) if missing else [])
        return [next(from_git) if data is None else data for data in found]

    def _copy(self, path: str, max_bytes: int) -> bytes | None:
        """The bytes of `path`'s working-tree copy when they are the staged blob's; None
        when they are not (or not readable, or over the cap: git says so then)."""
        entry = self._entry(path)
        real = self._resolved.get(path, path)
        if self.repository.bare or self._behind_a_link(real.rpartition("/")[0]):
            return None
        try:
            data = read_file_capped(os.path.join(self.repository.root, real), max_bytes)
        except OSError:
            return None
        if isinstance(data, int) or blob_id(data, len(entry.object_id)) != entry.object_id:
            return None
        return data

    def _behind_a_link(self, folder: str) -> bool:
        """Whether `folder` (under the root), or one it is in, is a symlink on disk."""
        with self._disk_lock:
            known = self._links_on_disk.get(folder)
        if known is not None:
            return known
        parent = folder.rpartition("/")[0]
        link = self._behind_a_link(parent)
        if not link:
            try:
                link = stat.S_ISLNK(os.lstat(os.path.join(self.repository.root, folder)).st_mode)
            except OSError:
                link = True  # not there: git answers
        with self._disk_lock:
            self._links_on_disk[folder] = link
        return link

    @classmethod
    def open(cls, path: Path) -> GitIndexSnapshot:
        """The index of the repository holding `path`, rooted at `path`."""
        repository = open_repository(path, "--staged")
        if repository.bare:
            raise InputError(f"--staged: {path} is a bare repository, which has no index")
        start = repository.prefix + "/" if repository.prefix else ""
        entries: dict[str, GitEntry] = {}
        conflicts: list[str] = []
        for full, entry, stage in list_index(repository.cwd):
            if stage != "0":  # an unmerged path has one entry per side of the merge
                if not conflicts or conflicts[-1] != full:
                    conflicts.append(full)
            elif full.startswith(start):
                entries[full[len(start) :]] = entry
        if any(e.object_id == EMPTY_BLOB for e in entries.values()):
            for added in _intent_to_add(repository, start):
                entries.pop(added, None)
        if conflicts:
            raise InputError(
                f"--staged: the index has unresolved merge conflicts in {len(conflicts)} "
                f"file(s) ({', '.join(conflicts[:3])}{', …' if len(conflicts) > 3 else ''}); "
                "resolve them and `git add` the result first"
            )
        info = SnapshotInfo("staged", str(repository.root), None, repository.head_commit())
        return cls(repository, entries, info)
