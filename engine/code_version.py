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

from engine import __version__


@cache  # the code of a running process does not change under it
def code_version() -> str:
    """`<release>+<digest>`: equal for two processes only when their engine files, Python
    and installed libraries are."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith((".py", ".json", ".yaml")):
                found = os.stat(os.path.join(folder, name))
                relative = os.path.relpath(os.path.join(folder, name), root)
                digest.update(f"{relative}\0{found.st_size}\0{found.st_mtime_ns}\0".encode())
    digest.update("\0".join([sys.version, *_distributions()]).encode("utf-8", "surrogateescape"))
    return f"{__version__}+{digest.hexdigest()[:16]}"


def _distributions() -> list[str]:
    """The metadata folders of the distributions installed where pip installs this
    interpreter's libraries (their names carry the versions), sorted."""
    import site
    import sysconfig

    paths = sysconfig.get_paths()
    folders = {paths["purelib"], paths["platlib"]}
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
