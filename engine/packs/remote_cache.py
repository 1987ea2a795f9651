"""Remote packs on disk: the user cache folder `packs/`, by commit id, as plain files.

`packs/<commit>/<path>/` holds the files of the pack folder `path` in that
commit (`.` for the repository's top), written once and never changed: a
folder appears whole (written beside it, then renamed) or not at all.
Whether its files are still what was fetched is for the lock's digest to say.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from engine.errors import InputError
from engine.folders import cache_dir, folder_written_whole
from engine.packs.digest import files_digest


def cached_folder(commit: str, path: str) -> Path:
    """Where the pack folder `path` of `commit` is kept (whether it is there or not)."""
    return cache_dir("packs") / commit / quote(path or ".", safe="")


def store(commit: str, path: str, files: Iterable[tuple[str, bytes]]) -> Path:
    """Write the files of a pack folder into the cache; returns the folder."""
    final = cached_folder(commit, path)
    try:
        with folder_written_whole(final, Path.is_dir) as building:
            for relative, data in files:
                target = building.joinpath(*_parts(relative))
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write the pack cache {final}: {exc.strerror or exc}") from None
    return final


def _parts(relative: str) -> list[str]:
    """The components of a path from a git tree; refuses one that could leave the folder."""
    parts = relative.split("/")
    if relative.startswith("/") or any(p in ("", ".", "..") or "\\" in p for p in parts):
        raise InputError(f"a remote pack holds the unsafe path {relative!r}")
    return parts


def folder_files(folder: Path) -> list[tuple[str, bytes]]:
    """Every regular file under `folder`: (relative POSIX path, bytes); links are not followed."""
    found = []
    for top, folders, names in os.walk(folder):
        folders.sort()
        for name in sorted(names):
            path = Path(top) / name
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(folder).as_posix(), path.read_bytes()))
    return found


def folder_digest(folder: Path) -> str:
    """The digest of a cached pack folder's files (engine/packs/digest.py)."""
    return files_digest(folder_files(folder))
