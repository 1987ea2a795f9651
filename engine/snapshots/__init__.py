"""Snapshots: the repository as a fixed set of files, whatever it is read from.

`Snapshot` (base.py) is the one interface the checks see. Kinds:

- `WorktreeSnapshot` (worktree.py): files on disk at PATH; in a git
  repository, what git would consider (tracked plus untracked, not ignored).
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import InputError
from engine.snapshots.base import Snapshot


def open_snapshot(path: Path, ref: str | None = None, staged: bool = False) -> Snapshot:
    """The snapshot `policy eval` was asked for: worktree, `--ref REV` or `--staged`."""
    from engine.snapshots.worktree import WorktreeSnapshot

    if ref is not None and staged:
        raise InputError("--ref and --staged cannot be used together")
    if not path.is_dir():
        raise InputError(f"{path}: not a folder")
    if ref is not None or staged:
        raise InputError("--ref and --staged are not available yet")
    return WorktreeSnapshot(path)
