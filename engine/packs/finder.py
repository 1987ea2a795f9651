"""Where packs come from: folders on disk and folders inside the snapshot.

A pack is found by name as `NAME.yaml`, `NAME.yml` or `NAME/pack.yaml` in,
in order: the folders in `RULEPACK_PATH`, the built-in `rulepacks/`, then
the repository's own folders, the repo config's `pack_path` and
`.rulepack/packs/`; so a repository cannot replace `production` with its
own. With `--trust-repo` the repository's folders come first. Repository
folders are read from the snapshot itself, so `--staged` judges a commit by
the packs it commits.
"""

from __future__ import annotations

import errno
import os
import posixpath
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from engine.resources import builtin_packs_dir
from engine.snapshots.base import Snapshot
from engine.texts import MAX_INPUT_BYTES, input_text, read_input

PACK_SUFFIXES = (".yaml", ".yml")
PACK_FILE = "pack.yaml"  # the pack of a pack folder (`NAME/pack.yaml`)
REPO_PACK_DIR = ".rulepack/packs"
REPO_SOURCE = "repo"  # the source of every folder read from the snapshot


class PackFolder(ABC):
    """A folder that holds pack files."""

    source: str  # "builtin", "path", "repo" or "file": shown in reports

    @property
    def from_repository(self) -> bool:
        """Whether the folder is part of the evaluated repository (not trusted by default)."""
        return self.source == REPO_SOURCE

    @abstractmethod
    def read(self, path: str) -> str:
        """Text of a file in the folder (OSError when it is not there, BadText when it is
        too large or not UTF-8)."""

    @abstractmethod
    def exists(self, path: str) -> bool: ...

    @abstractmethod
    def listing(self) -> list[str]:
        """Relative paths of every file in the folder, sorted."""

    @abstractmethod
    def display(self, path: str) -> str:
        """How a file of the folder is named in messages."""

    def disk_path(self, path: str) -> Path | None:
        """Where a file of the folder is on disk, if it is (what `-o` must not overwrite)."""
        return None


class DiskFolder(PackFolder):
    def __init__(self, root: Path, source: str) -> None:
        self.root = root
        self.source = source

    def read(self, path: str) -> str:
        return read_input(self.root / path)

    def exists(self, path: str) -> bool:
        try:
            return (self.root / path).is_file()
        except (OSError, ValueError):  # a name too long for the file system, or with a NUL
            return False

    def listing(self) -> list[str]:
        if not self.root.is_dir():
            return []
        found = []
        for entry in sorted(self.root.iterdir()):
            if entry.is_file():
                found.append(entry.name)
            elif (entry / "pack.yaml").is_file():
                found.append(f"{entry.name}/pack.yaml")
        return found

    def disk_path(self, path: str) -> Path | None:
        return self.root / path

    def display(self, path: str) -> str:
        if self.source == "builtin":  # the same on every machine, so reports stay identical
            return f"rulepacks/{path}"
        shown = self.root / path
        try:
            return str(shown.relative_to(Path.cwd()))
        except ValueError:
            return str(shown)


class SnapshotFolder(PackFolder):
    """A folder inside the snapshot (`.rulepack/packs`, `pack_path` entries)."""

    source = REPO_SOURCE

    def __init__(self, snapshot: Snapshot, prefix: str) -> None:
        self.snapshot = snapshot
        self.prefix = prefix.strip("/")
        self._known: frozenset[str] | None = None

    def _full(self, path: str) -> str:
        return posixpath.normpath(f"{self.prefix}/{path}") if self.prefix else path

    def read(self, path: str) -> str:
        full = self._full(path)
        if full.startswith("../") or full not in self._paths:
            raise FileNotFoundError(2, "No such file in the snapshot", full)
        return input_text(self.snapshot.read_capped(full, MAX_INPUT_BYTES))

    def exists(self, path: str) -> bool:
        return self._full(path) in self._paths

    @property
    def _paths(self) -> frozenset[str]:
        if self._known is None:
            self._known = frozenset(self.snapshot.files())
        return self._known

    def listing(self) -> list[str]:
        start = self.prefix + "/" if self.prefix else ""
        found = []
        for path in self.snapshot.files():
            if path.startswith(start):
                rest = path[len(start) :]
                if "/" not in rest or (rest.count("/") == 1 and rest.endswith("/pack.yaml")):
                    found.append(rest)
        return found

    def display(self, path: str) -> str:
        return self._full(path)

    def disk_path(self, path: str) -> Path | None:
        found = self.snapshot.disk_path(self._full(path)) if self.exists(path) else None
        return Path(found) if found is not None else None


