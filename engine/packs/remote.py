"""Remote packs: `git:` entries of the repo config and of `extends`, resolved through the lock.

A remote pack is a folder holding `pack.yaml` in a git repository, chosen by
a version range over the repository's tags (`vX.Y.Z` or `X.Y.Z`: the
highest inside the range), whose pack must declare the tag's version.
`RemotePacks` turns such an entry into a pack file in the cache
(engine/packs/remote_cache.py):

- an entry the lock (engine/packs/lock.py) pins is used as pinned: no tag is
  listed; its commit is fetched only when the cache lacks it, and the
  files' digest must be the lock's;
- an entry the lock does not pin is resolved from the network (listing the
  tags), unless the run may not reach it: `--locked`, `--ref` and `--staged`
  (a snapshot other than the working tree never fetches by itself).

Remote packs are named by the repository's config and pinned by its lock, so
they are the repository's packs: their programs run only with --trust-repo.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import versions
from engine.errors import InputError, Problem
from engine.packs.finder import PACK_FILE, DiskFolder, PackFile
from engine.packs.lock import Lock, LockEntry
from engine.snapshots.base import Snapshot

REMOTE_SOURCE = "git"
ANY_VERSION = "*"


@dataclass(frozen=True)
class RemoteRequest:
    """A `git:` entry: the pack's name, the repository, the folder and the range asked for."""

    name: str
    url: str
    path: str = ""  # normalised; "" is the repository's top
    version: str = ANY_VERSION

    def describe(self) -> str:
        folder = f" {self.path}" if self.path else ""
        return f"{self.url}{folder} ({self.version})"


