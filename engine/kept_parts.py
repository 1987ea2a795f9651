"""Parts of files kept between runs, for the checks whose parts are small.

A pre-commit hook meets an index with one file changed. Every content rule
whose files include it is judged again (engine/verdicts.py keeps an outcome
only while the files its rule read keep their blob ids), yet each other file
gives that rule what it gave the run before: reading all of them again and
searching each costs most of such a run. So a content check's part of a file
(engine/checks/file.py, `_TextPart`: whether its regexes match) and a manifest
check's (engine/checks/manifest.py, `_Part`: what it judged and found) are
kept here, by the file's path and content id, as `PartTables` keeps it for the commits of
one history, and the next run reads only the files that changed.

- One pickle per place (the snapshot's root folder) and engine version
  (engine/entry_folder.py, in the parse cache's folder, `parts/`), holding one
  table per kind of part, named by the kind's repr: a check that changes (another
  regex) is another kind. One file, read once and written once: a run that judges
  rules again adds to the table of each rule reading the changed file, and a
  path and blob id shared by the tables are pickled once.
- Only parts that settle are kept: a regex that gave up on a text is tried
  again next run (`keep`'s `settled`).
- The file is written back only when the run added to it. A table past twice
  what the run asked of it keeps only those parts (the parts of files since
  edited or removed go); the tables of kinds the run did not ask for (another
  pack's) are kept as they were, after this run's, up to MAX_KINDS.
- Manifest parts are kept without the documents they judged (a check whose
  `schema` or `assert_all` reads them again keeps none), and only from the second
  run over a place on (`earlier_runs`): keeping them costs a tenth of a first run
  over 100,000 files, which a CI job with an empty cache folder would pay for
  nothing. Content checks' parts, a few bytes each, are kept from the first run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any

from engine import entry_folder
from engine.parse_cache import PartTables

#: The folder, inside the parse cache's, that holds the places' tables.
FOLDER = "parts"
#: Places (snapshot roots) kept at most; past it, the least recently written go.
MAX_PLACES = 64
#: Kinds (a pack's checks) a place keeps at most.
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
    """`PartTables` read from and written back to `folder`, for one evaluation of the
    snapshot at `place`; `kind`'s repr (plain data: patterns, flags, sizes) names its
    table."""

    def __init__(self, folder: Path, version: str, place: str) -> None:
        super().__init__()
        self._folder = folder
        self._key = hashlib.sha256(f"{version}\0{place}".encode()).hexdigest()
        self._stored: dict[str, dict[PartKey, Any]] | None = None  # read when first asked
        self._found = False  # whether an earlier run left the place's file
        self._kinds: dict[str, _Kind] = {}  # by the kind's repr
        self._of_table: dict[int, _Kind] = {}  # by id(table): the callers hold tables

    def _read(self) -> dict[str, dict[PartKey, Any]]:
        with self._lock:
            if self._stored is None:
                found = entry_folder.load(self._folder, self._key, dict)
                self._found = found is not None
                self._stored = found or {}
            return self._stored

    def earlier_runs(self) -> bool:
        """Whether an earlier run over the place left its file (which a first run writes,
        empty if need be, to say the place is run again)."""
        self._read()
        return self._found

    def table(self, what: Hashable) -> dict[PartKey, Any]:
        name = repr(what)
        stored = self._read()
        with self._lock:
            kind = self._kinds.get(name)
            if kind is None:
                kind = self._kinds[name] = _Kind(stored.get(name, {}))
                self._of_table[id(kind.table)] = kind
        return kind.table

    def asked(self, table: dict[PartKey, Any], keys: Iterable[PartKey]) -> None:
        with self._lock:
            self._of_table[id(table)].asked.update(keys)

    def keep(self, table: dict[PartKey, Any], found: Iterable[tuple[PartKey, Any, bool]]) -> None:
        with self._lock:
            kind = self._of_table[id(table)]
            for key, part, settled in found:
                if settled and key not in table and len(table) < MAX_PARTS_PER_KIND:
                    table[key] = part
                    kind.added = True
                    kind.asked.add(key)

    def save(self) -> None:
        """Write the place's tables back when this run added to one, or when it found no
        file for the place (a folder that cannot be written keeps nothing:
        engine/entry_folder.py)."""
        if not any(kind.added for kind in self._kinds.values()):
            # (a run that judged nothing again never read the file: it only looks)
            found = (
                self._found
                if self._stored is not None
                else entry_folder.exists(self._folder, self._key)
            )
            if found:
                return
        tables: dict[str, dict[PartKey, Any]] = {}
        for name, kind in self._kinds.items():
            table = kind.table
            if len(table) > 2 * len(kind.asked):
                table = {k: table[k] for k in kind.asked if k in table}
            tables[name] = table
            kind.added = False
        for name, table in (self._stored or {}).items():
            if len(tables) >= MAX_KINDS:
                break
            tables.setdefault(name, table)
        entry_folder.store(self._folder, self._key, tables, MAX_PLACES)
