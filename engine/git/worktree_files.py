"""What git knows of a work tree's files: listings run side by side, and whether a
checked-out file's bytes may differ from its blob.

Shared by the working-tree snapshot, which lists with git, and the index
snapshot, which reads the working-tree copy of a staged file when git vouches
that it holds the staged bytes.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

from engine.errors import InputError
from engine.git.repository import Repository
from engine.git.runner import git_reason, start
from engine.interrupts import shielded


def git_outputs(root: Path, *commands: tuple[str, ...]) -> Generator[list[str], None, None]:
    """The outputs of several NUL-separated git listings, started at once (they stat and
    walk in parallel) and each read when asked for: the caller works on one while git
    is still walking for the next. Closing the iterator early stops the rest."""
    processes = []
    try:
        for args in commands:
            # A stop signal while one starts would leave it running, unknown to the
            # clean-up below: it waits until the process is started and recorded.
            with shielded():
                processes.append(start(args, root))
        for args, process in zip(commands, processes, strict=True):
            out, err = process.communicate()
            if process.returncode != 0:
                reason = git_reason(err.decode("utf-8", "replace"))
                raise InputError(f"git {args[0]} failed in {root}: {reason}")
            yield [item for item in out.decode("utf-8", "surrogateescape").split("\0") if item]
    finally:  # an error, Ctrl-C, SIGTERM: no git left running behind us
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


#: Settings under which a checked-out file's bytes may differ from its blob (line
#: endings, encodings); git config keys are shown lower-case.
_CONVERTING_SETTINGS = ("core.autocrlf", "core.eol", "core.attributesfile")


def may_convert(repository: Repository, root: Path, config: list[str], paths: list[str]) -> bool:
    """Whether git might convert files between blob and work tree here (attributes or
    line-ending settings), so that an index blob id might not name the file's bytes."""
    for item in config:
        key, _, value = item.partition("\n")
        if key in _CONVERTING_SETTINGS and not (key == "core.autocrlf" and value == "false"):
            return True
    listed = "\0".join(["", *paths, ""])  # one search in C rather than one test per path
    if "\0.gitattributes\0" in listed or "/.gitattributes\0" in listed:
        return True
    folders = [repository.common_dir / "info", Path("/etc")]
    folder, top = root, repository.work_tree
    while top is not None and folder != top and folder.parent != folder:
        folder = folder.parent
        folders.append(folder)
    config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    places = [f / name for f in folders for name in (".gitattributes", "attributes")]
    places += [Path(config_home) / "git" / "attributes", Path("/etc/gitattributes")]
    return any(place.exists() for place in places)