def entry_problems(entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What is wrong with the `git` and `path` of a pack entry: (key, message) pairs."""
    from engine.git.remote import url_problem

    problems = []
    problem = url_problem(str(entry.get("git", "")))
    if problem:
        problems.append(("git", problem))
    path = str(entry.get("path", ""))
    if path.startswith("/") or "\\" in path or posixpath.normpath(path or ".").startswith(".."):
        problems.append(("path", f"path {path!r}: give a POSIX folder relative to the repository"))
    return problems


def request_of(entry: Mapping[str, Any]) -> RemoteRequest:
    """The request a valid `git:` entry (see `entry_problems`) makes."""
    path = posixpath.normpath(str(entry.get("path") or "."))
    return RemoteRequest(
        name=str(entry["pack"]),
        url=str(entry["git"]),
        path="" if path == "." else path,
        version=str(entry.get("version") or ANY_VERSION),
    )


class RemoteFolder(DiskFolder):
    """A remote pack folder in the cache, named in messages by its URL, tag and path."""

    def __init__(self, root: Path, entry: LockEntry) -> None:
        super().__init__(root, REMOTE_SOURCE)
        self.entry = entry

    @property
    def from_repository(self) -> bool:
        return True  # named by the repository's config and pinned by its lock

    def _inside(self, path: str) -> bool:
        normal = posixpath.normpath(path)
        return not (normal.startswith(("../", "/")) or normal == "..")

    def read(self, path: str) -> str:
        if not self._inside(path):
            raise PermissionError(13, "outside the remote pack's folder", path)
        return super().read(path)

    def exists(self, path: str) -> bool:
        return self._inside(path) and super().exists(path)

    def display(self, path: str) -> str:
        inside = posixpath.join(self.entry.path, path) if self.entry.path else path
        return f"{self.entry.url}@{self.entry.tag}/{posixpath.normpath(inside)}"


@dataclass
class RemotePacks:
    """Resolves remote pack entries for one run; remembers what it used.

    `network`: tags may be listed and commits fetched (False: `--ref`, `--staged`).
    `locked`: every entry must be pinned by the lock (`--locked`).
    `upgrade`: the lock's pins are ignored (`policy lock --upgrade`).
    `quiet`: no warning for an entry the lock does not pin (`policy lock` pins it).
    """

    lock: Lock | None = None
    network: bool = True
    locked: bool = False
    upgrade: bool = False
    quiet: bool = False
    snapshot: str = ""  # the option naming a snapshot other than the working tree, for messages
    used: dict[tuple[str, str, str], LockEntry] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    @classmethod
    def for_snapshot(
        cls,
        snapshot: Snapshot,
        config_file: Path | None = None,
        *,
        locked: bool = False,
        upgrade: bool = False,
        quiet: bool = False,
        fetch: bool = True,
    ) -> RemotePacks:
        """The resolver of a run over `snapshot`: the lock beside its config (in the
        snapshot, or beside `config_file`); the network only for the working tree, and
        only if `fetch`."""
        from engine.packs.lock import read_lock

        info = snapshot.info
        shown = {"ref": f"--ref {info.ref}", "staged": "--staged"}.get(info.kind, "")
        lock = read_lock(snapshot, config_file)
        network = fetch and info.kind == "worktree"
        return cls(lock, network, locked, upgrade, quiet, snapshot=shown)

    def pack_file(self, request: RemoteRequest) -> PackFile:
        """The cached `pack.yaml` of a remote pack; InputError saying what failed."""
        pinned = (
            None
            if self.upgrade or self.lock is None
            else self.lock.find(request.url, request.path, request.version)
        )
        if pinned is not None and _key(pinned) in self.used:  # checked already in this run
            return self._pack_file(pinned)
        if pinned is not None:
            entry, folder = pinned, self._cached(pinned)
        else:
            entry, folder = self._resolve(request)
        if _key(entry) not in self.used:
            _check_declared(folder, entry, request)
            self.used[_key(entry)] = entry
        return self._pack_file(entry)

    def _pack_file(self, entry: LockEntry) -> PackFile:
        from engine.packs.remote_cache import cached_folder

        return PackFile(RemoteFolder(cached_folder(entry.commit, entry.path), entry), PACK_FILE)

    def unused(self) -> list[LockEntry]:
        """Entries of the lock that no remote pack of the run used (a stale lock)."""
        entries = self.lock.entries if self.lock is not None else ()
        return [e for e in entries if _key(e) not in self.used]

    # -- pinned by the lock -------------------------------------------------------------

    def _cached(self, entry: LockEntry) -> Path:
        """The cached folder of a pinned entry, fetched when missing; its digest checked."""
        from engine.packs.remote_cache import cached_folder, folder_digest, store

        folder = cached_folder(entry.commit, entry.path)
        if folder.is_dir():
            _check_digest(entry, folder_digest(folder), f"the cached files in {folder}")
            return folder
        if not self.network:
            offline = f", and {self.snapshot} fetches nothing" if self.snapshot else ""
            raise InputError(
                f"remote pack {entry.pack!r} ({entry.url} {entry.tag}) is not in the cache"
                f"{offline}: run `policy lock` in the working tree to fetch it"
            )
        from engine.git.remote import fetch_folder
        from engine.packs.digest import files_digest

        fetched = fetch_folder(entry.url, entry.tag, entry.path)
        if fetched is None:
            raise InputError(f"tag {entry.tag} of {entry.url} has no folder {entry.path!r}")
        if fetched.commit != entry.commit:
            raise InputError(
                f"tag {entry.tag} of {entry.url} names commit {fetched.commit}, but "
                f"{self._lock_name} pins commit {entry.commit}: the tag was moved (if the "
                "new commit is trusted, `policy lock --upgrade` pins what the tags name now)"
            )
        _check_digest(entry, files_digest(fetched.files), f"the files of {entry.tag}")
        return store(fetched.commit, entry.path, fetched.files)

    @property
    def _lock_name(self) -> str:
        return self.lock.file if self.lock is not None else "the lock"

    # -- resolved from the network ------------------------------------------------------

    def _resolve(self, request: RemoteRequest) -> tuple[LockEntry, Path]:
        """The highest tag inside the range, fetched (or found in the cache)."""
        if self.locked:
            where = self.lock.file if self.lock is not None else "rulepack.lock (there is none)"
            raise InputError(
                f"--locked: {where} does not pin remote pack {request.name!r} from "
                f"{request.describe()}: run `policy lock`"
            )
        if not self.network:
            if not self.snapshot:
                raise InputError(
                    f"remote pack {request.name!r} from {request.describe()} is not pinned by "
                    "rulepack.lock: run `policy lock`"
                )
            raise InputError(
                f"{self.snapshot}: remote pack {request.name!r} from {request.describe()} is not "
                "pinned by the rulepack.lock of that snapshot, and only the working tree "
                "fetches: run `policy lock` and commit (or stage) rulepack.lock"
            )
        from engine.git.remote import fetch_folder, remote_tags
        from engine.packs.digest import files_digest
        from engine.packs.remote_cache import cached_folder, folder_digest, store

        tags = remote_tags(request.url)
        tag = highest_tag(tags, request)
        folder = cached_folder(tags[tag], request.path)
        if folder.is_dir():
            digest = folder_digest(folder)
        else:
            fetched = fetch_folder(request.url, tag, request.path)
            if fetched is None:
                raise InputError(
                    f"tag {tag} of {request.url} has no folder {request.path!r} "
                    "(path: is the folder holding the pack's pack.yaml)"
                )
            digest = files_digest(fetched.files)
            folder = store(fetched.commit, request.path, fetched.files)
        if not self.quiet:
            self.warnings.append(
                Problem(
                    f"remote pack {request.name!r} is not pinned by a lock: {request.url} {tag} "
                    "was resolved from the network; run `policy lock`",
                    level="warning",
                )
            )
        entry = LockEntry(request.name, request.url, request.path, tag, tags[tag], digest)
        return entry, folder


def highest_tag(tags: Mapping[str, str], request: RemoteRequest) -> str:
    """The tag of the highest version inside the request's range (`v1.2.0` before `1.2.0`);
    InputError listing the version tags when none is inside it."""
    parsed = {tag: version for tag in tags if (version := tag_version(tag)) is not None}
    inside = [tag for tag, found in parsed.items() if versions.satisfies(found, request.version)]
    if not inside:
        listed = sorted(parsed, key=lambda tag: (parsed[tag], tag))
        found = f"tags: {', '.join(listed)}" if listed else "it has no vX.Y.Z tags"
        raise InputError(
            f"no tag of {request.url} satisfies {request.version} for pack {request.name!r} "
            f"({found})"
        )
    return max(inside, key=lambda tag: (parsed[tag], tag.startswith("v")))


def tag_version(tag: str) -> Any:
    """The version a tag `vX.Y.Z` or `X.Y.Z` (a pre-release allowed) names, else None."""
    import semver

    bare = tag.removeprefix("v")
    return semver.Version.parse(bare) if semver.Version.is_valid(bare) else None


def _key(entry: LockEntry) -> tuple[str, str, str]:
    """What tells lock entries apart: one pack folder at one tag."""
    return (entry.url, entry.path, entry.tag)


def _check_digest(entry: LockEntry, digest: str, what: str) -> None:
    if digest != entry.sha256:
        raise InputError(
            f"remote pack {entry.pack!r} ({entry.url} {entry.tag}): {what} have digest {digest}, "
            f"but the lock says {entry.sha256} (a changed cache or lock file: delete the "
            "cached folder, or run `policy lock` if the lock is wrong)"
        )


def _check_declared(folder: Path, entry: LockEntry, request: RemoteRequest) -> None:
    """The pack at the folder has the name asked for and declares its tag's version."""
    from engine.texts import BadText, read_input
    from engine.yaml12 import YamlError
    from engine.yaml_located import load_located

    place = f"in {entry.path} in" if entry.path else "at the top of"
    where = f"{place} tag {entry.tag} of {entry.url}"
    pack = folder / PACK_FILE
    if not pack.is_file():
        raise InputError(
            f"there is no {PACK_FILE} {where} (path: is the folder holding the pack's {PACK_FILE})"
        )
    try:
        data = load_located(read_input(pack), str(pack)).data
    except (BadText, YamlError, OSError):
        return  # the loader reports it, located
    if not isinstance(data, dict):
        return
    declared = versions.coerce(str(data.get("version", "")))
    if declared is None or declared != tag_version(entry.tag):
        raise InputError(
            f"the pack {where} declares version {data.get('version')}, not the tag's "
            f"{entry.version}: a tag's pack must declare the tag's version"
        )
    if data.get("name") != request.name:
        raise InputError(f"the pack {where} is named {data.get('name')!r}, not {request.name!r}")
