"""Reading another repository over the network: its tags, and the files of one tag.

Both run git in a bare repository created for the purpose in a temporary
folder, so no repository's configuration (hooks, filters, fsmonitor, an
ssh command, an upload-pack program) takes part; the user's own
configuration does, so git's credential helpers keep working. The fetch is
shallow (one commit, the tag's) and checked object by object
(`transfer.fsckObjects`). Nothing is checked out: files are read as blobs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InputError
from engine.git.entries import GitEntry, parse_entries
from engine.git.runner import output, run

#: Schemes a pack's `git:` URL may use (git's transports of the same names).
URL_SCHEMES = ("https://", "ssh://", "file://")

#: Variables that point git at another repository than the one it runs in (a hook sets them).
_REPOSITORY_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")


@dataclass(frozen=True)
class TreeFiles:
    """The regular files of a folder in one commit: (path relative to the folder, bytes)."""

    commit: str
    files: tuple[tuple[str, bytes], ...]


def url_problem(url: str) -> str | None:
    """Why `url` is not a URL rulepack fetches packs from, or None."""
    if not url.startswith(URL_SCHEMES) or len(url) <= len("file://"):
        return f"git URL {url!r}: use an https://, ssh:// or file:// URL"
    if any(ch.isspace() for ch in url):
        return f"git URL {url!r}: a URL may not hold spaces"
    return None


def remote_tags(url: str) -> dict[str, str]:
    """Every tag of the repository at `url` -> the commit it names (annotated tags peeled).

    InputError with git's reason when the repository cannot be reached.
    """
    with _scratch_repository() as (scratch, environ):
        done = run(["ls-remote", "--tags", url], scratch, env=environ)
    if not done.ok:
        raise InputError(f"cannot read the tags of {url}: {done.reason}")
    tags: dict[str, str] = {}
    peeled: dict[str, str] = {}
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        object_id, _, ref = line.partition("\t")
        name = ref.removeprefix("refs/tags/")
        if name.endswith("^{}"):
            peeled[name[:-3]] = object_id
        else:
            tags[name] = object_id
    return {name: peeled.get(name, object_id) for name, object_id in tags.items()}


def fetch_folder(url: str, tag: str, folder: str) -> TreeFiles | None:
    """The files under `folder` ("" for the top) in tag `tag` of `url`, fetched shallowly;
    None when the tag holds no such folder. InputError when the fetch fails.

    Symlinks and submodules are left out: a pack is plain files.
    """
    with _scratch_repository() as (scratch, environ):
        ref = f"refs/tags/{tag}"
        done = run(
            ["fetch", "--quiet", "--depth=1", "--no-tags", url, f"+{ref}:{ref}"],
            scratch,
            env=environ,
            config={"transfer.fsckObjects": "true"},
        )
        if not done.ok:
            raise InputError(f"cannot fetch tag {tag} of {url}: {done.reason}")
        commit = output(["rev-parse", "--verify", f"{ref}^{{commit}}"], scratch, env=environ)
        commit_id = commit.decode("ascii").strip()
        listed = run(["ls-tree", "-r", "-z", f"{commit_id}:{folder}"], scratch, env=environ)
        if not listed.ok:
            return None
        entries = [
            (path, GitEntry(fields[0], fields[2])) for path, fields in parse_entries(listed.stdout)
        ]
        files = [(path, entry.object_id) for path, entry in sorted(entries) if entry.is_file]
        contents = _blobs([object_id for _, object_id in files], scratch, environ)
    paths = [path for path, _ in files]
    return TreeFiles(commit_id, tuple(zip(paths, contents, strict=True)))


def _blobs(object_ids: list[str], scratch: Path, environ: dict[str, str]) -> list[bytes]:
    """The contents of blobs, read by one `git cat-file --batch`."""
    if not object_ids:
        return []
    asked = "".join(f"{object_id}\n" for object_id in object_ids).encode("ascii")
    done = run(["cat-file", "--batch"], scratch, input=asked, env=environ)
    if not done.ok:
        raise InputError(f"cannot read fetched files: {done.reason}")
    found, at = [], 0
    for _ in object_ids:
        end = done.stdout.index(b"\n", at)
        size = int(done.stdout[at:end].split(b" ")[2])
        found.append(done.stdout[end + 1 : end + 1 + size])
        at = end + 1 + size + 1  # the content, then a newline
    return found


@contextmanager
def _scratch_repository() -> Iterator[tuple[Path, dict[str, str]]]:
    """A new, empty bare repository and the environment that makes git use it."""
    with tempfile.TemporaryDirectory(prefix="rulepack-fetch-") as folder:
        scratch = Path(folder) / "scratch.git"
        environ = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}
        output(["init", "--quiet", "--bare", str(scratch)], Path(folder), env=environ)
        environ["GIT_DIR"] = str(scratch)
        yield scratch, environ
