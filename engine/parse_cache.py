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
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from engine.model.documents import Document

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


class ParseCache(ABC):
    """Where parsed files are kept between contexts; safe to use from several threads."""

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

    def __init__(self) -> None:
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
