"""What identifies this engine's code, for caches that must never outlive it.

A cache entry made by one engine is trusted by no other: the release number
alone would let a development checkout, whose code changes under the same
number, read entries an older parser made. So the id is the release number
plus a digest of the name, size and modification time of every file of the
installed `engine` package, of the Python version, and of the distributions
installed where this interpreter's libraries go (each `NAME-VERSION.dist-info`:
a `pip install -U` of the libraries that judge, wcmatch, jmespath, regex, the
parsers, leaves the engine's files as they were). About 2 ms to list.
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

from engine import __version__


@cache  # the code of a running process does not change under it
def code_version() -> str:
    """`<release>+<digest>`: equal for two processes only when their engine files, Python
    and installed libraries are."""
    digest = hashlib.sha256()
    _digest_files(str(Path(__file__).resolve().parent), "", digest)
    digest.update("\0".join([sys.version, *_distributions()]).encode("utf-8", "surrogateescape"))
    return f"{__version__}+{digest.hexdigest()[:16]}"


def _digest_files(folder: str, relative: str, digest: Any) -> None:
    """Add the name, size and modification time of each source file under `folder`
    (named `relative` to the package), its files first, then its folders, in name order."""
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda entry: entry.name)
    folders = []
    for entry in entries:
        if entry.is_dir():
            if entry.name != "__pycache__":
                folders.append(entry)
        elif entry.name.endswith((".py", ".json", ".yaml")):
            found = entry.stat()
            digest.update(
                f"{relative}{entry.name}\0{found.st_size}\0{found.st_mtime_ns}\0".encode()
            )
    for entry in folders:
        _digest_files(entry.path, f"{relative}{entry.name}/", digest)


def _distributions() -> list[str]:
    """The metadata folders of the distributions installed where this interpreter's
    libraries go (their names carry the versions), sorted."""
    import site

    # The site-packages folders of the interpreter's prefixes (a virtual environment's
    # own), which hold sysconfig's purelib and platlib without importing sysconfig.
    folders = set(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        folders.add(site.getusersitepackages())
    names: list[str] = []
    for folder in folders:
        try:
            with os.scandir(folder) as listing:
                names += [e.name for e in listing if e.name.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
    return sorted(names)
