"""`--staged`: the index, which is what `git commit` would record.

Staged content is read from the blobs `git add` wrote; unstaged edits and
untracked files are invisible and staged deletions are gone, so a pre-commit
hook's verdict depends only on what is being committed. It works before the
first commit (the index alone is the snapshot).

When a hook runs, most staged files are unchanged in the working tree: they
are read from there when their bytes are the blob's (gitobjects.py).
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import InputError
from engine.git.entries import GitEntry
from engine.git.repository import list_index
from engine.git.runner import output
from engine.model.snapshots import SnapshotInfo
from engine.snapshots.gitobjects import GitObjectsSnapshot
from engine.snapshots.gitrepo import GitRepository, open_repository

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


class GitIndexSnapshot(GitObjectsSnapshot):
    """The staged files under the snapshot root."""

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
