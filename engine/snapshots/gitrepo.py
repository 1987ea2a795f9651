"""The git repository behind a `--ref` or `--staged` snapshot, and where its root sits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from engine.errors import InputError
from engine.git.entries import GitEntry
from engine.git.repository import Repository, head_commit, list_tree, locate, resolve_commit
from engine.git.runner import GitNotInstalled
from engine.git.tree_listing import TreeListings


@dataclass(frozen=True)
class GitRepository:
    """A repository and where the snapshot root sits in it."""

    repository: Repository
    root: Path  # the snapshot root: PATH resolved (the git folder of a bare repository)
    prefix: str  # the root relative to the top of the work tree, POSIX; "" at the top
    option: str = "--ref"  # how the user asked for it, to name it in messages

    @property
    def bare(self) -> bool:
        return self.repository.bare

    @property
    def cwd(self) -> Path:
        """Where git commands about this repository run."""
        return self.repository.cwd

    def head_commit(self) -> str | None:
        """Full id of HEAD; None before the first commit."""
        return head_commit(self.cwd)

    def resolve_commit(self, ref: str) -> str:
        """Full id of the commit `ref` names (anything `git rev-parse` accepts)."""
        return resolve_commit(self.cwd, ref, self.option, self.root)

    def tree_entries(
        self, commit: str, ref: str, listings: TreeListings | None = None
    ) -> dict[str, GitEntry]:
        """The entries under the snapshot root in `commit`, by path relative to the root
        (`listings`: listed from the tree listed before, for a history's commits)."""
        tree = f"{commit}:{self.prefix}" if self.prefix else f"{commit}^{{tree}}"
        entries = list_tree(self.cwd, tree) if listings is None else listings.list(self.cwd, tree)
        if entries is None:
            raise InputError(f"{self.option} {ref}: {self.prefix} is not a folder in that commit")
        return entries


def open_repository(path: Path, option: str) -> GitRepository:
    """The repository holding `path`; InputError outside git (`option` names the flag)."""
    folder = path.resolve()
    try:
        repository = locate(folder)
    except GitNotInstalled:
        raise InputError(f"{option}: git is not installed (not found on PATH)") from None
    if repository is None:
        raise InputError(f"{option}: {path} is not inside a git repository")
    if repository.bare:
        return GitRepository(repository, repository.git_dir.resolve(), "", option)
    return GitRepository(repository, folder, repository.place_of(path, option), option)


def commit_date(path: Path, commit: str) -> datetime:
    """When `commit` was committed, with the committer's offset."""
    from engine.git.runner import output

    cwd = open_repository(path, "--ref").cwd
    text = output(["rev-list", "--no-walk", "--format=%cI", "--end-of-options", commit], cwd)
    return datetime.fromisoformat(text.decode("ascii").splitlines()[-1].strip())
