"""One repository judged at one commit, statically, from git objects (no checkout).

`policy history` does this at each commit of a branch, `policy fleet` once per
repository. It is `policy eval --ref COMMIT --no-commands` (the same snapshot,
workspace and evaluation, engine/runs.py): the packs and the config
are those of that commit, and command rules are skipped with their reason.
The packs are loaded before anything is evaluated, so a caller can see their
digests and reuse a stored run instead (`CommitWorkspace.pack_key`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from engine.git.tree_listing import TreeListings
from engine.model.results import Report
from engine.model.severity import FailOn
from engine.parse_cache import ParseCache
from engine.runs import EvalRequest, evaluate_workspace, load_workspace
from engine.snapshots import require_folder
from engine.snapshots.base import Snapshot
from engine.snapshots.gittree import GitTreeSnapshot
from engine.workspace import Workspace


@dataclass(frozen=True)
class CommitWorkspace:
    """A commit's snapshot with its packs and config loaded, not yet evaluated."""

    snapshot: Snapshot
    workspace: Workspace
    request: EvalRequest
    fail_on: FailOn

    @property
    def commit(self) -> str:
        commit = self.snapshot.info.commit
        assert commit is not None  # a `ref` snapshot always names its commit
        return commit

    @property
    def pack_key(self) -> str:
        """The packs by name and digest, in order (as `RunRecord.pack_key` says them)."""
        from engine.store.records import pack_key

        return pack_key((p.name, p.digest) for p in self.workspace.packs)

    def evaluate(self, parse_cache: ParseCache | None = None) -> Report:
        """The report of the commit, as `policy eval --ref COMMIT --no-commands` makes it;
        `parse_cache`, kept open by the caller over many commits, parses each blob once."""
        return evaluate_workspace(
            self.workspace, self.snapshot, self.request, self.fail_on, parse_cache=parse_cache
        )


@contextmanager
def commit_workspace(
    path: Path,
    rev: str,
    request: EvalRequest | None = None,
    option: str = "--ref",
    listings: TreeListings | None = None,
) -> Iterator[CommitWorkspace]:
    """The commit `rev` names in the repository at `path`, with its packs loaded.

    `request` gives the packs, params, selection and config as `policy eval` takes them
    (its `ref`, `staged` and `no_commands` are set here). InputError for a path outside
    git, an unknown rev (named by `option`) or a bad pack or config at that commit.
    `listings` lists the commit's tree from the one it listed before (a history).
    """
    request = replace(request or EvalRequest(), path=path, ref=rev, staged=False, no_commands=True)
    require_folder(path)  # as `open_snapshot` asks, which has no `listings`
    snapshot = GitTreeSnapshot.open(path, rev, option, listings)
    try:
        workspace, fail_on = load_workspace(snapshot, request)
        yield CommitWorkspace(snapshot, workspace, request, fail_on)
    finally:
        snapshot.close()


def evaluate_commit(path: Path, rev: str, request: EvalRequest | None = None) -> Report:
    """The report of the repository at `path` at commit `rev`, judged statically."""
    with commit_workspace(path, rev, request) as commit:
        return commit.evaluate()
