"""Parsed files kept by what their content is, so that the same bytes are parsed once.

A snapshot says what a file's content is (`Snapshot.content_id`: a git blob
id), and the parse of those bytes as one format is the same whichever path
holds them and whichever commit they come from. So the context looks a file
up here, by (content id, format), before it parses it, and stores what it
parsed. Entries never hold a path: a blob moves between commits, and one
entry serves every path that holds it.

`MemoryParseCache` lives for one process and may be shared by many contexts
(`policy history` evaluates many commits of one repository, one context
each): pass the same instance in each context's `EvaluationOptions`.

Every cache also keeps, in memory only, the texts that content checks read
(`texts`), what is derived from a file's bytes alone (`derived`), and what a
check made of one file, by the file's path and content (`parts`: a manifest
check's documents selected and judged): a history reads the same unchanged
files at every commit, and one request to git per file per commit costs more
than judging them, as judging them again costs more than looking them up.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from engine.model.documents import Document

T = TypeVar("T")

#: What an entry is looked up by: (content id, format name).
ParseKey = tuple[str, str]


@dataclass(frozen=True)
class CachedParse:
    """What parsing some bytes as one format gave, without the path that held them.

    `note` is the decoding note (text that is not valid UTF-8), `error` the
    parse error's (message, line, column) when the text does not parse.
    """

    size: int
    note: str | None = None
    documents: tuple[Document, ...] = ()
    error: tuple[str, int | None, int | None] | None = None


@dataclass(frozen=True)
class CachedText:
    """A file's text as a content check reads it (engine.texts.decode_text), without its
    path: `note` is the decoding note's message."""

    text: str | None
    note: str | None
    size: int


#: The most text (in characters) a cache keeps in memory; past it, texts are read again.
MAX_TEXT_CHARS = 256 * 1024 * 1024


class TextMemo:
    """Texts by content id, for as long as the cache lives; safe from several threads."""

    def __init__(self, max_chars: int = MAX_TEXT_CHARS) -> None:
        self._texts: dict[str, CachedText] = {}
        self._chars = 0
        self._max_chars = max_chars
        self._lock = threading.Lock()

    def get(self, content_id: str) -> CachedText | None:
        """The text kept for `content_id`, or None."""
        return self._texts.get(content_id)

    def put(self, content_id: str, text: CachedText) -> None:
        """Keep a text, unless the memo is full."""
        chars = len(text.text or "")
        with self._lock:
            if content_id not in self._texts and self._chars + chars <= self._max_chars:
                self._texts[content_id] = text
                self._chars += chars


#: The most values a cache derives from contents and keeps in memory (`derived`).
MAX_DERIVED = 20_000


#: The most parts of files a cache keeps for the checks that judged them (`parts`).
MAX_PARTS = 500_000


class DerivedMemo:
    """Values computed from a file's bytes alone (a YAML file built again with positions,
    for the lines of findings), by (what, content id); safe from several threads."""

    def __init__(self, max_values: int = MAX_DERIVED) -> None:
        self._values: dict[tuple[Hashable, str], Any] = {}
        self._max_values = max_values
        self._lock = threading.Lock()

    def get(
        self,
        what: Hashable,
        content_id: str,
        compute: Callable[[], T],
        keep: Callable[[], bool] = lambda: True,
    ) -> T:
        """The value kept for (what, content id), else `compute()`, kept while there is room
        and `keep()` says, once computed, that it came from those bytes."""
        key = (what, content_id)
        if key in self._values:
            value: T = self._values[key]
            return value
        value = compute()
        if keep():
            with self._lock:
                if len(self._values) < self._max_values:
                    self._values[key] = value
        return value


