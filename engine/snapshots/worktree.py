"""The working tree on disk, as git would see it.

Nothing outside the root is read. Besides symlinks (followed only while
they stay inside), a path is not read when one of its folders is a symlink
(git lists such paths when the index marks them unchanged), when git would
refuse its name (`.git`, paths.py), or when the file itself has become a
symlink since it was listed: files are opened without following one.
"""

from __future__ import annotations

import os
import time
from bisect import bisect_left
from collections.abc import Iterable
from contextlib import AbstractContextManager, closing
from pathlib import Path

from engine.git.entries import MODE_GITLINK, MODE_SYMLINK
from engine.git.repository import Repository, head_commit, locate
from engine.git.runner import GitNotInstalled
from engine.git.worktree_files import TrackedFiles, git_outputs, may_convert, nul_items
from engine.model.snapshots import SnapshotInfo, Unreadable
from engine.snapshots.base import Snapshot, existing_folder, fingerprint_of, resolve_link
from engine.snapshots.disk import FolderLinks, blob_id, open_listed, read_file_capped
from engine.snapshots.paths import refused_paths

#: How old a file's last change (ctime) must be for its stat data to vouch for its bytes:
#: past the coarsest timestamps of common file systems (FAT's 2 s; ext4's clock tick).
STAT_SETTLED_NS = 2_000_000_000


def _listed(files: tuple[str, ...], path: str) -> bool:
    """Whether `path` is among the sorted `files`."""
    at = bisect_left(files, path)
    return at < len(files) and files[at] == path


def _in_git(root: Path) -> Repository | None:
    """The repository whose work tree `root` is read as: None outside git or without
    git; InputError when git refuses the repository or `root` is not in its work tree."""
    try:
        repository = locate(root)
    except GitNotInstalled:
        return None
    if repository is None:
        return None
    repository.place_of(root)
    return repository


