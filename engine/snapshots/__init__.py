"""Snapshots: the repository as a fixed set of files, whatever it is read from.

`Snapshot` (base.py) is the one interface the checks see. Kinds:

- `WorktreeSnapshot` (worktree.py): files on disk at PATH; in a git
  repository, what git would consider (tracked plus untracked, not ignored).
- `GitTreeSnapshot` (gittree.py, `--ref REV`): a commit's tree from git objects.
- `GitIndexSnapshot` (gitindex.py, `--staged`): the index.

The two git kinds share gitobjects.py (entries, symlinks, reading through
engine/git/blobs.py) and materialize.py (a temporary folder for command
rules). Every git command they run goes through engine/git/.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import InputError
from engine.snapshots.base import Snapshot


def open_snapshot(
    path: Path, ref: str | None = None, staged: bool = False, *, ref_option: str = "--ref"
) -> Snapshot:
    """The snapshot `policy eval` was asked for: worktree, `--ref REV` or `--staged`.

    `ref_option` names the option or argument that gave `ref`, for messages.
    """
    from engine.snapshots.worktree import WorktreeSnapshot

    if ref is not None and staged:
        raise InputError("--ref and --staged cannot be used together")
    if not path.is_dir():
        raise InputError(f"{path}: not a folder")
    if ref is not None:
        from engine.snapshots.gittree import GitTreeSnapshot

        return GitTreeSnapshot.open(path, ref, ref_option)
    if staged:
        from engine.snapshots.gitindex import GitIndexSnapshot

        return GitIndexSnapshot.open(path)
    return WorktreeSnapshot(path)
