"""What a report says about the snapshot it judged, and entries it did not read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: How the snapshot was taken: the working tree, a git ref, or the index.
SnapshotKind = Literal["worktree", "ref", "staged"]


@dataclass(frozen=True)
class SnapshotInfo:
    """What the report says about the snapshot it describes."""

    kind: SnapshotKind
    root: str  # absolute path of the repository folder (or of the bare git dir)
    ref: str | None = None  # the ref as the user gave it
    commit: str | None = None  # full commit id, when there is one


@dataclass(frozen=True)
class Unreadable:
    """An entry of the tree that is not read as a file, and why (shown to users)."""

    path: str
    reason: str
