"""Parts of files kept between runs, for the checks whose parts are small.

A pre-commit hook meets an index with one file changed. Every content rule
whose files include it is judged again (engine/verdicts.py keeps an outcome
only while the files its rule read keep their blob ids), yet each other file
gives that rule what it gave the run before: reading all of them again and
searching each costs most of such a run. So a content check's part of a file
(engine/checks/file.py, `_TextPart`: whether its regexes match) is kept here,
by the file's path and content id, as `PartTables` keeps it for the commits of
one history, and the next run reads only the files that changed.

- One pickle per kind of part (engine/entry_folder.py, in the parse cache's
  folder, `parts/`), keyed by the engine's code version and the kind: no engine
  reads another's parts, and a check that changes (another regex) is another kind.
- Only parts that settle are kept: a regex that gave up on a text is tried
  again next run (`keep`'s `settled`).
- A kind's table is written back only when the run added to it; past twice
  what the run asked for, it keeps only those (the parts of files since edited
  or removed go).
- Manifest parts hold the selected documents themselves: too large to be worth
  reading back, they are not kept here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any

from engine import entry_folder
from engine.parse_cache import PartTables

#: The folder, inside the parse cache's, that holds the kinds' tables.
FOLDER = "parts"
#: Kinds (a pack's content checks) kept at most; past it, the least recently written go.
MAX_KINDS = 512
#: Parts a kind's table keeps at most.
MAX_PARTS_PER_KIND = 200_000

PartKey = tuple[str, str]


class _Kind:
    """One kind's table, the keys this run asked for in it, and whether it added any."""

    def __init__(self, table: dict[PartKey, Any]) -> None:
        self.table = table
        self.asked: set[PartKey] = set()
        self.added = False


class KeptParts(PartTables):
    """`PartTables` read from and written back to `folder`, for one evaluation; `kind`'s
    repr (plain data: patterns, flags, sizes) names its table."""

    def __init__(self, folder: Path, version: str) -> None:
        super().__init__()
        self._folder = folder
        self._version = version
        self._kinds: dict[str, _Kind] = {}  # by entry key
        self._of_table: dict[int, _Kind] = {}  # by id(table): the callers hold tables

    def table(self, what: Hashable) -> dict[PartKey, Any]:
        key = hashlib.sha256(f"{self._version}\0{what!r}".encode()).hexdigest()
        with self._lock:
            kind = self._kinds.get(key)
        if kind is None:
            loaded = entry_folder.load(self._folder, key, dict) or {}
            with self._lock:
                kind = self._kinds.setdefault(key, _Kind(loaded))
                self._of_table[id(kind.table)] = kind
        return kind.table

    def asked(self, table: dict[PartKey, Any], keys: Iterable[PartKey]) -> None:
        with self._lock:
            self._of_table[id(table)].asked.update(keys)

    def keep(
        self, table: dict[PartKey, Any], key: PartKey, part: Any, settled: bool = True
    ) -> None:
        if not settled:
            return
        with self._lock:
            if key not in table and len(table) < MAX_PARTS_PER_KIND:
                table[key] = part
                kind = self._of_table[id(table)]
                kind.added = True
                kind.asked.add(key)

    def save(self) -> None:
        """Write back the tables this run added to (a folder that cannot be written
        keeps nothing: engine/entry_folder.py)."""
        for key, kind in sorted(self._kinds.items()):
            if not kind.added:
                continue
            table = kind.table
            if len(table) > 2 * len(kind.asked):
                table = {k: table[k] for k in kind.asked if k in table}
            entry_folder.store(self._folder, key, dict(sorted(table.items())), MAX_KINDS)
            kind.added = False
