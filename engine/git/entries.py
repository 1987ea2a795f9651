"""Entries of a tree or of the index, as `git ls-tree -z` and `git ls-files -s -z` print them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

#: Entry modes, octal as git prints them.
MODE_FILE = "100644"
MODE_EXECUTABLE = "100755"
MODE_SYMLINK = "120000"
MODE_GITLINK = "160000"  # a submodule: a commit of another repository
MODE_TREE = "040000"


@dataclass(frozen=True)
class GitEntry:
    """One entry of a tree or of the index."""

    mode: str
    object_id: str

    @property
    def is_file(self) -> bool:
        return self.mode.startswith("100")

    @property
    def is_executable(self) -> bool:
        return self.is_file and bool(int(self.mode, 8) & 0o111)


def parse_entries(output: bytes) -> Iterator[tuple[str, list[str]]]:
    """Records of `git ls-tree -z` / `git ls-files -s -z`: (path, space-separated fields).

    Paths that are not UTF-8 keep their bytes as surrogate escapes, the way
    the working-tree snapshot decodes them.
    """
    # Decoded at once: a NUL ends every record, and no byte of a multi-byte UTF-8 sequence
    # is a NUL or a tab, so the whole decodes as its records would one by one.
    for record in output.decode("utf-8", "surrogateescape").split("\0"):
        if record:
            meta, _, path = record.partition("\t")
            yield path, meta.split(" ")