class PartTables:
    """What checks made of single files, for the evaluations sharing a cache (a
    history's commits): one table per kind of part (`what` names a check's way of
    judging a file), by (path, content id). At most `max_values` parts in all."""

    def __init__(self, max_values: int = MAX_PARTS) -> None:
        self._tables: dict[Hashable, dict[tuple[str, str], Any]] = {}
        self._count = 0
        self._max_values = max_values
        self._lock = threading.Lock()

    def table(self, what: Hashable) -> dict[tuple[str, str], Any]:
        """The parts of one kind, by (path, content id): look up in it, keep with `keep`."""
        with self._lock:
            return self._tables.setdefault(what, {})

    def __len__(self) -> int:
        return self._count

    def earlier_runs(self) -> bool:
        """Whether earlier runs kept parts here (tables kept between runs say; those of
        one process are always worth keeping parts in)."""
        return True

    def asked(self, table: dict[tuple[str, str], Any], keys: Iterable[tuple[str, str]]) -> None:
        """Note the keys a run looked up in `table` (what a table kept between runs
        keeps when it grows: engine/kept_parts.py); nothing here."""

    def keep(
        self, table: dict[tuple[str, str], Any], found: Iterable[tuple[tuple[str, str], Any, bool]]
    ) -> None:
        """Keep parts (by key, each with whether it is `settled`) in one of the tables,
        while there is room left. A part that is not `settled` (a regex gave up) is kept
        for this process's evaluations alone."""
        with self._lock:
            for key, part, _settled in found:
                if self._count < self._max_values and key not in table:
                    table[key] = part
                    self._count += 1


#: How many listings a shared cache keeps the file sets' selections of (`selections`).
KEPT_LISTINGS = 4


class SelectionMemo:
    """What file sets selected in the last few listings seen, for the evaluations sharing
    a cache: a history's commits mostly list the same paths, and comparing two lists
    costs far less than matching every glob over one again."""

    def __init__(self, kept: int = KEPT_LISTINGS) -> None:
        self._recent: list[tuple[tuple[str, ...], dict[Any, Any]]] = []
        self._kept = kept
        self._lock = threading.Lock()

    def for_listing(self, paths: tuple[str, ...]) -> dict[Any, Any]:
        """The selections made over exactly these paths (look up and add to it)."""
        with self._lock:
            for i, (listing, table) in enumerate(self._recent):
                if listing == paths:
                    self._recent.insert(0, self._recent.pop(i))
                    return table
            table = {}
            self._recent.insert(0, (paths, table))
            del self._recent[self._kept :]
            return table


class ParseCache(ABC):
    """Where parsed files are kept between contexts; safe to use from several threads.

    `keeps_parts` is false for a cache that serves one evaluation: the parts of
    files and the file sets' selections would only be looked up by another one
    (`parts` and `selections` are then None; a cache kept on disk still keeps the
    parts of content checks for the next run, in `kept_parts`).
    """

    def __init__(self, keeps_parts: bool = True) -> None:
        self.texts = TextMemo()
        self.derived = DerivedMemo()
        self.parts = PartTables() if keeps_parts else None
        self.selections = SelectionMemo() if keeps_parts else None
        # Parts of the kinds small enough to keep between runs (engine/kept_parts.py),
        # for a cache that serves one evaluation and has a folder to keep them in.
        self.kept_parts: PartTables | None = None

    @abstractmethod
    def get_many(self, keys: Iterable[ParseKey]) -> dict[ParseKey, CachedParse]:
        """The entries kept for those of `keys` that have one."""

    @abstractmethod
    def put_many(self, entries: Mapping[ParseKey, CachedParse]) -> None:
        """Keep these entries (replacing any kept under the same key)."""

    def get(self, key: ParseKey) -> CachedParse | None:
        """The entry kept for one key, or None."""
        return self.get_many((key,)).get(key)

    def put(self, key: ParseKey, entry: CachedParse) -> None:
        """Keep one entry."""
        self.put_many({key: entry})

    def close(self) -> None:  # noqa: B027 - a cache in memory has nothing to write out
        """Write out what is pending and release what the cache holds."""


class MemoryParseCache(ParseCache):
    """Entries kept in this process, for as long as the cache object lives."""

    def __init__(self, keeps_parts: bool = True) -> None:
        super().__init__(keeps_parts)
        self._entries: dict[ParseKey, CachedParse] = {}
        self._lock = threading.Lock()

    def get_many(self, keys: Iterable[ParseKey]) -> dict[ParseKey, CachedParse]:
        with self._lock:
            entries = self._entries
            return {key: entries[key] for key in keys if key in entries}

    def put_many(self, entries: Mapping[ParseKey, CachedParse]) -> None:
        with self._lock:
            self._entries.update(entries)

    def __len__(self) -> int:
        return len(self._entries)


@contextmanager
def closing_cache(cache: ParseCache | None) -> Iterator[ParseCache | None]:
    """`cache` (or no cache), closed on exit however the block ends."""
    try:
        yield cache
    finally:
        if cache is not None:
            cache.close()
