"""The evaluation context: one run's snapshot, options and caches.

Checks reach files only through the context, which is how every file is
listed once, read once and parsed once per run however many rules use it.
Caches live here, never in module globals; a lock guards them because
command rules may run on several threads (`--jobs`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from engine.errors import InputError
from engine.formats import ParseError, parser
from engine.globs import FileIndex, matching
from engine.model.documents import Document
from engine.model.packs import Check, FileSet
from engine.model.results import Note, Outcome
from engine.model.snapshots import Unreadable
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
    """How a run treats commands, and how many processes may parse files."""

    no_commands: bool = False
    jobs: int = 1
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    parse_workers: int = field(default_factory=lambda: min(4, os.cpu_count() or 1))
    parallel_minimum: int = field(default_factory=_parallel_minimum)


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
        self._lock = threading.RLock()
        self._index: FileIndex | None = None
        self._folder_index: FileIndex | None = None  # folders as paths, for `in_each`
        self._selections: dict[FileSet, tuple[str, ...]] = {}
        self._texts: dict[str, TextFile] = {}
        self._parsed: dict[tuple[str, str], ParsedFile] = {}
        self._memo: dict[Any, Any] = {}
        self._stack = ExitStack()
        self.running = RunningPrograms()  # programs started by checks, for Ctrl-C
        self._workdir: Path | None = None
        self._pool: Any = None  # worker processes for `prefetch`, started on first need

    # -- files -------------------------------------------------------------------

    @property
    def index(self) -> FileIndex:
        with self._lock:
            if self._index is None:
                files = self.snapshot.files()
                if self._exclude:
                    dropped = matching(files, self._exclude)
                    files = tuple(p for p in files if p not in dropped)
                self._index = FileIndex(files)
            return self._index

    def select(self, files: FileSet) -> tuple[str, ...]:
        """Paths the file set selects, sorted."""
        with self._lock:
            found = self._selections.get(files)
            if found is None:
                found = self.index.select(files.include, files.exclude)
                self._selections[files] = found
            return found

    def first(self, files: FileSet) -> str | None:
        """One path the file set selects (of the first glob that selects one), found
        without listing them all."""
        with self._lock:
            found = self._selections.get(files)
        if found == ():
            return None
        # Not found[0] even when listed: the answer must not depend on which rules ran before.
        return self.index.first(self.index.compile(files.include, files.exclude))

    def folders(self, pattern: str) -> tuple[str, ...]:
        """Folders (holding at least one file) that a folder glob matches, sorted."""
        with self._lock:
            if self._folder_index is None:
                self._folder_index = FileIndex(self.index.folders())
            return self._folder_index.select((pattern,))

    def select_in(self, folders: Sequence[str], files: FileSet) -> dict[str, tuple[str, ...]]:
        """For each folder, the paths the file set selects inside it (globs relative to it)."""
        return self.index.select_in(folders, self.index.compile(files.include, files.exclude))

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
        with self._lock:
            found = self._texts.get(path)
            if found is None:
                try:
                    data = self.snapshot.read_capped(path, max_bytes)
                except OSError as exc:
                    return TextFile(path, None, Note(path, f"not read: {exc.strerror or exc}"))
                if isinstance(data, int):
                    return too_big(path, data, max_bytes)
                found = self._texts[path] = decode_text(path, data)
            if found.size > max_bytes:
                return too_big(path, found.size, max_bytes)
            return found

    def documents(
        self, path: str, format_name: str, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> ParsedFile:
        """A file parsed as `format_name`, once per run."""
        with self._lock:
            key = (path, format_name)
            found = self._parsed.get(key)
            if found is not None:
                if found.size > max_bytes:  # parsed for a rule with a larger cap
                    return ParsedFile(path, note=too_big(path, found.size, max_bytes).note)
                return found
            text = self.text(path, max_bytes)
            if text.text is None:
                return ParsedFile(path, note=text.note, size=text.size)
            try:
                documents = tuple(parser(format_name)(text.text))
                found = ParsedFile(path, documents, note=text.note, size=text.size)
            except ParseError as exc:
                found = ParsedFile(path, error=exc, note=text.note, size=text.size)
            self._parsed[key] = found
            return found

    def prefetch(self, files: Sequence[tuple[str, str]], max_bytes: int) -> None:
        """Parse many (path, format) files ahead of use, on several cores when it pays."""
        with self._lock:
            todo = [item for item in files if item not in self._parsed]
        workers = self.options.parse_workers
        if workers < 1 or len(todo) < self.options.parallel_minimum:
            return  # parsed one by one, on first use
        from concurrent.futures import Future

        from engine.parse_pool import CHUNK, ParseJob, parse_chunk

        # Workers take the front share; this process parses the rest meanwhile.
        shared = len(todo) * workers // (workers + 1)
        sources = self._sources([path for path, _ in todo], max_bytes)
        jobs = [
            ParseJob(path, fmt, source)
            for (path, fmt), source in zip(todo[:shared], sources[:shared], strict=True)
            if source is not None
        ]
        futures: list[tuple[list[ParseJob], Future[list[bytes]]]] = []
        for start in range(0, len(jobs), CHUNK):
            chunk = jobs[start : start + CHUNK]
            futures.append((chunk, self._parse_pool(workers).submit(parse_chunk, chunk, max_bytes)))
        with self._lock:
            for (path, _), source in zip(todo[shared:], sources[shared:], strict=True):
                if isinstance(source, bytes) and path not in self._texts:
                    self._texts[path] = decode_text(path, source)
        for path, fmt in todo[shared:]:
            self.documents(path, fmt, max_bytes)
        for chunk, future in futures:
            self._store_parsed(chunk, future.result())

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

    def _store_parsed(self, jobs: list[ParseJob], sent: list[bytes]) -> None:
        """Keep what workers parsed, as `documents` and `text` would have."""
        from engine.parse_pool import NotParsed, Parsed, received

        with self._lock:
            for job, blob in zip(jobs, sent, strict=True):
                outcome = received(blob)
                if isinstance(outcome, NotParsed):
                    continue  # left to `documents`, which reports it the usual way
                path = job.path
                note = Note(path, outcome.note) if outcome.note else None
                if path not in self._texts:
                    self._texts[path] = TextFile(path, outcome.text, note, outcome.size)
                if isinstance(outcome, Parsed):
                    found = ParsedFile(path, outcome.documents, note=note, size=outcome.size)
                else:
                    error = ParseError(outcome.message, outcome.line, outcome.column)
                    found = ParsedFile(path, error=error, note=note, size=outcome.size)
                self._parsed[(path, job.format)] = found

    def _parse_pool(self, workers: int) -> Any:
        with self._lock:  # command rules on several threads may prefetch at once
            if self._pool is None:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                # forkserver: forking this process could copy a lock held by a command thread
                methods = multiprocessing.get_all_start_methods()
                method = "forkserver" if "forkserver" in methods else None
                self._pool = ProcessPoolExecutor(workers, multiprocessing.get_context(method))
                self._stack.callback(self._pool.shutdown, cancel_futures=True)
            return self._pool

    # -- evaluation ----------------------------------------------------------------

    def evaluate(self, check: Check) -> Outcome:
        """Evaluate any check (combinators evaluate their parts through this)."""
        return self._evaluate_check(check, self)

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """Compute a value once per run (named conditions, tool lookups)."""
        with self._lock:
            if key not in self._memo:
                self._memo[key] = compute()
            value: T = self._memo[key]
            return value

    def workdir(self) -> Path:
        """A real folder holding the snapshot, for commands; made once per run."""
        with self._lock:
            if self._workdir is None:
                self._workdir = self._stack.enter_context(self.snapshot.materialize())
            return self._workdir

    def close(self) -> None:
        """Remove what the run created (the materialized snapshot)."""
        self._stack.close()

    def __enter__(self) -> EvaluationContext:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
