"""`--ref REV`: the tree of a commit, read from git objects without a checkout.

The tree is listed once (`git ls-tree -r`, one process however large the
repository) and blobs are read only when a rule asks for them. Neither the
working tree nor the index is touched, so it works in a bare repository and
while the user has edits in progress.
"""

from __future__ import annotations

from pathlib import Path

from engine.git.tree_listing import TreeListings
from engine.model.snapshots import SnapshotInfo
from engine.snapshots.gitobjects import GitObjectsSnapshot
from engine.snapshots.gitrepo import open_repository


class GitTreeSnapshot(GitObjectsSnapshot):
    """The files of one commit under the snapshot root."""

    @classmethod
    def open(
        cls, path: Path, ref: str, option: str = "--ref", listings: TreeListings | None = None
    ) -> GitTreeSnapshot:
        """The tree `ref` names, rooted at `path` (a subfolder of the work tree roots it there).

        `option` names where the ref came from in messages (`--ref`, `--new-since`, `BASE`);
        `listings` lists the tree from the one it listed before (a history's commits).
        """
        repository = open_repository(path, option)
        commit = repository.resolve_commit(ref)
        entries = repository.tree_entries(commit, ref, listings)
        info = SnapshotInfo("ref", str(repository.root), ref, commit)
        return cls(repository, entries, info)
