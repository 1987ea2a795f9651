"""The evaluation context: one run's snapshot, options and caches.

Checks reach files only through the context, which is how every file is
listed once, read once and parsed once per run however many rules use it.
Caches live here, never in module globals. Command rules may run on several
threads (`--jobs`), so each cache is a map of once-cells (engine.once): a key
is computed by the first thread that asks, and no lock is held meanwhile.

The context also notes which files' contents an evaluation reads (`reads`):
every method that gives a check something made of a file's bytes names the
file, and a value computed once per run (`memo`) carries the files its compute
read to every caller. A rule's outcome then depends on the listing and on the
bytes of those files alone, which is what lets it be kept for other snapshots
with the same listing (engine/verdicts.py).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

from engine.errors import InputError
from engine.formats import ParseError, parse_text
from engine.globs import FileIndex, matching
from engine.interrupts import result_of, shielded
from engine.model.documents import Document
from engine.model.packs import Check, FileSet
from engine.model.results import Note, Outcome
from engine.model.snapshots import Unreadable
from engine.once import Claim, Once, OnceMap
from engine.parse_cache import CachedParse, CachedText, ParseCache, ParseKey, PartTables
from engine.parse_pool import PARALLEL_MINIMUM, ParseJob
from engine.process import RunningPrograms
from engine.snapshots.base import Snapshot
from engine.texts import DEFAULT_MAX_BYTES, TextFile, decode_text, too_big

T = TypeVar("T")


@dataclass(frozen=True)
class ParsedFile:
    """A file read as a manifest format: its documents, or the parse error."""

    path: str
    documents: tuple[Document, ...] = ()
    error: ParseError | None = None
    note: Note | None = None
    size: int = 0


class FileParts:
    """What checks of one kind made of each file a file set selects in this run, kept
    across the evaluations sharing a parse cache by the file's path and content id.
    A file whose content id the snapshot does not know is never kept."""

    def __init__(
        self,
        tables: PartTables,
        table: dict[tuple[str, str], Any],
        paths: Sequence[str],
        ids: Sequence[str | None],
        read_as_listed: Callable[[str, str], bool],
    ) -> None:
        self._tables = tables
        self._table = table
        self._paths = paths
        self._ids = ids
        self._read_as_listed = read_as_listed

    def kept(self) -> list[Any | None]:
        """The part kept for each file, in order (None: none kept)."""
        # No part is kept under a None content id (`keep`): looked up in C, file by file.
        lookup = cast(Callable[[tuple[str, str | None]], Any], self._table.get)
        keys = list(zip(self._paths, self._ids, strict=True))
        self._tables.asked(self._table, cast(list[tuple[str, str]], keys))
        return list(map(lookup, keys))

    def keep(self, found: Iterable[tuple[int, Any, bool]]) -> None:
        """Keep the parts made of the files at these indices, each with whether it is
        `settled`; a part must depend on its file's path and bytes and on this kind alone.
        Not when the file could not be read (that failure is not the file's: another
        snapshot with the same blob may read it) or was found edited since it was listed
        (`EvaluationContext.read_as_listed`). One not `settled` (a regex gave up on it) is
        not kept between runs."""
        ids, paths, as_listed = self._ids, self._paths, self._read_as_listed
        keys: list[tuple[tuple[str, str], Any, bool]] = []
        for i, part, settled in found:
            content_id, path = ids[i], paths[i]
            if content_id is not None and as_listed(path, content_id):
                keys.append(((path, content_id), part, settled))
        self._tables.keep(self._table, keys)


def _from_cache(path: str, entry: CachedParse) -> ParsedFile:
    """A kept parse as the file at `path`."""
    note = Note(path, entry.note) if entry.note is not None else None
    error = ParseError(*entry.error) if entry.error is not None else None
    return ParsedFile(path, entry.documents, error, note, entry.size)


def _was_parsed(parsed: ParsedFile) -> bool:
    """Whether the file's text was parsed (else it was not read: binary, too big)."""
    # A file not read always has a note; one that parsed to nothing with a note of
    # invalid UTF-8 is not kept either, which costs a parse, never a wrong answer.
    return bool(parsed.documents) or parsed.error is not None or parsed.note is None


