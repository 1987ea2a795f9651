"""Where rulepack keeps what outlives a run: the results store, caches.

The platform's user folders (platformdirs: XDG on Linux, ~/Library on macOS,
%LOCALAPPDATA% on Windows), each overridable by a variable so that CI jobs,
tests and containers can point them elsewhere. `data_dir` and `cache_dir` create
nothing (a module creates its folder when it first writes); `folder_written_whole`
and `file_written_whole` are how a cached folder or file appears complete or
not at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

#: Override the user data folder (the default results store lives there).
DATA_DIR_VARIABLE = "RULEPACK_DATA_DIR"
#: Override the user cache folder (parse cache, remote packs, fleet mirrors).
CACHE_DIR_VARIABLE = "RULEPACK_CACHE_DIR"


def data_dir() -> Path:
    """The user data folder of rulepack."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    if override:
        return Path(override).absolute()
    import platformdirs  # only runs that keep data pay for the import

    return Path(platformdirs.user_data_dir("rulepack", appauthor=False))


def cache_dir(kind: str) -> Path:
    """The cache folder for one kind of thing (`parse`, `packs`, `mirrors`)."""
    override = os.environ.get(CACHE_DIR_VARIABLE)
    if override:
        return Path(override).absolute() / kind
    import platformdirs

    return Path(platformdirs.user_cache_dir("rulepack", appauthor=False)) / kind


@contextmanager
def folder_written_whole(final: Path, is_complete: Callable[[Path], bool]) -> Iterator[Path]:
    """A temporary folder beside `final` to fill; renamed to `final` when the block ends
    well, so that a folder stopped halfway never looks done. When another process put a
    complete `final` there meanwhile (`is_complete`), theirs is kept; OSError otherwise."""
    import shutil  # only runs that write a cached folder pay for these
    import tempfile

    final.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{final.name}.partial-", dir=final.parent))
    try:
        yield building
        try:
            building.rename(final)
        except OSError:
            if not is_complete(final):
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)


def file_written_whole(path: Path, data: bytes) -> None:
    """Write `data` to `path` (and its folder) through a temporary file renamed into
    place, so that a reader never sees half of it and two processes may write the
    same file at once; raises OSError."""
    import tempfile  # a run whose caches all hit writes nothing

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
