"""The one way rulepack starts git: no program a repository names is ever run.

rulepack reads repositories it did not write (a pull request's checkout, a
downloaded project, a pack's fixtures). git lets a repository's configuration
(`.git/config`, a file it includes, the git dir a `.git` file points to) name
programs that git then runs by itself. Every command started here has that
taken away; the overrides are given on the command line, which git reads
after every configuration file, so they win over any of them:

- `core.fsmonitor` (run by any command that reads the index):
  `-c core.fsmonitor=false`.
- clean and process filters (`filter.<driver>.*` with a `.gitattributes`
  `filter=` line), run when git hashes work-tree files (diff-files on a
  stat-dirty entry, add, commit): for the commands that may do so, every
  driver the configuration defines is emptied and made optional (an empty
  command is no filter to git). Smudge filters run only on checkouts, which
  rulepack never does; they are emptied too.
- hooks (`core.hooksPath`, `.git/hooks`: commit, ref updates, index writes):
  `-c core.hooksPath=/dev/null`.
- the pager (`core.pager`, `pager.<command>`): `--no-pager` and
  `GIT_PAGER=cat`; output is a pipe in any case.
- every transport, so nothing is fetched and no remote program, ssh command,
  credential helper or askpass runs (a partial clone fetches missing objects
  by itself; `remote.*.uploadpack`, `core.sshCommand`, `protocol.*.allow`):
  `GIT_ALLOW_PROTOCOL=` (an empty allow-list, which wins over any
  `protocol.*.allow`), `GIT_NO_LAZY_FETCH=1` (git 2.44 and later) and
  `GIT_TERMINAL_PROMPT=0`.
- automatic gc and maintenance after a commit: `gc.auto=0`, `maintenance.auto=false`.

Remote packs and fleet mirrors are the exceptions to "nothing is fetched":
`ls-remote`, `fetch` and `clone` (`NETWORK_SUBCOMMANDS`) may use the `file`,
`https` and `ssh` transports and nothing else. They run in a bare repository
rulepack has created itself (engine/git/remote.py; engine/fleet/mirrors.py
clones its mirrors with `clone --mirror`), so no evaluated repository's
configuration is read; the user's own (credential helpers, `core.sshCommand`,
proxies) is.

Settings that run programs only in commands rulepack never runs are left
alone: `diff.external` and textconv (patches; diff-files and diff-tree are
asked for names and ids only, with `--no-ext-diff --no-textconv`), `core.editor`, `sequence.editor`
(interactive commands), `gpg.program` (signing; fixtures commit with
`commit.gpgsign=false`), `core.alternateRefsCommand`, `uploadpack` and
`receivepack` (fetch and push). `SUBCOMMANDS` lists what rulepack runs.

The user's own configuration is theirs to trust: the system and global
files, `GIT_CONFIG_NOSYSTEM`, `GIT_CONFIG_GLOBAL` and the variables git sets
for a hook (`GIT_DIR`, `GIT_INDEX_FILE`) are passed through untouched.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from engine.errors import InputError

GIT = "git"

#: Every git subcommand rulepack runs -> whether it may hash work-tree files,
#: and so run clean filters. Options of these that compare content (`ls-files
#: -m`) are not used. A command not listed here is refused: add it only after
#: checking what it can run.
SUBCOMMANDS: Mapping[str, bool] = {
    "rev-parse": False,
    "config": False,
    "ls-files": False,
    "ls-tree": False,
    "cat-file": False,
    "rev-list": False,  # `policy history`: the first-parent line, with commit dates
    "diff-files": True,
    "diff-tree": False,  # `policy history`: two trees compared as objects, names and ids only
    "init": False,
    "add": True,
    "commit": True,
    "ls-remote": False,
    "fetch": False,
    "clone": False,  # fleet mirrors (engine/fleet/mirrors.py): a bare, blob-less clone
}

#: The commands that may reach another repository, and the transports they may use.
NETWORK_SUBCOMMANDS = frozenset({"ls-remote", "fetch", "clone"})
NETWORK_PROTOCOLS = "file:https:ssh"

#: Given as `-c key=value` to every command.
SAFE_CONFIG: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
    ("core.quotepath", "off"),  # not a safety setting: paths as they are, for parsing
)

#: Set in the environment of every command (the names filter overrides read).
_NO_PROGRAM = "RULEPACK_GIT_NO_PROGRAM"
_NOT_REQUIRED = "RULEPACK_GIT_NOT_REQUIRED"
SAFE_ENVIRONMENT: Mapping[str, str] = {
    "GIT_PAGER": "cat",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ALLOW_PROTOCOL": "",
    "GIT_NO_LAZY_FETCH": "1",
    "GIT_OPTIONAL_LOCKS": "0",  # reading never rewrites the user's index
    _NO_PROGRAM: "",
    _NOT_REQUIRED: "false",
}

_FILTER_KEYS = ("clean", "smudge", "process")


class GitNotInstalled(InputError):
    """git is not on PATH."""

    def __init__(self) -> None:
        super().__init__("git is not installed (not found on PATH)")


@dataclass(frozen=True)
class Completed:
    """What a finished git command left: exit status, output, error text."""

    returncode: int
    stdout: bytes
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def reason(self) -> str:
        """git's own explanation of a failure, on one line."""
        return git_reason(self.stderr)


