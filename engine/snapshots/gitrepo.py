"""The git repository behind a `--ref` or `--staged` snapshot: found, asked, named.

GitPython finds the repository holding PATH (a work tree, a linked worktree
or a bare repository) and runs git's plumbing commands. It is imported here
only, and only when a git snapshot is asked for: importing it costs about
150 ms that `policy --version` and working-tree runs should not pay.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import InputError

if TYPE_CHECKING:
    from git import Repo


@dataclass(frozen=True)
class GitRepository:
    """A repository and where the snapshot root sits in it."""

    repo: Repo
    root: Path  # the snapshot root: PATH resolved (the git folder of a bare repository)
    prefix: str  # the root relative to the top of the work tree, POSIX; "" at the top
    option: str = "--ref"  # how the user asked for it, to name it in messages

    @property
    def bare(self) -> bool:
        return bool(self.repo.bare)

    @property
    def cwd(self) -> Path:
        """Where git commands about this repository run."""
        return Path(self.repo.working_tree_dir or self.repo.git_dir)

    def run(self, *args: str) -> bytes:
        """Output of `git ARGS`; InputError with git's last line when it fails."""
        from git.exc import GitCommandError, GitCommandNotFound

        try:
            output: bytes = self.repo.git.execute(
                ["git", "-c", "core.quotepath=off", *args],
                stdout_as_string=False,
                strip_newline_in_stdout=False,
            )
        except GitCommandNotFound:
            raise InputError("git is not installed (not found on PATH)") from None
        except GitCommandError as exc:
            raise InputError(f"git {args[0]} failed in {self.root}: {_last_line(exc)}") from None
        return output

    def try_run(self, *args: str) -> bytes | None:
        """Output of `git ARGS`, or None when git exits non-zero."""
        try:
            return self.run(*args)
        except InputError:
            return None

    def head_commit(self) -> str | None:
        """Full id of HEAD; None before the first commit."""
        found = self.try_run("rev-parse", "--verify", "--quiet", "HEAD^{commit}")
        return found.decode("ascii").strip() if found else None

    def resolve_commit(self, ref: str) -> str:
        """Full id of the commit `ref` names (anything `git rev-parse` accepts)."""
        found = self.try_run(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
        )
        if found:
            return found.decode("ascii").strip()
        exists = self.try_run("rev-parse", "--verify", "--quiet", "--end-of-options", ref)
        if exists:
            kind = self.try_run("cat-file", "-t", exists.decode("ascii").strip())
            what = kind.decode("ascii").strip() if kind else "object"
            raise InputError(f"{self.option} {ref}: names a {what}, not a commit")
        if self.head_commit() is None:
            raise InputError(
                f"{self.option} {ref}: unknown ref (the repository has no commits yet)"
            )
        raise InputError(f"{self.option} {ref}: unknown ref in {self.root}")

    def tree_of(self, commit: str, ref: str) -> str:
        """Id of the tree at the snapshot root in `commit`."""
        spec = f"{commit}:{self.prefix}" if self.prefix else f"{commit}^{{tree}}"
        found = self.try_run("rev-parse", "--verify", "--quiet", "--end-of-options", spec)
        tree = found.decode("ascii").strip() if found else None
        if tree is None or self.try_run("cat-file", "-t", tree) != b"tree\n":
            raise InputError(f"{self.option} {ref}: {self.prefix} is not a folder in that commit")
        return tree


def open_repository(path: Path, option: str) -> GitRepository:
    """The repository holding `path`; InputError outside git (`option` names the flag)."""
    import git

    folder = path.resolve()
    try:
        repo = git.Repo(folder, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise InputError(f"{option}: {path} is not inside a git repository") from None
    if repo.bare or repo.working_tree_dir is None:
        return GitRepository(repo, Path(repo.git_dir).resolve(), "", option)
    top = Path(repo.working_tree_dir).resolve()
    try:
        prefix = folder.relative_to(top).as_posix()
    except ValueError:
        raise InputError(f"{option}: {path} is not inside the work tree of {top}") from None
    if prefix == ".git" or prefix.startswith(".git/"):
        raise InputError(f"{option}: {path} is inside the .git folder, not the work tree")
    return GitRepository(repo, folder, "" if prefix == "." else prefix, option)


def _last_line(exc: Exception) -> str:
    """git's last line of stderr, out of GitPython's `stderr: '...'` wrapping."""
    text = str(getattr(exc, "stderr", "") or "").strip()
    text = text.removeprefix("stderr:").strip().strip("'")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else str(exc)
