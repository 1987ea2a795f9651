"""A folder of cache entries, one pickle per key, in the user cache folder.

What the built-pack cache (engine/packs/cache.py) and the verdict cache
(engine/verdicts.py) keep between runs. Each entry is written to a temporary
file and renamed into place, so a reader never sees half of one and two
processes can write the same one at once. A corrupt, truncated or foreign
entry is a miss, never a failure; a folder that cannot be written keeps
nothing. Past its bound, the least recently written entries go first.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import TypeVar

from engine.folders import file_written_whole

T = TypeVar("T")

SUFFIX = ".pickle"


def load(folder: Path, key: str, kind: type[T]) -> T | None:
    """The entry of type `kind` for `key`, or None (none kept, or one that does not
    read back)."""
    try:
        data = (folder / f"{key}{SUFFIX}").read_bytes()
        found = pickle.loads(data)
    except Exception:  # a missing, truncated or foreign file: a miss, never a failure
        return None
    return found if isinstance(found, kind) else None


def exists(folder: Path, key: str) -> bool:
    """Whether an entry is kept for `key` (without reading it)."""
    return (folder / f"{key}{SUFFIX}").is_file()


def store(folder: Path, key: str, entry: object, max_entries: int) -> None:
    """Keep `entry` under `key`, and at most `max_entries` entries in the folder."""
    try:
        data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # something in the entry that does not pickle: not kept
        return
    try:
        file_written_whole(folder / f"{key}{SUFFIX}", data)
        _trim(folder, max_entries)
    except OSError:
        return


def _trim(folder: Path, max_entries: int) -> None:
    """Remove the least recently written entries past `max_entries` (the folder is only
    listed, not each entry looked at, while it holds fewer)."""
    with os.scandir(folder) as listing:
        names = [e.name for e in listing if e.name.endswith(SUFFIX) and not e.name.startswith(".")]
    if len(names) <= max_entries:
        return
    entries = []
    for name in names:
        try:
            entries.append((os.stat(folder / name).st_mtime_ns, name))
        except OSError:
            continue  # removed meanwhile by another process
    for _, name in sorted(entries)[:-max_entries]:
        (folder / name).unlink(missing_ok=True)