def _to_cache(parsed: ParsedFile) -> CachedParse:
    """A parse to keep, without its path."""
    error = parsed.error
    return CachedParse(
        parsed.size,
        parsed.note.message if parsed.note is not None else None,
        parsed.documents,
        (error.message, error.line, error.column) if error is not None else None,
    )


#: Tests and benchmarks set this to parse in worker processes from that many files on
#: (1 forces it, a large number turns it off); it is not meant for everyday use.
PARALLEL_MINIMUM_VARIABLE = "RULEPACK_PARALLEL_MINIMUM"


def _parallel_minimum() -> int:
    text = os.environ.get(PARALLEL_MINIMUM_VARIABLE)
    if text is None:
        return PARALLEL_MINIMUM
    try:
        return int(text)
    except ValueError:
        message = f"{PARALLEL_MINIMUM_VARIABLE} must be a whole number, not {text!r}"
        raise InputError(message) from None


@dataclass
class EvaluationOptions:
    """How a run treats commands, and how many processes may parse files.

    `trust_repo`: the evaluated repository chooses programs that run (its own
    packs' command rules, a rule's `untrusted_when`); off, those rules are skipped.
    `results`: test reports outside the snapshot (`--results`), which `tests` checks
    read beside the reports they find in it; never written.
    `parse_cache`: parsed files kept by content id (engine.parse_cache), consulted
    before parsing; one cache may serve many contexts. The caller closes it.
    `verdicts`: the folder where static rules' outcomes are kept between runs
    (engine/verdicts.py); None: every rule is judged.
    """

    no_commands: bool = False
    trust_repo: bool = False
    jobs: int = 1
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    parse_workers: int = field(default_factory=lambda: min(4, os.cpu_count() or 1))
    parallel_minimum: int = field(default_factory=_parallel_minimum)
    results: tuple[Path, ...] = ()
    parse_cache: ParseCache | None = None
    verdicts: Path | None = None


def _left_out_by(paths: Collection[str], globs: Sequence[str], what: str) -> str:
    """`3 files left out by exclude: **/templates/**`, naming the globs that match."""
    used = [glob for glob in globs if matching(paths, (glob,))]
    files = "1 file" if len(paths) == 1 else f"{len(paths)} files"
    return f"{files} left out by {what}: {', '.join(used)}"


