"""`--staged`: the index, which is what `git commit` would record.

Staged content is read from the blobs `git add` wrote; unstaged edits and
untracked files are invisible and staged deletions are gone, so a pre-commit
hook's verdict depends only on what is being committed. It works before the
first commit (the index alone is the snapshot).
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import InputError
from engine.snapshots.base import SnapshotInfo
from engine.snapshots.gitobjects import GitEntry, GitObjectsSnapshot, parse_entries
from engine.snapshots.gitrepo import open_repository


class GitIndexSnapshot(GitObjectsSnapshot):
    """The staged files under the snapshot root."""

    @classmethod
    def open(cls, path: Path) -> GitIndexSnapshot:
        """The index of the repository holding `path`, rooted at `path`."""
        repository = open_repository(path, "--staged")
        if repository.bare:
            raise InputError(f"--staged: {path} is a bare repository, which has no index")
        output = repository.run("ls-files", "-s", "-z", "--full-name")
        start = repository.prefix + "/" if repository.prefix else ""
        entries: dict[str, GitEntry] = {}
        conflicts: list[str] = []
        for full, (mode, object_id, stage) in parse_entries(output):
            if stage != "0":  # an unmerged path has one entry per side of the merge
                if not conflicts or conflicts[-1] != full:
                    conflicts.append(full)
            elif full.startswith(start):
                entries[full[len(start) :]] = GitEntry(mode, object_id)
        if conflicts:
            raise InputError(
                f"--staged: the index has unresolved merge conflicts in {len(conflicts)} "
                f"file(s) ({', '.join(conflicts[:3])}{', …' if len(conflicts) > 3 else ''}); "
                "resolve them and `git add` the result first"
            )
        info = SnapshotInfo("staged", str(repository.root), None, repository.head_commit())
        return cls(repository, entries, info)
