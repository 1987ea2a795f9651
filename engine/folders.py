"""Where rulepack keeps what outlives a run: the results store, caches.

The platform's user folders (platformdirs: XDG on Linux, ~/Library on macOS,
%LOCALAPPDATA% on Windows), each overridable by a variable so that CI jobs,
tests and containers can point them elsewhere. Nothing is created here: the
module that writes a folder creates it, when it first writes.
"""

from __future__ import annotations

import os
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