class EvaluationContext:
    """Shared state of one evaluation over one snapshot."""

    def __init__(
        self,
        snapshot: Snapshot,
        evaluate_check: Callable[[Check, EvaluationContext], Outcome],
        options: EvaluationOptions | None = None,
        exclude: tuple[str, ...] = (),
    ) -> None:
        """`evaluate_check` is the check registry's dispatch (engine.checks), handed in
        so that the context, which every check uses, does not depend on the checks."""
        self.snapshot = snapshot
        self._evaluate_check = evaluate_check
        self.options = options or EvaluationOptions()
        self._exclude = exclude
        # Each cache computes a key once, on the thread that asks first, holding no
        # lock: command rules on other threads wait only for the keys they need.
        self._index: Once[FileIndex] = Once()
        self._folder_index: Once[FileIndex] = Once()  # folders as paths, for `in_each`
        self._selections: OnceMap[FileSet, tuple[str, ...]] = OnceMap()
        self._shared_selections: Once[dict[Any, Any] | None] = Once()
        self._content_ids: dict[str, str | None] = {}
        self._texts: OnceMap[str, TextFile] = OnceMap()
        self._parsed: OnceMap[tuple[str, str], ParsedFile] = OnceMap()
        self._memo: OnceMap[Any, Any] = OnceMap()
        self._workdir: Once[Path] = Once()
        self._pool: Once[Any] = Once()  # worker processes for `prefetch`, started on first need
        self._stack = ExitStack()
        self._stack_lock = threading.Lock()  # held only to add to what `close` releases
        self.running = RunningPrograms()  # programs started by checks, for Ctrl-C
        # Set when something may go otherwise on another run over the same files (a regex
        # gave up for lack of time, a file or a report could not be read): no verdict is kept.
        self.unsettled = False
        self._not_read: set[str] = set()  # files whose reading failed in this run
        # The files each memo's compute read, and each thread's open `reads` (innermost last).
        self._memo_reads: dict[Any, frozenset[str]] = {}
        self._readers = threading.local()

    # -- what an evaluation reads ----------------------------------------------------

    @contextmanager
    def reads(self) -> Iterator[set[str]]:
        """The paths whose contents what runs inside reads, through this context (also
        those a memo's compute read when first computed). Nested: an inner `reads`
        also adds to the outer ones when it ends."""
        stack: list[set[str]] | None = getattr(self._readers, "stack", None)
        if stack is None:
            stack = self._readers.stack = []
        found: set[str] = set()
        stack.append(found)
        try:
            yield found
        finally:
            stack.pop()
            if stack:
                stack[-1].update(found)

    def _reading(self, paths: Iterable[str]) -> None:
        """Note that the contents of `paths` are being read (when anything listens)."""
        stack = getattr(self._readers, "stack", None)
        if stack:
            stack[-1].update(paths)

    # -- files -------------------------------------------------------------------

    @property
    def index(self) -> FileIndex:
        return self._index.get(self._list_files)

    def _list_files(self) -> FileIndex:
        files = self.snapshot.files()
        if self._exclude:
            dropped = matching(files, self._exclude)
            files = tuple(p for p in files if p not in dropped)
        return FileIndex(files)

    def select(self, files: FileSet) -> tuple[str, ...]:
        """Paths the file set selects, sorted."""
        return self._selections.get(files, lambda: self._select(files))

    def _select(self, files: FileSet) -> tuple[str, ...]:
        return self._of_listing(files, lambda: self.index.select(files.include, files.exclude))

    def of_listing(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, a value that depends on the listing alone (what globs select in
        it, the formats of what they select), once per run and shared with the
        evaluations sharing this run's parse cache that saw the same listing."""
        return self.memo(("of listing", key), lambda: self._of_listing(key, compute))

    def _of_listing(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, a value that depends on the listing alone (what globs select in
        it), shared with the evaluations sharing this run's parse cache that saw the
        same listing."""
        shared = self._shared_selections.get(self._find_shared_selections)
        if shared is None:
            return compute()
        found: T | None = shared.get(key)
        if found is None:
            found = shared[key] = compute()
        return found

    def _find_shared_selections(self) -> dict[Any, Any] | None:
        """The selections that evaluations sharing this run's parse cache made over the
        same listing (a history's commits), to add to; None in one evaluation."""
        cache = self.options.parse_cache
        memo = cache.selections if cache is not None else None
        return memo.for_listing(self.index.paths) if memo is not None else None

    def content_ids(self, paths: Sequence[str]) -> list[str | None]:
        """`Snapshot.content_id` of each path, looked up once per run."""
        self._reading(paths)
        known = self._content_ids
        content_id = self.snapshot.content_id
        for path in [path for path in paths if path not in known]:
            known[path] = content_id(path)
        return list(map(known.__getitem__, paths))

    def no_file_matches(self, files: FileSet) -> str:
        """Why a file set selects nothing, naming the excludes that left matching files
        out: `no file matches k8s/**/*.yaml (3 files left out by exclude: **/templates/**)`."""
        left_out = self.memo(("left out", files), lambda: self._left_out(files))
        return f"no file matches {files.describe()}{left_out}"

    def _left_out(self, files: FileSet) -> str:
        """` (N files left out by exclude: GLOBS; M files left out by the config's
        exclude: GLOBS)` for the files `files` would select but for excludes, or ""."""
        parts = []
        unexcluded = self.index.select(files.include)
        if unexcluded:
            parts.append(_left_out_by(unexcluded, files.exclude, "exclude"))
        if self._exclude:
            dropped = self.memo(
                "excluded by the config", lambda: matching(self.snapshot.files(), self._exclude)
            )
            hidden = matching(dropped, files.include)
            if hidden:
                parts.append(_left_out_by(hidden, self._exclude, "the config's exclude"))
        return f" ({'; '.join(parts)})" if parts else ""

    def first(self, files: FileSet) -> str | None:
        """One path the file set selects (of the first glob that selects one), found
        without listing them all."""
        if self._selections.peek(files) == ():
            return None
        # Not found[0] even when listed: the answer must not depend on which rules ran before.
        return self._of_listing(
            ("first", files),
            lambda: self.index.first(self.index.compile(files.include, files.exclude)),
        )

    def folders(self, pattern: str) -> tuple[str, ...]:
        """Folders (holding at least one file) that a folder glob matches, sorted."""
        return self._of_listing(
            ("folders", pattern),
            lambda: self._folder_index.get(lambda: FileIndex(self.index.folders())).select(
                (pattern,)
            ),
        )

    def select_in(self, folders: Sequence[str], files: FileSet) -> dict[str, tuple[str, ...]]:
        """For each folder, the paths the file set selects inside it (globs relative to it)."""
        return self._of_listing(
            ("in", tuple(folders), files),
            lambda: self.index.select_in(folders, self.index.compile(files.include, files.exclude)),
        )

    def unreadable(self, files: FileSet) -> tuple[Unreadable, ...]:
        """Entries the file set would select that are not read (submodules, outside links)."""
        entries = self.snapshot.unreadable()
        if not entries:
            return ()
        paths = [u.path for u in entries]
        chosen = matching(paths, files.include) - matching(paths, files.exclude)
        return tuple(u for u in entries if u.path in chosen)

    def unreadable_notes(self, files: FileSet) -> list[Note]:
        return [Note(u.path, f"not read: {u.reason}") for u in self.unreadable(files)]

    def text(self, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> TextFile:
        """A file's text for content checks; binary and oversized files are not read."""
        self._reading((path,))
        found = self._texts.peek(path)  # the common case, without making closures
        if found is None:  # a file over this cap is not kept: a rule with a larger cap reads it
            found = self._texts.get(
                path, lambda: self._read(path, max_bytes), keep=lambda read: read.size <= max_bytes
            )
        if found.size > max_bytes:
            return too_big(path, found.size, max_bytes)
        return found

    def _read(self, path: str, max_bytes: int) -> TextFile:
        cache = self.options.parse_cache
        content_id = self.snapshot.content_id(path) if cache is not None else None
        if cache is not None and content_id is not None:
            kept = cache.texts.get(content_id)  # read at an earlier commit of a history
            if kept is not None and kept.size <= max_bytes:
                note = Note(path, kept.note) if kept.note is not None else None
                return TextFile(path, kept.text, note, kept.size)
        try:
            data = self.snapshot.read_capped(path, max_bytes)
        except OSError as exc:
            # Not only the outcomes that say so: an `any` passing on another alternative,
            # a `when` that does not hold, or the range `satisfies_from` reads drop it.
            self.unsettled = True
            self._not_read.add(path)
            return TextFile(path, None, Note(path, f"not read: {exc.strerror or exc}"))
        if isinstance(data, int):
            return too_big(path, data, max_bytes)
        # Asked again: a working-tree file read with other bytes than its blob's has none.
        return self._decoded(path, data, self.snapshot.content_id(path) if content_id else None)

    def _decoded(self, path: str, data: bytes, content_id: str | None) -> TextFile:
        """The text of bytes just read, kept in the parse cache when it can know them again."""
        read = decode_text(path, data)
        cache = self.options.parse_cache
        if cache is not None and content_id is not None:
            note_text = read.note.message if read.note is not None else None
            cache.texts.put(content_id, CachedText(read.text, note_text, read.size))
        return read

    def prefetch_texts(self, paths: Sequence[str], max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        """Read the texts of many files ahead of `text`, in one pipelined batch where the
        snapshot reads from git (a round trip per file would cost more than the reading).

        Files already read, held by the parse cache or not in git are left to `text`,
        and so is every file when the batch fails: `text` then says why, file by file.
        """
        if not paths or self.snapshot.disk_path(paths[0]) is not None:
            return  # on disk: reading one by one costs no round trip
        cache = self.options.parse_cache
        todo = []
        for path in paths:
            if self._texts.peek(path) is not None:
                continue
            content_id = self.snapshot.content_id(path)
            if content_id is None:
                continue
            if cache is not None and cache.texts.get(content_id) is not None:
                continue
            todo.append((path, content_id))
        if len(todo) < 2:
            return
        try:
            contents = self.snapshot.read_many_capped([path for path, _ in todo], max_bytes)
        except OSError:
            return
        for (path, content_id), data in zip(todo, contents, strict=True):
            if isinstance(data, bytes):  # one over the cap is left to `text`, which says so
                self._texts.offer(path, self._decoded(path, data, content_id))

    def read_capped(self, path: str, max_bytes: int) -> bytes | int:
        """A listed file's bytes, or its size when it has more than `max_bytes`, for
        checks that read bytes of their own (test reports); raises OSError."""
        self._reading((path,))
        return self.snapshot.read_capped(path, max_bytes)

    def from_content(self, path: str, what: str, compute: Callable[[], T]) -> T:
        """`compute()`, a value that depends on the bytes of `path` alone, computed once per
        run, and once for every run sharing a parse cache where the snapshot knows the
        file's content id (the commits of a history)."""
        self._reading((path,))
        cache = self.options.parse_cache
        content_id = self.snapshot.content_id(path) if cache is not None else None
        if cache is None or content_id is None:
            return self.memo((what, path), compute)

        return self.memo(
            (what, path),
            lambda: cache.derived.get(
                what, content_id, compute, lambda: self.read_as_listed(path, content_id)
            ),
        )

    def read_as_listed(self, path: str, content_id: str) -> bool:
        """Whether what this run read of `path` (if anything) is the bytes `content_id`
        names: not when it could not be read, nor when it was found edited since it was
        listed. Only then may what was made of it be kept by that id for other runs."""
        return path not in self._not_read and self.snapshot.content_id(path) == content_id

    def file_parts(
        self, what: Hashable, paths: Sequence[str], lasting: bool = False
    ) -> FileParts | None:
        """The parts of kind `what` (see `PartTables`) that evaluations sharing this
        run's parse cache made of the files at `paths`; None when the run shares its
        cache with none (one evaluation: nothing to share). A `lasting` kind (small
        parts; `what` plain data, its repr naming it) is also kept between runs, when
        the cache is kept on disk (engine/kept_parts.py)."""
        self._reading(paths)
        cache = self.options.parse_cache
        tables = cache.parts if cache is not None else None
        if tables is None and lasting and cache is not None:
            tables = cache.kept_parts
        if tables is None:
            return None
        ids = self.content_ids(paths)
        return FileParts(tables, tables.table(what), paths, ids, self.read_as_listed)

    def parts_kept_before(self) -> bool:
        """Whether parts of files are kept in tables shared with other evaluations, or, for
        one kept between runs, whether an earlier run over this snapshot's folder left it
        (engine/kept_parts.py: a first run keeps only the small ones)."""
        cache = self.options.parse_cache
        if cache is None:
            return False
        if cache.parts is not None:
            return True
        return cache.kept_parts is not None and cache.kept_parts.earlier_runs()

    def documents(
        self, path: str, format_name: str, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> ParsedFile:
        """A file parsed as `format_name`, once per run."""
        self._reading((path,))
        key = (path, format_name)
        found = self._parsed.peek(key)
        if found is None:
            found = self._parsed.get(
                key,
                lambda: self._parse(path, format_name, max_bytes),
                keep=lambda parsed: parsed.size <= max_bytes,
            )
        if found.size > max_bytes:  # over this cap, maybe parsed for a rule with a larger one
            return ParsedFile(path, note=too_big(path, found.size, max_bytes).note, size=found.size)
        return found

    def _cache_key(self, path: str, format_name: str) -> ParseKey | None:
        """What the parse cache knows this file's parse by, when there is one to ask."""
        if self.options.parse_cache is None:
            return None
        content_id = self.snapshot.content_id(path)
        return None if content_id is None else (content_id, format_name)

    def _parse(self, path: str, format_name: str, max_bytes: int) -> ParsedFile:
        cache = self.options.parse_cache
        key = self._cache_key(path, format_name)
        if cache is None or key is None:
            return self._parse_text(path, format_name, max_bytes)
        kept = cache.get(key)
        if kept is not None:
            return _from_cache(path, kept)
        parsed = self._parse_text(path, format_name, max_bytes)
        if _was_parsed(parsed) and self.read_as_listed(path, key[0]):
            cache.put(key, _to_cache(parsed))
        return parsed

    def _parse_text(self, path: str, format_name: str, max_bytes: int) -> ParsedFile:
        text = self.text(path, max_bytes)
        if text.text is None:
            return ParsedFile(path, note=text.note, size=text.size)
        try:
            documents = tuple(parse_text(format_name, text.text))
            return ParsedFile(path, documents, note=text.note, size=text.size)
        except ParseError as exc:
            return ParsedFile(path, error=exc, note=text.note, size=text.size)

    def prefetch(self, files: Sequence[tuple[str, str]], max_bytes: int) -> None:
        """Parse many (path, format) files ahead of use, on several cores when it pays."""
        workers = self.options.parse_workers
        minimum = self.options.parallel_minimum
        cached = self.options.parse_cache is not None  # asked for in one batch, however few
        if not cached and (workers < 1 or sum(f not in self._parsed for f in files) < minimum):
            return  # parsed one by one, on first use
        # Claimed, the files are parsed once even when other threads prefetch or
        # read them meanwhile: those wait for these cells instead of parsing again.
        with self._parsed.claim(files) as claim:
            todo = self._fill_from_cache(claim, max_bytes)
            if workers >= 1 and len(todo) >= minimum:
                self._parse_claimed(claim, todo, max_bytes)
            # else the files left are parsed one by one, on first use

    def _parse_claimed(
        self,
        claim: Claim[tuple[str, str], ParsedFile],
        todo: Sequence[tuple[str, str]],
        max_bytes: int,
    ) -> None:
        from concurrent.futures import Future

        from engine.parse_pool import CHUNK, parse_chunk

        parsed: dict[tuple[str, str], ParsedFile] = {}  # what to keep in the parse cache
        workers = self.options.parse_workers
        # Workers take the front share; this process parses the rest meanwhile.
        shared = len(todo) * workers // (workers + 1)
        sources = self._sources([path for path, _ in todo], max_bytes)
        jobs = [
            # Read on disk, a file must still hold its blob's bytes (else it is left here).
            ParseJob(
                path,
                fmt,
                source,
                self.snapshot.content_id(path) if isinstance(source, str) else None,
            )
            for (path, fmt), source in zip(todo[:shared], sources[:shared], strict=True)
            if source is not None
        ]
        futures: list[tuple[list[ParseJob], Future[list[bytes]]]] = []
        try:
            for start in range(0, len(jobs), CHUNK):
                chunk = jobs[start : start + CHUNK]
                # A stop signal in the middle of `submit` could leave a worker started but
                # unknown to the pool's shutdown, waiting for work for ever: it waits.
                with shielded():
                    pool = self._parse_pool()
                    futures.append((chunk, pool.submit(parse_chunk, chunk, max_bytes)))
        except OSError:  # no worker could start (a TMPDIR too long for their socket's name)
            if futures:
                raise
            shared = 0  # this process parses them all
        for (path, fmt), source in zip(todo[shared:], sources[shared:], strict=True):
            if isinstance(source, bytes):
                self._texts.offer(path, decode_text(path, source))
            found = self._parse_text(path, fmt, max_bytes)
            parsed[path, fmt] = found
            if found.size <= max_bytes:  # kept as `documents` keeps it
                claim.fill((path, fmt), found)
        for chunk, future in futures:
            blobs: list[bytes] = result_of(future)
            for job, blob in zip(chunk, blobs, strict=True):
                received = self._received(job, blob)
                if received is not None:
                    parsed[job.path, job.format] = received
                    claim.fill((job.path, job.format), received)
        self._keep_in_cache(parsed)

    def _fill_from_cache(
        self, claim: Claim[tuple[str, str], ParsedFile], max_bytes: int
    ) -> Sequence[tuple[str, str]]:
        """Fill the claimed files the parse cache holds; the others, still to parse
        (a file over `max_bytes` is left to `documents`, as parsing would leave it)."""
        cache = self.options.parse_cache
        if cache is None:
            return claim.keys
        keys = {item: self._cache_key(*item) for item in claim.keys}
        kept = cache.get_many(key for key in keys.values() if key is not None)
        if not kept:
            return claim.keys
        todo = []
        for (path, fmt), key in keys.items():
            entry = kept.get(key) if key is not None else None
            if entry is None:
                todo.append((path, fmt))
            elif entry.size <= max_bytes:
                claim.fill((path, fmt), _from_cache(path, entry))
        return todo

    def _keep_in_cache(self, parsed: Mapping[tuple[str, str], ParsedFile]) -> None:
        """Store in the parse cache the files just parsed that it can know again."""
        cache = self.options.parse_cache
        if cache is None:
            return
        entries = {}
        for (path, fmt), found in parsed.items():
            key = self._cache_key(path, fmt)
            if key is not None and _was_parsed(found):
                entries[key] = _to_cache(found)
        if entries:
            cache.put_many(entries)

    def _sources(self, paths: list[str], max_bytes: int) -> list[str | bytes | None]:
        """How workers read files: paths on disk, else bytes read in one pipelined batch
        (None: over the cap or unreadable; such files are left to `documents`)."""
        on_disk = [self.snapshot.disk_path(path) for path in paths]
        if all(found is not None for found in on_disk):
            return list(on_disk)
        try:
            contents = self.snapshot.read_many_capped(paths, max_bytes)
        except OSError:
            return [None] * len(paths)
        return [data if isinstance(data, bytes) else None for data in contents]

    def _received(self, job: ParseJob, blob: bytes) -> ParsedFile | None:
        """What a worker parsed, as `documents` would have parsed it (its text kept as
        `text` would keep it), or None for a file left to `documents`."""
        from engine.parse_pool import NotParsed, Parsed, received

        outcome = received(blob)
        if isinstance(outcome, NotParsed):
            return None  # `documents` reports it the usual way
        path = job.path
        note = Note(path, outcome.note) if outcome.note else None
        self._texts.offer(path, TextFile(path, outcome.text, note, outcome.size))
        if isinstance(outcome, Parsed):
            return ParsedFile(path, outcome.documents, note=note, size=outcome.size)
        error = ParseError(outcome.message, outcome.line, outcome.column)
        return ParsedFile(path, error=error, note=note, size=outcome.size)

    def _parse_pool(self) -> Any:
        return self._pool.get(self._start_pool)

    def _start_pool(self) -> Any:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from engine.parse_pool import ignore_stop_signals

        # forkserver: forking this process could copy a lock held by a command thread
        methods = multiprocessing.get_all_start_methods()
        method = "forkserver" if "forkserver" in methods else None
        pool = ProcessPoolExecutor(
            self.options.parse_workers,
            multiprocessing.get_context(method),
            initializer=ignore_stop_signals,
        )
        self._release_on_close(partial(pool.shutdown, cancel_futures=True))
        return pool

    # -- evaluation ----------------------------------------------------------------

    def evaluate(self, check: Check) -> Outcome:
        """Evaluate any check (combinators evaluate their parts through this)."""
        return self._evaluate_check(check, self)

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """Compute a value once per run (named conditions, tool lookups).

        Threads asking for the same key wait for the first one's value; if its
        compute raised, they (and later callers) get the same exception. The files
        its compute read count as read by every caller (`reads`).
        """
        try:
            value: T = self._memo.get(key, lambda: self._memo_read(key, compute))
        finally:
            read = self._memo_reads.get(key)
            if read:
                self._reading(read)
        return value

    def _memo_read(self, key: Any, compute: Callable[[], T]) -> T:
        with self.reads() as found:
            try:
                return compute()
            finally:  # before the value is published: a waiting thread finds it noted
                self._memo_reads[key] = frozenset(found)

    def workdir(self) -> Path:
        """A real folder holding the snapshot, for commands; made once per run."""
        return self._workdir.get(self._materialize)

    def _materialize(self) -> Path:
        with ExitStack() as made:
            folder = made.enter_context(self.snapshot.materialize())
            self._release_on_close(made.pop_all().close)
        return folder

    def _release_on_close(self, release: Callable[[], object]) -> None:
        with self._stack_lock:
            self._stack.callback(release)

    def close(self) -> None:
        """Remove what the run created (the materialized snapshot, the parse workers);
        a stop signal meanwhile waits until it is done."""
        with shielded():
            self._stack.close()

    def __enter__(self) -> EvaluationContext:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