@dataclass(frozen=True)
class PackFile:
    """One pack file: the folder it is in and its path there."""

    folder: PackFolder
    path: str

    def read(self) -> str:
        return self.folder.read(self.path)

    @property
    def display(self) -> str:
        return self.folder.display(self.path)

    @property
    def source(self) -> str:
        return self.folder.source

    @property
    def name(self) -> str:
        """The name `--pack NAME` finds this file by (`NAME.yaml` or `NAME/pack.yaml`)."""
        return self.path.split("/")[0].rsplit(".", 1)[0]

    def sibling(self, relative: str) -> PackFile:
        """A file named relative to this one (for `extends` and `schema`)."""
        base = posixpath.dirname(self.path)
        return PackFile(self.folder, posixpath.normpath(posixpath.join(base, relative)))

    def read_in_own_folder(self, relative: str) -> str:
        """Text of a file named relative to this one, inside this one's folder (the JSON
        Schemas of manifest checks and the files they refer to); PermissionError for a
        path, or a symlink on disk, that leads out of it."""
        top = posixpath.dirname(self.path)
        path = posixpath.normpath(posixpath.join(top, relative))
        if not _below(path, top) or relative.startswith("/"):
            raise PermissionError(errno.EACCES, "outside the pack's folder", relative)
        if isinstance(self.folder, DiskFolder):
            real = os.path.realpath(self.folder.root / path)
            if not _below(real, os.path.realpath(self.folder.root / top)):
                raise PermissionError(errno.EACCES, "a symlink out of the pack's folder", relative)
        return self.folder.read(path)

    def identity(self) -> str:
        return f"{self.folder.source}:{self.display}"

    def digest_key(self, relative: str | None = None) -> str:
        """How this file (or a file of its folder, `relative` to it) is named in the pack's
        digest: its source and a path that is the same on every machine (never absolute)."""
        path = self.path if relative is None else self.sibling(relative).path
        if isinstance(self.folder, SnapshotFolder):
            path = self.folder.display(path)
        return f"{self.folder.source}:{path}"


def _below(path: str, folder: str) -> bool:
    """Whether normal `path` is inside `folder` ("" or "." being the top of a relative tree)."""
    if folder in ("", "."):
        return path != ".." and not path.startswith(("../", "/"))
    return path.startswith(folder.rstrip("/") + "/")


def is_file_spec(spec: str) -> bool:
    """`--pack ./mine.yaml` names a file; `--pack production` names a pack."""
    return spec.endswith(PACK_SUFFIXES) or "/" in spec or os.sep in spec


def pack_file_from_disk(spec: str, base: Path | None = None) -> PackFile:
    """The pack file `spec` names: a file, or a pack folder holding `pack.yaml`."""
    path = (base or Path.cwd()) / spec
    if path.is_dir() and (path / PACK_FILE).is_file():
        return PackFile(DiskFolder(path, "file"), PACK_FILE)
    return PackFile(DiskFolder(path.parent, "file"), path.name)


class PackFinder:
    """The ordered folders packs are looked up in by name.

    Unless `trust_repo`, a name found outside the repository never resolves to a
    repository's file, whatever version is asked for.
    """

    def __init__(self, folders: list[PackFolder], *, trust_repo: bool = False) -> None:
        self.folders = folders
        self.trust_repo = trust_repo

    @classmethod
    def standard(
        cls,
        snapshot: Snapshot | None,
        pack_path: tuple[str, ...] = (),
        environ: Mapping[str, str] | None = None,
        *,
        trust_repo: bool = False,
    ) -> PackFinder:
        """The folders in search order: the repository's last, unless `trust_repo`."""
        repository: list[PackFolder] = []
        if snapshot is not None:
            repository += [SnapshotFolder(snapshot, p) for p in pack_path]
            repository.append(SnapshotFolder(snapshot, REPO_PACK_DIR))
        env_path = (environ if environ is not None else os.environ).get("RULEPACK_PATH", "")
        trusted: list[PackFolder] = [
            DiskFolder(Path(p), "path") for p in env_path.split(os.pathsep) if p
        ]
        trusted.append(DiskFolder(builtin_packs_dir(), "builtin"))
        folders = repository + trusted if trust_repo else trusted + repository
        return cls(folders, trust_repo=trust_repo)

    def candidates(self, name: str) -> Iterator[PackFile]:
        """Files that could be pack `name`, in search order."""
        found = [
            PackFile(folder, path)
            for folder in self.folders
            for path in (f"{name}.yaml", f"{name}.yml", f"{name}/pack.yaml")
            if folder.exists(path)
        ]
        if not self.trust_repo and any(not f.folder.from_repository for f in found):
            found = [f for f in found if not f.folder.from_repository]
        yield from found

    def all_files(self) -> Iterator[PackFile]:
        """Every pack file in every folder, in search order."""
        for folder in self.folders:
            for path in folder.listing():
                if path.endswith(PACK_SUFFIXES):
                    yield PackFile(folder, path)
