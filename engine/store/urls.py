"""Which store a command uses, and whether its URL names one rulepack can open."""

from __future__ import annotations

import os
from pathlib import Path

from engine.errors import InputError

#: Names the store when `--store` does not.
STORE_VARIABLE = "RULEPACK_STORE"
#: The file of the default store, in the user data folder (engine/folders.py).
DEFAULT_FILE = "results.db"
#: URL schemes rulepack opens; `postgresql` uses psycopg 3 (`rulepack[postgres]`).
SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")


def default_url() -> str:
    """The default store: an SQLite file in the user data folder."""
    from engine.folders import data_dir

    return f"sqlite:///{data_dir() / DEFAULT_FILE}"


def store_url(given: str | None) -> str:
    """The URL of the store to use: `given` (`--store URL`), else RULEPACK_STORE, else the
    default; InputError for a URL with a scheme rulepack cannot open."""
    url = given or os.environ.get(STORE_VARIABLE) or default_url()
    scheme, sep, _ = url.partition("://")
    if not sep or scheme not in SCHEMES:
        where = f"{STORE_VARIABLE}=" if not given and os.environ.get(STORE_VARIABLE) else "--store "
        raise InputError(
            f"{where}{shown(url)}: unknown store URL scheme {scheme if sep else '(none)'!r}; "
            "use sqlite:///PATH or postgresql://USER@HOST/DATABASE"
        )
    return url


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL (None for `sqlite://`, in memory, and other schemes)."""
    if not url.startswith("sqlite:///"):
        return None
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0])


def shown(url: str) -> str:
    """The URL as messages show it: a password is never printed."""
    scheme, sep, rest = url.partition("://")
    user, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in user:
        return url
    return f"{scheme}://{user.split(':', 1)[0]}:***@{host}"
