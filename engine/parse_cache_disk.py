"""The parse cache kept between runs: one SQLite file in the user cache folder.

Loading a kept entry takes about a tenth of parsing the file again (the
benchmark's Kubernetes manifests: 16 ms to unmarshal 2,000 files against
164 ms for the YAML loader), so a second run over unchanged files skips
nearly all of its parsing. Entries are marshalled plain data, as parse
workers send them (engine/parse_pool.py says why marshal).

- Two processes may use it at once: SQLite locks the file, and a writer that
  waits too long skips its writes (the cache is only ever a shortcut).
- A corrupt entry is a miss and is dropped; a file that is not a database
  is replaced by a new one; a cache folder that cannot be written is no cache.
- Entries are keyed by the engine's code version (engine/code_version.py)
  as well as content id and format: no engine reads another's entries.
- The file is kept under a size bound: past it, the entries used longest
  ago go first (use is recorded by the day, so a warm run writes nothing).
- A run that only ever asks for a few files at once (a small repository)
  never opens the file: opening it costs more than parsing them again.
"""

from __future__ import annotations

import marshal
import os
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.model.documents import Document
from engine.parse_cache import CachedParse, MemoryParseCache, ParseCache, ParseKey

if TYPE_CHECKING:
    import sqlite3

    from engine.kept_parts import KeptParts

#: The cache's file, in the `parse` cache folder.
FILE_NAME = "parse-cache.sqlite3"
#: Set to a number of MiB to bound the cache file; 0 turns the cache off.
MAX_MIB_VARIABLE = "RULEPACK_PARSE_CACHE_MIB"
DEFAULT_MAX_MIB = 512
#: Pending entries are written in one transaction once there are this many.
WRITE_BATCH = 5000
#: Keys per query (fewer if the SQLite in use allows fewer parameters): 20,000 keys
#: read in 500s took 0.13 s, in 4,000s 0.10 s.
READ_BATCH = 4000
#: Rows per statement written (fewer if the SQLite in use allows fewer parameters).
ROWS_PER_STATEMENT = 4000
#: How long a writer waits for another process's transaction, in milliseconds.
BUSY_MS = 2000
#: The file is used from the first time this many files are asked for or kept at
#: once (opening it takes about as long as parsing 30 small manifests).
MIN_BATCH = 32

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    size INTEGER NOT NULL,
    used INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_used ON entries (used);