def run(
    args: Sequence[str],
    cwd: Path,
    *,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    config: Mapping[str, str] | None = None,
) -> Completed:
    """Run `git ARGS` in `cwd` with the repository's programs disabled; never raises
    for a non-zero exit (see `Completed.ok`).

    `env` is the environment to start from (this process's by default);
    `config` adds `-c key=value` settings of the caller's own.
    """
    argv, environ = _prepared(args, cwd, env, config)
    try:
        done = subprocess.run(argv, cwd=cwd, input=input, env=environ, capture_output=True)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise _not_started(exc, cwd) from None
    return Completed(done.returncode, done.stdout, done.stderr.decode("utf-8", "replace"))


def output(
    args: Sequence[str],
    cwd: Path,
    *,
    env: Mapping[str, str] | None = None,
    config: Mapping[str, str] | None = None,
) -> bytes:
    """Output of `git ARGS` (as `run`); InputError with git's reason when it fails."""
    done = run(args, cwd, env=env, config=config)
    if not done.ok:
        raise InputError(f"git {args[0]} failed in {cwd}: {done.reason}")
    return done.stdout


def start(
    args: Sequence[str], cwd: Path, *, stdin: bool = False, stderr: IO[bytes] | None = None
) -> subprocess.Popen[bytes]:
    """Start `git ARGS` in `cwd` as `run` would, for output read while it runs
    (several listings at once, the `cat-file --batch` process kept for a run).

    Its error text goes to a pipe, or to the file `stderr` when given.
    """
    argv, environ = _prepared(args, cwd, None, None)
    try:
        return subprocess.Popen(
            argv,
            cwd=cwd,
            env=environ,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if stderr is None else stderr,
        )
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise _not_started(exc, cwd) from None


def git_reason(stderr: str) -> str:
    """git's explanation on one line: its last `fatal:` or `error:` line (with the
    items it lists after a colon), else its last line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for i, line in reversed(list(enumerate(lines))):
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                reason = line.removeprefix(prefix)
                if reason.endswith(":") and i + 1 < len(lines):
                    reason += " " + lines[i + 1]
                return reason
    return lines[-1] if lines else "no reason given"


def _prepared(
    args: Sequence[str],
    cwd: Path,
    env: Mapping[str, str] | None,
    config: Mapping[str, str] | None,
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of a safe `git ARGS`."""
    if args[0] not in SUBCOMMANDS:
        raise ValueError(f"git {args[0]} is not a command rulepack runs (see SUBCOMMANDS)")
    environ = {**(os.environ if env is None else env), **SAFE_ENVIRONMENT}
    if args[0] in NETWORK_SUBCOMMANDS:
        environ["GIT_ALLOW_PROTOCOL"] = NETWORK_PROTOCOLS
    settings = [*(config or {}).items(), *SAFE_CONFIG]
    argv = [GIT, "--no-pager"]
    for key, value in settings:
        argv += ["-c", f"{key}={value}"]
    if SUBCOMMANDS[args[0]]:
        argv += _filters_off(cwd, environ)
    return [*argv, *args], environ


def _filters_off(cwd: Path, environ: dict[str, str]) -> list[str]:
    """Options that empty every filter driver the configuration defines.

    The driver names come from the configuration itself (a repository may name
    its drivers anything, `=` included: `--config-env` splits at the last `=`,
    and an environment variable's name has none).
    """
    listed = run(["config", "-z", "--name-only", "--get-regexp", r"^filter\."], cwd, env=environ)
    drivers = {
        name.removeprefix("filter.").rpartition(".")[0]
        for name in listed.stdout.decode("utf-8", "surrogateescape").split("\0")
        if name.startswith("filter.")
    }
    options = []
    for driver in sorted(drivers):
        options += [f"--config-env=filter.{driver}.{key}={_NO_PROGRAM}" for key in _FILTER_KEYS]
        options.append(f"--config-env=filter.{driver}.required={_NOT_REQUIRED}")
    return options


def _not_started(exc: OSError, cwd: Path) -> InputError:
    if exc.filename == GIT:
        return GitNotInstalled()
    return InputError(f"{cwd}: not a folder")
