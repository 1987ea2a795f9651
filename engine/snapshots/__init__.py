"""Snapshots, registered once: the repository as a fixed set of files, whatever it is read from.

`Snapshot` (base.py) is the one interface the checks see. Each kind is one
`SnapshotSource` in `SOURCES`:

- `worktree` (worktree.py): files on disk at PATH; in a git repository, what
  git would consider (tracked plus untracked, not ignored).
- `ref` (gittree.py, `--ref REV`): a commit's tree from git objects.
- `staged` (gitindex.py, `--staged`): the index.

The two git kinds share gitobjects.py (entries, symlinks, reading through
engine/git/blobs.py) and materialize.py (a temporary folder for command
rules). Every git command they run goes through engine/git/. The report's
and the diff's `snapshot.kind` enums follow from `SnapshotKind`, which a test
holds equal to `SOURCES` (tests/test_registries.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InputError
from engine.model.snapshots import SnapshotKind
from engine.snapshots.base import Snapshot


def _worktree(path: Path, ref: str | None, option: str) -> Snapshot:
    from engine.snapshots.worktree import WorktreeSnapshot

    return WorktreeSnapshot(path)


def _ref(path: Path, ref: str | None, option: str) -> Snapshot:
    from engine.snapshots.gittree import GitTreeSnapshot

    assert ref is not None
    return GitTreeSnapshot.open(path, ref, option)


def _staged(path: Path, ref: str | None, option: str) -> Snapshot:
    from engine.snapshots.gitindex import GitIndexSnapshot

    return GitIndexSnapshot.open(path)


@dataclass(frozen=True)
class SnapshotSource:
    """One kind of snapshot: the option that asks for it, and how it is opened."""

    kind: SnapshotKind
    option: str | None  # the `policy eval` option that selects it; None: the default
    summary: str
    open: Callable[[Path, str | None, str], Snapshot]  # (path, ref, option name for messages)


SOURCES: dict[SnapshotKind, SnapshotSource] = {
    s.kind: s
    for s in (
        SnapshotSource("worktree", None, "the working tree at PATH", _worktree),
        SnapshotSource("ref", "--ref", "the tree of a commit, branch or tag", _ref),
        SnapshotSource("staged", "--staged", "the index (what `git commit` records)", _staged),
    )
}


def open_snapshot(
    path: Path, ref: str | None = None, staged: bool = False, *, ref_option: str = "--ref"
) -> Snapshot:
    """The snapshot `policy eval` was asked for: worktree, `--ref REV` or `--staged`.

    `ref_option` names the option or argument that gave `ref`, for messages.
    """
    if ref is not None and staged:
        raise InputError("--ref and --staged cannot be used together")
    require_folder(path)
    kind: SnapshotKind = "ref" if ref is not None else "staged" if staged else "worktree"
    return SOURCES[kind].open(path, ref, ref_option)


def require_folder(path: Path) -> None:
    """InputError unless `path` is a folder (every snapshot is rooted at one)."""
    if not path.is_dir():
        raise InputError(f"{path}: not a folder")
