"""The digest of a set of pack files: what the lock file, the results store and
the loaded-pack cache use to say "these are the same packs".

A sha256 over the files' relative POSIX paths and bytes, in path order, each
length-prefixed, so that moving bytes from one file to another, renaming a
file or reordering the input always changes or keeps the digest as it should.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

#: Written before every digest: a new scheme must never collide with this one.
_SCHEME = b"rulepack-files-v1\0"


def files_digest(files: Iterable[tuple[str, bytes]]) -> str:
    """`sha256:<hex>` of (relative path, contents) pairs; the order given does not matter.

    Raises ValueError when a path is given twice (two different files cannot
    share a path, and the digest must not depend on which one came first).
    """
    ordered = sorted(files, key=lambda item: item[0].encode())
    digest = hashlib.sha256(_SCHEME)
    previous: str | None = None
    for path, contents in ordered:
        if path == previous:
            raise ValueError(f"the path {path!r} is given twice")
        previous = path
        name = path.encode()
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(len(contents).to_bytes(8, "big") + contents)
    return f"sha256:{digest.hexdigest()}"
