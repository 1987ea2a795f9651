"""The plumbing rulepack asks of a repository: where it is, what a revision names,
what a tree and the index hold, HEAD, and where its hooks go.

Every command goes through runner.py. Revisions are always given after
`--end-of-options`, so a ref that looks like an option is only a ref.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InputError
from engine.git.entries import GitEntry, parse_entries
from engine.git.runner import git_reason, output, run

#: What git says when a folder is in no repository at all (then it is a plain folder).
_NOT_A_REPOSITORY = "not a git repository"


@dataclass(frozen=True)
class Repository:
    """The repository holding a folder, and where that folder sits in it."""

    git_dir: Path
    common_dir: Path  # the main git dir of a linked worktree (objects, refs, hooks)
    bare: bool
    in_git_dir: bool  # the folder is inside the git dir (always so in a bare repository)
    work_tree: Path | None  # the top of the work tree; None in a bare repository or a git dir
    prefix: str | None  # the folder relative to `work_tree`, POSIX, "" at the top; None outside it

    @property
    def cwd(self) -> Path:
        """Where commands about this repository run."""
        return self.work_tree or self.git_dir

    def place_of(self, path: Path, option: str | None = None) -> str:
        """`prefix`; InputError (naming `option`, the flag that asked) when the folder
        is not in the work tree."""
        what = f"{option}: " if option else ""
        if self.bare:
            raise InputError(f"{what}{path} is a bare repository, which has no work tree")
        if self.in_git_dir:
            raise InputError(f"{what}{path} is inside the .git folder, not the work tree")
        if self.prefix is None:  # core.worktree names a folder that does not hold it
            raise InputError(f"{what}{path} is not inside the work tree of {self.work_tree}")
        return self.prefix


def locate(folder: Path) -> Repository | None:
    """The repository holding `folder` (resolved), as git finds it; None outside git.

    A repository git refuses to read (owned by another user without a
    `safe.directory` exception, an unknown format) is an InputError, never a
    plain folder. GitNotInstalled when git is missing.
    """
    asked = (
        "--is-bare-repository",
        "--is-inside-git-dir",
        "--is-inside-work-tree",
        "--git-dir",
        "--git-common-dir",
        "--show-prefix",
    )
    done = run(["rev-parse", "--path-format=absolute", *asked], folder)
    if not done.ok:
        if _NOT_A_REPOSITORY in done.stderr:
            return None
        raise InputError(f"{folder}: git refuses to read this repository: {_refusal(done.stderr)}")
    lines = done.stdout.decode("utf-8", "surrogateescape").split("\n")
    if len(lines) != len(asked) + 1:  # a path held a newline: the lines cannot be told apart
        raise InputError(f"{folder}: the path of this repository holds a newline")
    bare, in_git_dir, in_work_tree = (line == "true" for line in lines[:3])
    git_dir, common_dir = Path(lines[3]), Path(lines[4])
    if bare or in_git_dir:
        return Repository(git_dir, common_dir, bare, True, None, None)
    if not in_work_tree:  # core.worktree points elsewhere
        shown = output(["rev-parse", "--show-toplevel"], folder)
        configured = Path(shown.decode("utf-8", "surrogateescape").rstrip("\n"))
        return Repository(git_dir, common_dir, False, False, configured, None)
    prefix = lines[5].rstrip("/")
    top = folder
    for _ in prefix.split("/") if prefix else ():
        top = top.parent
    return Repository(git_dir, common_dir, False, False, top, prefix)


def _refusal(stderr: str) -> str:
    """Why git refuses a repository, with the way out git suggests, on one line."""
    reason = git_reason(stderr)
    advice = [line.strip() for line in stderr.splitlines() if "safe.directory" in line]
    if advice:
        reason += f" (if you trust it: {advice[-1]})"
    return reason


def head_commit(cwd: Path) -> str | None:
    """Full id of HEAD; None before the first commit."""
    return _object_id(cwd, "HEAD^{commit}")


def resolve_commit(cwd: Path, ref: str, option: str, where: Path) -> str:
    """Full id of the commit `ref` names (anything `git rev-parse` accepts, `:/text`
    included); InputError naming `option` and `where` when it names none."""
    named = _object_id(cwd, ref)
    if named is None:
        if head_commit(cwd) is None:
            raise InputError(f"{option} {ref}: unknown ref (the repository has no commits yet)")
        raise InputError(f"{option} {ref}: unknown ref in {where}")
    commit = _object_id(cwd, f"{named}^{{commit}}")
    if commit is None:
        kind = run(["cat-file", "-t", named], cwd).stdout.decode("ascii").strip() or "object"
        raise InputError(f"{option} {ref}: names a {kind}, not a commit")
    return commit


def _object_id(cwd: Path, revision: str) -> str | None:
    done = run(["rev-parse", "--verify", "--quiet", "--end-of-options", revision], cwd)
    return done.stdout.decode("ascii").strip() or None if done.ok else None


def list_tree(cwd: Path, tree: str) -> dict[str, GitEntry] | None:
    """Every entry under `tree` (a tree-ish: `COMMIT:path`), recursively, by path;
    None when it names no tree."""
    done = run(["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", tree], cwd)
    if not done.ok:
        return None
    return {path: GitEntry(fields[0], fields[2]) for path, fields in parse_entries(done.stdout)}


def list_index(cwd: Path) -> list[tuple[str, GitEntry, str]]:
    """The index entries under `cwd`: (full path, entry, merge stage; "0" when merged)."""
    listed = output(["ls-files", "-s", "-z", "--full-name"], cwd)
    return index_entries(listed.decode("utf-8", "surrogateescape"))


def index_entries(listed: str) -> list[tuple[str, GitEntry, str]]:
    """The records of `git ls-files -s -z`, read at fixed offsets: git prints each as
    `%06o %s %d\t` and the path (a six-digit mode, an object id as wide as every other,
    a one-digit stage), so no record needs splitting into fields."""
    records = listed.split("\0")
    if records and not records[-1]:
        records.pop()
    if not records:
        return []
    cut = records[0].index(" ", 7)  # where the first object id ends
    return [(r[cut + 3 :], GitEntry(r[:6], r[7:cut]), r[cut + 1]) for r in records]


def hooks_path(repository: Repository) -> Path:
    """Where git runs hooks from: `core.hooksPath` as the configuration sets it (read,
    never run), else the hooks folder of the common git dir."""
    done = run(["config", "-z", "--show-scope", "--get-all", "core.hooksPath"], repository.cwd)
    fields = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    # Pairs of scope and value; "command" is rulepack's own override, not the user's.
    pairs = zip(fields[::2], fields[1::2], strict=False)
    values = [value for scope, value in pairs if scope != "command"]
    if not values or not values[-1]:
        return repository.common_dir / "hooks"
    configured = Path(os.path.expanduser(values[-1]))
    return configured if configured.is_absolute() else repository.cwd / configured