"""


def max_bytes_from(environ: Mapping[str, str]) -> int:
    """The size bound the environment asks for (0: no persistent cache)."""
    text = environ.get(MAX_MIB_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MAX_MIB * 1024 * 1024
    from engine.errors import InputError

    try:
        mib = float(text)
    except ValueError:
        raise InputError(f"{MAX_MIB_VARIABLE} must be a number of MiB, not {text!r}") from None
    if mib < 0:
        raise InputError(f"{MAX_MIB_VARIABLE} must be a number of MiB, not {text!r}")
    return int(mib * 1024 * 1024)


def encode(entry: CachedParse) -> bytes | None:
    """An entry as bytes to keep, or None for data marshal cannot write (nested too deep)."""
    documents = [(d.index, d.line, d.data) for d in entry.documents]
    try:
        return marshal.dumps((entry.size, entry.note, documents, entry.error))
    except ValueError:
        return None


def decode(value: bytes) -> CachedParse | None:
    """A kept entry, or None when the bytes are not one (a corrupt or foreign entry)."""
    try:
        size, note, documents, error = marshal.loads(value)
        entry = CachedParse(
            size, note, tuple(Document(i, line, data) for i, line, data in documents), error
        )
    except (ValueError, TypeError, EOFError):
        return None
    if not _well_formed(entry):
        return None
    return entry


def _well_formed(entry: CachedParse) -> bool:
    error = entry.error
    return (
        isinstance(entry.size, int)
        and (entry.note is None or isinstance(entry.note, str))
        and all(isinstance(d.index, int) and isinstance(d.line, int) for d in entry.documents)
        and (
            error is None
            or (
                isinstance(error, tuple)
                and len(error) == 3
                and isinstance(error[0], str)
                and all(x is None or isinstance(x, int) for x in error[1:])
            )
        )
    )


def _today() -> int:
    return int(time.time() // 86400)


class DiskParseCache(ParseCache):
    """The persistent parse cache in `folder` (created on first write), holding at most
    about `max_bytes`. What it read or stored is also kept in memory, so that many
    contexts in one process (a history run) find it without asking the file again."""

    def __init__(
        self, folder: Path, version: str, max_bytes: int, keeps_parts: bool = True, place: str = ""
    ) -> None:
        super().__init__(keeps_parts)
        self._path = folder / FILE_NAME
        self._version = version
        self._max_bytes = max_bytes
        self._memory = MemoryParseCache(keeps_parts=False)
        self._pending: dict[str, bytes] = {}
        self._stale: set[str] = set()  # keys read today whose use is recorded on an older day
        self._missed: set[ParseKey] = set()  # asked for and not found: not asked for again
        self._lock = threading.Lock()  # held to use `_connection` (reads) and the sets
        self._connection: sqlite3.Connection | None = None
        self._write_lock = threading.Lock()  # held while writing, on a connection of its own
        self._writers: list[threading.Thread] = []
        self._broken = False  # the file could not be opened or used: no cache this run
        self._in_use = False  # a batch of MIN_BATCH files was asked for or kept
        self._kept: KeptParts | None = None
        if not keeps_parts:
            from engine.kept_parts import FOLDER, KeptParts

            self.kept_parts = self._kept = KeptParts(folder / FOLDER, version, place)

    # -- the interface --------------------------------------------------------------

    def get_many(self, keys: Iterable[ParseKey]) -> dict[ParseKey, CachedParse]:
        wanted = list(keys)
        found = self._memory.get_many(wanted)
        missing = [key for key in wanted if key not in found and key not in self._missed]
        if missing and self._worth_the_file(len(missing)):
            read = self._read(missing)
            self._memory.put_many(read)
            found.update(read)
            with self._lock:
                self._missed.update(key for key in missing if key not in read)
        return found

    def put_many(self, entries: Mapping[ParseKey, CachedParse]) -> None:
        self._memory.put_many(entries)
        if not self._worth_the_file(len(entries)):
            return
        with self._lock:
            for key, entry in entries.items():
                value = encode(entry)
                if value is not None:
                    self._pending[self._row_key(key)] = value
            full = len(self._pending) >= WRITE_BATCH
        if full:
            # Written meanwhile, on another thread: SQLite lets go of the GIL while it
            # writes, so the run goes on judging documents on the other core.
            writer = threading.Thread(target=self._write, name="parse cache", daemon=True)
            with self._lock:
                self._writers.append(writer)
            writer.start()

    def close(self) -> None:
        """Write what is pending, record today's use, keep the file under its bound."""
        with self._lock:
            writers, self._writers = self._writers, []
        for writer in writers:
            writer.join()
        self._write()
        if self._kept is not None:
            self._kept.save()
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # -- the file -------------------------------------------------------------------

    def _worth_the_file(self, count: int) -> bool:
        """Whether asking for or keeping `count` files at once uses the file: from the
        first batch of MIN_BATCH on, every one does."""
        with self._lock:
            self._in_use = self._in_use or count >= MIN_BATCH
            return self._in_use

    def _row_key(self, key: ParseKey) -> str:
        content_id, format_name = key
        return f"{self._version}\0{format_name}\0{content_id}"

    def _read(self, keys: list[ParseKey]) -> dict[ParseKey, CachedParse]:
        import sqlite3

        by_row = {self._row_key(key): key for key in keys}
        rows = list(by_row)
        found: dict[ParseKey, CachedParse] = {}
        corrupt: list[str] = []
        today = _today()
        with self._lock:
            connection = self._open(create=False)
            if connection is None:
                return found
            try:
                most = connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
                step = max(1, min(READ_BATCH, most))
                for start in range(0, len(rows), step):
                    batch = rows[start : start + step]
                    marks = ",".join("?" * len(batch))
                    query = f"SELECT key, value, used FROM entries WHERE key IN ({marks})"
                    for row_key, value, used in connection.execute(query, batch):
                        entry = decode(value) if isinstance(value, bytes) else None
                        if entry is None:
                            corrupt.append(row_key)
                            continue
                        found[by_row[row_key]] = entry
                        if used != today:
                            self._stale.add(row_key)
            except sqlite3.Error:
                self._give_up()
                return {}
        if corrupt:
            self._drop(corrupt)
        return found

    def _drop(self, row_keys: list[str]) -> None:
        self._transaction(
            lambda connection: connection.executemany(
                "DELETE FROM entries WHERE key = ?", [(k,) for k in row_keys]
            )
        )

    def _write(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            stale, self._stale = self._stale, set()
        if not pending and not stale:
            return
        today = _today()

        def write(connection: sqlite3.Connection) -> None:
            # In key order: inserting into the key's B-tree in order writes each page
            # once, where blob ids in arrival order touch pages at random (3x slower).
            rows = [(k, v, len(k) + len(v), today) for k, v in sorted(pending.items())]
            _in_statements(
                connection,
                "INSERT OR REPLACE INTO entries (key, value, size, used) VALUES {}",
                rows,
                4,
            )
            _in_statements(
                connection,
                f"UPDATE entries SET used = {int(today)} WHERE key IN ({{}})",
                [(k,) for k in sorted(stale)],
                1,
            )
            if pending:
                self._evict(connection)

        self._transaction(write)

    def _evict(self, connection: sqlite3.Connection) -> None:
        """Drop the entries used longest ago until the pages the file's entries take fit
        its bound with a tenth to spare (so that eviction does not run on every write)."""
        # Whether it is over, from the page counts in the file's header: summing the
        # entries' sizes on every write read the whole file (0.7 s for a full cache of
        # 300 MiB from disk). Once over, the sum says how much of the pages they fill.
        (pages,) = connection.execute("PRAGMA page_count").fetchone()
        (free,) = connection.execute("PRAGMA freelist_count").fetchone()
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
        in_pages = (pages - free) * page_size
        if in_pages <= self._max_bytes:
            return
        (total,) = connection.execute("SELECT coalesce(sum(size), 0) FROM entries").fetchone()
        target = total - total * (self._max_bytes * 9 // 10) // in_pages
        doomed: list[tuple[str]] = []
        freed = 0
        for key, size in connection.execute("SELECT key, size FROM entries ORDER BY used, key"):
            if freed >= target:
                break
            doomed.append((key,))
            freed += size
        connection.executemany("DELETE FROM entries WHERE key = ?", doomed)

    def _transaction(self, work: Any) -> None:
        import sqlite3

        with self._write_lock:
            connection = None if self._broken else self._connect()
            if connection is None:
                return
            try:
                with connection:  # one transaction: committed, or rolled back on error
                    connection.execute("BEGIN IMMEDIATE")
                    work(connection)
            except sqlite3.OperationalError:
                pass  # another process held the file too long: these writes are skipped
            except sqlite3.Error:
                self._broken = True
            finally:
                connection.close()

    def _open(self, create: bool) -> sqlite3.Connection | None:
        """The reading connection, opened on first need (the caller holds the lock); None
        when there is no usable file (not made yet and `create` false, or broken)."""
        if self._connection is not None or self._broken:
            return self._connection
        if not create and not self._path.exists():
            return None
        self._connection = self._connect()
        return self._connection

    def _connect(self) -> sqlite3.Connection | None:
        """A new connection to the file, made if need be; None (and no cache from then
        on) when it cannot be."""
        import sqlite3

        for attempt in range(2):
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                # Used from several threads (command rules run on `--jobs` threads),
                # always under one of the locks.
                connection = sqlite3.connect(
                    self._path,
                    timeout=BUSY_MS / 1000,
                    isolation_level=None,
                    check_same_thread=False,
                )
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.executescript(_SCHEMA)
            except sqlite3.DatabaseError:
                if attempt == 0 and self._replace_broken_file():
                    continue
                self._broken = True
                return None
            except OSError:
                self._broken = True
                return None
            return connection
        return None

    def _replace_broken_file(self) -> bool:
        """Remove a cache file that is not a database (it is only a cache); whether done."""
        try:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self._path}{suffix}").unlink(missing_ok=True)
        except OSError:
            return False
        return True

    def _give_up(self) -> None:
        """Stop using a file that fails mid-run (the caller holds the lock)."""
        self._broken = True
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _in_statements(
    connection: sqlite3.Connection, template: str, rows: list[tuple[Any, ...]], width: int
) -> None:
    """Run `template` over `rows` a few thousand at a time, each statement taking many
    rows (`{}` becomes their placeholders: `(?, ?), (?, ?)` when `width` is 2, `?, ?`
    when it is 1). SQLite lets go of the GIL while a statement runs, so few statements
    run on the other core while the run goes on judging; one statement per row (as
    `executemany`) waits for the GIL between rows, and so waits for the run."""
    import sqlite3

    most = connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width
    step = max(1, min(ROWS_PER_STATEMENT, most))
    one = "?" if width == 1 else "(" + ", ".join("?" * width) + ")"
    for start in range(0, len(rows), step):
        batch = rows[start : start + step]
        marks = ", ".join([one] * len(batch))
        connection.execute(template.format(marks), [value for row in batch for value in row])


def open_parse_cache(
    environ: Mapping[str, str] | None = None, keeps_parts: bool = True, place: str = ""
) -> ParseCache | None:
    """The user's persistent parse cache, or None when the environment turns it off
    (`keeps_parts`: see `ParseCache`; a cache serving one evaluation keeps the parts of
    files of the snapshot at `place` between runs: engine/kept_parts.py)."""
    from engine.code_version import code_version
    from engine.folders import cache_dir

    max_bytes = max_bytes_from(os.environ if environ is None else environ)
    if max_bytes == 0:
        return None
    return DiskParseCache(cache_dir("parse"), code_version(), max_bytes, keeps_parts, place)
