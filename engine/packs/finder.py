"""Where packs come from: folders on disk and folders inside the snapshot.

A pack is found by name as `NAME.yaml`, `NAME.yml` or `NAME/pack.yaml` in,
in order: the repo config's `pack_path`, `.rulepack/packs/`, the folders in
`RULEPACK_PATH`, and the built-in `rulepacks/`. Repository folders are read
from the snapshot itself, so `--staged` judges a commit by the packs it commits.
"""

from __future__ import annotations

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


class PackFolder(ABC):
    """A folder that holds pack files."""

    source: str  # "builtin", "path", "repo" or "file": shown in reports

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

    source = "repo"

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

    def identity(self) -> str:
        return f"{self.folder.source}:{self.display}"


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
    """The ordered folders packs are looked up in by name."""

    def __init__(self, folders: list[PackFolder]) -> None:
        self.folders = folders

    @classmethod
    def standard(
        cls,
        snapshot: Snapshot | None,
        pack_path: tuple[str, ...] = (),
        environ: Mapping[str, str] | None = None,
    ) -> PackFinder:
        folders: list[PackFolder] = []
        if snapshot is not None:
            folders += [SnapshotFolder(snapshot, p) for p in pack_path]
            folders.append(SnapshotFolder(snapshot, REPO_PACK_DIR))
        env_path = (environ if environ is not None else os.environ).get("RULEPACK_PATH", "")
        folders += [DiskFolder(Path(p), "path") for p in env_path.split(os.pathsep) if p]
        folders.append(DiskFolder(builtin_packs_dir(), "builtin"))
        return cls(folders)

    def candidates(self, name: str) -> Iterator[PackFile]:
        """Files that could be pack `name`, in search order."""
        for folder in self.folders:
            for path in (f"{name}.yaml", f"{name}.yml", f"{name}/pack.yaml"):
                if folder.exists(path):
                    yield PackFile(folder, path)

    def all_files(self) -> Iterator[PackFile]:
        """Every pack file in every folder, in search order."""
        for folder in self.folders:
            for path in folder.listing():
                if path.endswith(PACK_SUFFIXES):
                    yield PackFile(folder, path)
