"""Mirrors of `url:` repositories: bare, blob-less clones in the user cache folder.

A fleet entry with `url:` is cloned once with `git clone --mirror
--filter=blob:none` (commits and trees, no file contents) under the cache
folder `mirrors/`, and fetched on later runs. Before a commit is evaluated,
the blobs of its tree alone are fetched in one request, as git's own partial
clone would on a checkout; older contents are never downloaded. Every command
goes through engine/git/runner.py, which lets `clone` and `fetch` (and no
other command) use the `file`, `https` and `ssh` transports.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from engine.errors import InputError
from engine.folders import cache_dir, folder_written_whole
from engine.git import runner


def mirror_folder(url: str) -> Path:
    """Where the mirror of `url` lives: a readable name and a digest of the whole URL."""
    tail = re.sub(r"[^A-Za-z0-9._-]+", "-", url.rstrip("/").rsplit("/", 1)[-1]).strip("-.")
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    name = tail.removesuffix(".git") or "repository"
    return cache_dir("mirrors") / f"{name}-{digest}.git"


def update_mirror(url: str, ref: str) -> Path:
    """The mirror of `url`, cloned or fetched now, with the blobs of `ref`'s tree present.

    InputError with git's reason when the URL cannot be cloned or fetched."""
    folder = mirror_folder(url)
    if (folder / "HEAD").is_file():
        _git(["fetch", "--prune", "--quiet", "origin"], folder, f"cannot fetch {url}")
    else:
        _clone(url, folder)
    _fetch_tree_blobs(url, folder, ref)
    return folder


def _clone(url: str, folder: Path) -> None:
    """Clone into a temporary folder beside `folder`, then rename: a clone that fails or
    is stopped halfway never looks like a mirror."""
    with folder_written_whole(folder, lambda done: (done / "HEAD").is_file()) as partial:
        args = ["clone", "--mirror", "--filter=blob:none", "--quiet", "--", url, str(partial)]
        _git(args, folder.parent, f"cannot clone {url}")


def _fetch_tree_blobs(url: str, folder: Path, ref: str) -> None:
    """Fetch the blobs of `ref`'s tree that the mirror lacks, in one request."""
    listed = runner.run(["rev-list", "--objects", "--missing=print", "--no-walk", ref], folder)
    if not listed.ok:
        raise InputError(f"{url}: unknown ref {ref!r} ({listed.reason})")
    missing = [line[1:] for line in listed.stdout.decode().splitlines() if line.startswith("?")]
    if not missing:
        return
    args = ["fetch", "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no"]
    args += ["--filter=blob:none", "--stdin", "--quiet", "origin"]
    done = runner.run(
        args,
        folder,
        input="".join(f"{oid}\n" for oid in missing).encode(),
        config={"fetch.negotiationAlgorithm": "noop"},  # ask for exactly these objects
    )
    if not done.ok:
        raise InputError(f"cannot fetch the files of {ref!r} from {url}: {done.reason}")


def _git(args: list[str], cwd: Path, failure: str) -> None:
    done = runner.run(args, cwd)
    if not done.ok:
        raise InputError(f"{failure}: {done.reason}")