class WorktreeSnapshot(Snapshot):
    """Files on disk under `root`.

    Inside a git work tree the file set is the tracked files plus the
    untracked files that are not ignored; outside git it is every file.
    Symlinks are followed only while they stay inside the root.
    """

    def __init__(self, root: Path, *, use_git: bool = True) -> None:
        self.root = root.resolve()
        self._prefix = str(self.root) + os.sep
        self._repository = _in_git(self.root) if use_git else None
        self.in_git = self._repository is not None
        commit = head_commit(self.root) if self.in_git else None
        self.info = SnapshotInfo("worktree", str(self.root), None, commit)
        self._files: tuple[str, ...] | None = None
        self._unreadable: list[Unreadable] = []
        self._resolved: dict[str, Path] = {}  # symlinked files -> the file they point at
        # Tracked files that git's index says are unchanged -> their blob id: git keeps
        # stat data (size, mtime, inode) for each and compares contents when in doubt.
        # Worked out when first asked for, from git's listing (None where git may
        # convert line endings) less the files git found changed.
        self._index_ids: dict[str, str] | None = None
        self._tracked: TrackedFiles | None = None
        self._changed: set[str] = set()
        # Files whose stat data names their bytes (`fingerprint`): looked at on disk by
        # `_classify` (edited, untracked, symlinks) or that git does not look at.
        self._looked_at: set[str] = set()
        self._edited: set[str] = set()  # read with other bytes than their blob's

    # -- listing -----------------------------------------------------------------

    def files(self) -> tuple[str, ...]:
        if self._files is None:
            # Paths whose folders nobody looked at: git's walk and `os.walk` never enter a
            # symlinked folder, and `diff-files` calls a tracked file behind one deleted,
            # but git lists a file its index tells it not to look at (assume-unchanged,
            # skip-worktree) whatever the disk holds.
            unchecked: set[str] = set()
            candidates = self._list_git(unchecked) if self.in_git else self._list_walk()
            self._files = tuple(sorted(self._inside(candidates, unchecked)))
            self._unreadable.sort(key=lambda u: u.path)
        return self._files

    def _inside(self, paths: list[str], unchecked: set[str]) -> list[str]:
        """`paths` without those whose name git refuses or, among `unchecked`, whose
        folder is a symlink (each noted as unreadable)."""
        refused = refused_paths(paths)
        if not (refused or unchecked):
            return paths
        links = FolderLinks(str(self.root))
        kept = []
        for path in paths:
            link = links.first_link(path.rpartition("/")[0]) if path in unchecked else None
            if path in refused:
                self._unreadable.append(Unreadable(path, f"unsafe path: {refused[path]}"))
            elif link is not None:
                self._unreadable.append(Unreadable(path, f"{link} is a symlink (not followed)"))
            else:
                kept.append(path)
        return kept

    def unreadable(self) -> tuple[Unreadable, ...]:
        self.files()
        return tuple(self._unreadable)

    def _list_git(self, unchecked: set[str]) -> list[str]:
        """Tracked and untracked files git lists; `unchecked` gets those git lists without
        looking at the disk."""
        listings = git_outputs(
            self.root,
            # tracked, with modes (symlinks, submodules), blob ids, and tags (`H`: a file
            # git compares with the work tree, not one it is told to assume unchanged)
            ("ls-files", "-z", "-s", "-v"),
            # edited, deleted, retyped; names only, and not asking each submodule
            # `git status` (which would read the submodule's own configuration)
            (
                "diff-files",
                "-z",
                "--name-status",
                "--relative",
                "--no-ext-diff",
                "--no-textconv",
                "--ignore-submodules=dirty",
            ),
            ("config", "-z", "--list"),  # settings that convert line endings
            # untracked, not ignored: the slowest (a walk of every folder), read last
            ("ls-files", "-z", "-o", "--exclude-standard"),
        )
        with closing(listings):
            tracked = TrackedFiles(next(listings))
            unchecked.update(tracked.unchecked)
            self._looked_at.update(tracked.unchecked)
            changed: set[str] = set()
            deleted: set[str] = set()
            worktree_changes = nul_items(next(listings))
            for status, path in zip(worktree_changes[::2], worktree_changes[1::2], strict=True):
                (deleted if status == "D" else changed).add(path)
            result = self._tracked_files(tracked, changed, deleted)
            config = nul_items(next(listings))
            untracked = nul_items(next(listings))
        assert self._repository is not None
        if not may_convert(self._repository, self.root, config, [*tracked.paths, *untracked]):
            self._tracked, self._changed = tracked, changed
        for path in untracked:
            if path.endswith("/"):  # git shows a nested repository as a folder
                self._unreadable.append(
                    Unreadable(path.rstrip("/"), "nested git repository (its files are not read)")
                )
            else:
                self._classify(path, result)
        return result

    def _tracked_files(
        self, tracked: TrackedFiles, changed: set[str], deleted: set[str]
    ) -> list[str]:
        """The tracked files still on disk, those git found changed (and symlinks) as they
        are now; submodules are noted as not read."""
        special = tracked.special_modes
        if not (changed or deleted or special):
            return list(tracked.paths)
        result: list[str] = []
        for path in tracked.paths:
            mode = special.get(path)
            if path in deleted:
                continue
            if mode == MODE_GITLINK:
                self._unreadable.append(Unreadable(path, "submodule (its files are not read)"))
            elif mode == MODE_SYMLINK or path in changed:
                self._classify(path, result)
            else:
                result.append(path)
        return result

    def _list_walk(self) -> list[str]:
        result: list[str] = []
        root = str(self.root)
        for folder, dirs, names in os.walk(root):
            # A repository's own `.git` (a folder, or a file naming one) is not part of it.
            dirs[:] = sorted(d for d in dirs if d != ".git")
            names = [n for n in names if n != ".git"]
            rel_folder = os.path.relpath(folder, root)
            for name in [*names, *(d for d in dirs if os.path.islink(os.path.join(folder, d)))]:
                rel = name if rel_folder == "." else f"{rel_folder}/{name}"
                self._classify(rel.replace(os.sep, "/"), result)
        return result

    def _classify(self, path: str, result: list[str]) -> None:
        """Add `path` to `result` if it is a file we may read; else note why not."""
        self._looked_at.add(path)
        full = self.root / path
        try:
            if not full.is_symlink():
                if full.is_file():
                    result.append(path)
                elif full.is_dir():
                    self._unreadable.append(Unreadable(path, "folder"))
                return
        except OSError as exc:
            self._unreadable.append(Unreadable(path, f"cannot be read: {exc.strerror}"))
            return
        # Resolved inside the tree the way git snapshots resolve links (base.resolve_link),
        # so the three snapshot kinds agree: absolute targets and loops are not followed.
        resolved, reason = resolve_link(path, self._link_target)
        if resolved is None:
            self._unreadable.append(Unreadable(path, reason or "symlink leaves the snapshot root"))
            return
        target = self.root / resolved
        if target.is_dir():
            self._unreadable.append(Unreadable(path, "symlink to a folder (not followed)"))
        elif not target.is_file():
            self._unreadable.append(Unreadable(path, "broken symlink"))
        else:
            self._resolved[path] = target
            result.append(path)

    def _link_target(self, path: str) -> str | None:
        """The target of `path` when it is a symlink on disk, else None."""
        full = self._prefix + path
        return os.readlink(full) if os.path.islink(full) else None

    # -- reading -----------------------------------------------------------------

    def _real(self, path: str) -> str:
        resolved = self._resolved.get(path)
        return str(resolved) if resolved is not None else self._prefix + path

    def size(self, path: str) -> int:
        return os.stat(self._real(path), follow_symlinks=False).st_size

    def read_bytes(self, path: str) -> bytes:
        with os.fdopen(open_listed(self._real(path)), "rb") as file:
            data = file.read()
        self._check(path, data)
        return data

    def read_capped(self, path: str, max_bytes: int) -> bytes | int:
        data = read_file_capped(self._real(path), max_bytes)
        self._check(path, data)
        return data

    def _check(self, path: str, data: bytes | int) -> None:
        """A file git's index vouched for, read with other bytes than its blob's (edited
        since it was listed), has no content id from then on: what was read of it is not
        kept by that id (the parse cache), and the run keeps no verdict (`unchanged`)."""
        known = self._vouched().get(path)
        if known is not None and isinstance(data, bytes) and blob_id(data, len(known)) != known:
            self._edited.add(path)

    def content_id(self, path: str) -> str | None:
        self.files()
        return None if path in self._edited else self._vouched().get(path)

    def _vouched(self) -> dict[str, str]:
        """Path -> blob id of each tracked file git's index vouches for (`_index_ids`)."""
        if self._index_ids is None:
            self.files()
            tracked = self._tracked
            ids = {} if tracked is None else tracked.blob_ids()
            if self._changed:
                ids = {p: i for p, i in ids.items() if p not in self._changed}
            self._index_ids = ids
        return self._index_ids

    def disk_path(self, path: str) -> str | None:
        return self._real(path)

    def fingerprint(self) -> str | None:
        """Files git's index vouches for are known by their blob id; the others (edited,
        untracked, outside git, or where git converts line endings) by their stat data:
        size, modification and change times, inode. Stat data vouches for a file's bytes
        only once its change time is older than STAT_SETTLED_NS: a file changed again
        within the file system's timestamp granularity could keep all four. None while
        one is not (or a file cannot be looked at): no verdict is kept or reused.

        The blob ids are those of git's listing: a digest of the listing and of the
        file list stands for them, beside a record of each file known by its stat data
        (no record per file the index vouches for)."""
        files = self.files()
        tracked = self._tracked
        if tracked is None:  # nothing vouched for: every file by its stat data
            records = self._stat_records(files)
            kind = "worktree" if self.in_git else "folder"
        else:
            looked_at = self._stat_records(sorted(p for p in self._looked_at if _listed(files, p)))
            head = [f"tracked\0{tracked.digest()}", "\0".join(files)]
            records = None if looked_at is None else [*head, *looked_at]
            kind = "worktree-listed"
        return None if records is None else fingerprint_of(kind, records, self.unreadable())

    def _stat_records(self, paths: Iterable[str]) -> list[str] | None:
        """A record of each path's stat data and of the file a symlink resolves to; None
        when one cannot be looked at, or changed too recently to vouch for its bytes."""
        settled_before = time.time_ns() - STAT_SETTLED_NS
        resolved, cut = self._resolved, len(self._prefix)
        records = []
        for path in paths:
            try:
                found = os.stat(self._real(path), follow_symlinks=False)
            except OSError:
                return None
            if found.st_ctime_ns >= settled_before:
                return None
            target = resolved.get(path)
            stat = f"{found.st_size}:{found.st_mtime_ns}:{found.st_ctime_ns}:{found.st_ino}"
            records.append(f"{path}\0{stat}\0{str(target)[cut:] if target else ''}")
        return records

    def unchanged(self) -> bool:
        """Every file read from disk that git's index vouched for had its blob's bytes
        (`_check`; parse workers check the same before they parse): one edited since the
        listing, even one put back since, was read with other bytes than the fingerprint
        names. Files known by their stat data name other stat data once edited."""
        return not self._edited

    def is_executable(self, path: str) -> bool:
        return os.access(self._real(path), os.X_OK)

    def materialize(self) -> AbstractContextManager[Path]:
        return existing_folder(self.root)
