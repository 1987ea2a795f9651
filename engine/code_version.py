"""What identifies this engine's code, for caches that must never outlive it.

A cache entry made by one engine is trusted by no other: the release number
alone would let a development checkout, whose code changes under the same
number, read entries an older parser made. So the id is the release number
plus a digest of the name, size and modification time of every file of the
installed `engine` package (about 1 ms to list).
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from engine import __version__


@cache  # the code of a running process does not change under it
def code_version() -> str:
    """`<release>+<digest>`: equal for two processes only when their engine files are."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith((".py", ".json", ".yaml")):
                found = os.stat(os.path.join(folder, name))
                relative = os.path.relpath(os.path.join(folder, name), root)
                digest.update(f"{relative}\0{found.st_size}\0{found.st_mtime_ns}\0".encode())
    return f"{__version__}+{digest.hexdigest()[:16]}"
