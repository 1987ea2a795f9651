"""The owner of a repository's root, from its CODEOWNERS file.

GitHub reads the first of `.github/CODEOWNERS`, `CODEOWNERS` and
`docs/CODEOWNERS`; in it, the last line whose pattern covers every path wins.
The fleet's rollups want one owner per repository: the first owner of that
line (`* @platform @sre` belongs to `@platform`).
"""

from __future__ import annotations

from engine.snapshots.base import Snapshot
from engine.texts import decode_text

#: Where GitHub looks for the file, in its order.
CODEOWNERS_FILES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
#: Patterns that cover every path of the repository.
WHOLE_REPOSITORY = frozenset({"*", "/", "/*", "**", "/**", "**/*", "/**/*"})
#: More than any real CODEOWNERS file; a larger one is not read.
MAX_BYTES = 1 << 20


def root_owner(snapshot: Snapshot) -> str | None:
    """The first owner of the last CODEOWNERS line covering `/`, or None."""
    present = set(snapshot.files())
    for name in CODEOWNERS_FILES:
        if name in present:
            data = snapshot.read_capped(name, MAX_BYTES)
            if isinstance(data, int):
                return None
            read = decode_text(name, data)  # as content checks read text: a BOM, bad UTF-8
            return owner_of_root(read.text) if read.text is not None else None
    return None


def owner_of_root(text: str) -> str | None:
    """The first owner of the last line of `text` (a CODEOWNERS file) covering `/`."""
    found = None
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if words and words[0] in WHOLE_REPOSITORY:
            found = words[1] if len(words) > 1 else None  # a bare pattern unsets the owner
    return found
