"""A commit's tree listed from the tree listed before it.

`policy history` lists the tree of every commit of a branch. On a 10,000-file
repository `git ls-tree -r` and reading its output cost some 40 ms a commit,
while two neighbouring commits differ in a few entries: `git diff-tree -r`
names exactly those (added, removed, changed in content or type; renames are
not looked for, so a move is a removal and an addition), and applied to the
earlier listing they give the later one, in the order ls-tree prints it.
`tests/git/test_tree_listing.py` holds the two to the same listings.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from engine.git.entries import GitEntry
from engine.git.repository import list_tree
from engine.git.runner import run

#: A listing: every entry under a tree, by path.
Listing = dict[str, GitEntry]


class TreeListings:
    """Lists trees (tree-ish strings such as `COMMIT^{tree}` or `COMMIT:path`), each
    from the last one it listed in the same repository when git can compare them."""

    def __init__(self) -> None:
        self._last: tuple[Path, str, Listing] | None = None
        self._lock = threading.Lock()

    def list(self, cwd: Path, tree: str) -> Listing | None:
        """Every entry under `tree`, recursively, by path; None when it names no tree."""
        with self._lock:
            last = self._last
        entries = None
        if last is not None and last[0] == cwd:
            changes = changed_entries(cwd, last[1], tree)
            if changes is not None:
                entries = with_changes(last[2], changes)
        if entries is None:
            entries = list_tree(cwd, tree)
        if entries is not None:
            with self._lock:
                self._last = (cwd, tree, entries)
        return entries


def changed_entries(
    cwd: Path, old_tree: str, new_tree: str
) -> list[tuple[str, GitEntry | None]] | None:
    """What differs from `old_tree` to `new_tree`: each path with its entry in
    `new_tree` (None: not there); None when git cannot compare the two."""
    done = run(
        [
            *("diff-tree", "-r", "-z", "--raw", "--no-renames", "--no-ext-diff", "--no-textconv"),
            # Every submodule change, whatever `submodule.<name>.ignore` the repository's
            # .gitmodules or config sets (ls-tree lists every submodule entry).
            "--ignore-submodules=none",
            *("--end-of-options", old_tree, new_tree),
        ],
        cwd,
    )
    if not done.ok:
        return None
    fields = done.stdout.split(b"\0")
    changes: list[tuple[str, GitEntry | None]] = []
    # Records are ":OLDMODE NEWMODE OLDID NEWID STATUS" then the path, each ended by NUL.
    for meta, raw_path in zip(fields[0:-1:2], fields[1::2], strict=True):
        _, new_mode, _, new_id, status = meta[1:].decode("ascii").split(" ")
        path = raw_path.decode("utf-8", "surrogateescape")
        changes.append((path, None if status == "D" else GitEntry(new_mode, new_id)))
    return changes


def with_changes(entries: Listing, changes: Sequence[tuple[str, GitEntry | None]]) -> Listing:
    """`entries` with `changes` applied, in git's order (a new listing)."""
    if all(entry is not None and path in entries for path, entry in changes):
        changed = dict(entries)  # the same paths: the order stands
        for path, entry in changes:
            assert entry is not None
            changed[path] = entry
        return changed
    changed = dict(entries)
    for path, entry in changes:
        if entry is None:
            changed.pop(path, None)
        else:
            changed[path] = entry
    # ls-tree -r prints paths in byte order (a folder sorts as its name and a "/").
    return {path: changed[path] for path in sorted(changed, key=_as_bytes)}


def _as_bytes(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")
