"""The first-parent line of a branch, newest first, as git records it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from engine.errors import InputError
from engine.git.runner import run
from engine.snapshots.gitrepo import GitRepository, open_repository


@dataclass(frozen=True)
class CommitInfo:
    id: str
    date: datetime  # committer date, with its offset


@dataclass(frozen=True)
class Line:
    """The commits to judge, newest first, and where the listing stopped short."""

    repository: GitRepository
    branch: str
    commits: tuple[CommitInfo, ...]
    # Set when the line ends at the edge of a shallow clone, not at the repository's
    # first commit: the oldest commit listed, whose parents the clone does not have.
    shallow_end: str | None = None


def first_parent_line(path: Path, branch: str | None, last: int | None, since: date | None) -> Line:
    """The first-parent commits of `branch` (default HEAD), newest first: the last `last`
    of them, or those committed on `since` or later. InputError for a path outside git
    or a branch that names no commit."""
    repository = open_repository(path, "--branch")
    rev = branch or "HEAD"
    if repository.head_commit() is None and branch is None:
        raise InputError(f"{path}: the repository has no commits yet")
    commit = repository.resolve_commit(rev)
    args = ["rev-list", "--first-parent", "--format=%cI"]
    if last is not None:
        args.append(f"--max-count={last}")
    if since is not None:  # from the start of that day, in the local time zone
        args.append(f"--since={since.isoformat()}T00:00:00")
    listed = run([*args, "--end-of-options", commit], repository.cwd)
    if not listed.ok:
        raise InputError(f"--branch {rev}: cannot list its commits: {listed.reason}")
    commits = _parse(listed.stdout.decode("ascii"))
    return Line(repository, rev, commits, _shallow_end(repository, commits))


def _parse(text: str) -> tuple[CommitInfo, ...]:
    """`commit <id>` lines, each followed by the commit's date."""
    lines = text.splitlines()
    return tuple(
        CommitInfo(lines[i].removeprefix("commit "), datetime.fromisoformat(lines[i + 1]))
        for i in range(0, len(lines) - 1, 2)
    )


def _shallow_end(repository: GitRepository, commits: tuple[CommitInfo, ...]) -> str | None:
    """The oldest listed commit when the clone is shallow there (its parents are missing)."""
    if not commits:
        return None
    found = run(["rev-parse", "--git-path", "shallow"], repository.cwd)
    shallow_file = repository.cwd / found.stdout.decode().strip()
    if not found.ok or not shallow_file.is_file():
        return None
    grafted = set(shallow_file.read_text(encoding="ascii").split())
    oldest = commits[-1].id
    return oldest if oldest in grafted else None
