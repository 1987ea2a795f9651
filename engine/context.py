"""The evaluation context: one run's snapshot, options and caches.

Checks reach files only through the context, which is how every file is
listed once, read once and parsed once per run however many rules use it.
Caches live here, never in module globals; a lock guards them because
command rules may run on several threads (`--jobs`).
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from engine.formats import ParseError, parser
from engine.globs import FileIndex, GlobSet, matching
from engine.packs.model import Check, FileSet
from engine.results import Note, Outcome
from engine.snapshots.base import Snapshot, Unreadable
from engine.yaml12 import Document

#: Default size cap for files that content and manifest checks read.
DEFAULT_MAX_BYTES = 1024 * 1024
_BINARY_PROBE = 8192

T = TypeVar("T")


@dataclass(frozen=True)
class TextFile:
    """A file read for a content check: its text, or why it was not read."""

    path: str
    text: str | None
    note: Note | None = None
    size: int = 0


def _too_big(path: str, size: int, max_bytes: int) -> TextFile:
    message = f"not read: {size:,} bytes is over the {max_bytes:,}-byte cap"
    return TextFile(path, None, Note(path, message), size)


@dataclass(frozen=True)
class ParsedFile:
    """A file read as a manifest format: its documents, or the parse error."""

    path: str
    documents: tuple[Document, ...] = ()
    error: ParseError | None = None
    note: Note | None = None


@dataclass
class EvaluationOptions:
    """How a run treats commands."""

    no_commands: bool = False
    jobs: int = 1
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


class EvaluationContext:
    """Shared state of one evaluation over one snapshot."""

    def __init__(
        self,
        snapshot: Snapshot,
        options: EvaluationOptions | None = None,
        exclude: tuple[str, ...] = (),
    ) -> None:
        self.snapshot = snapshot
        self.options = options or EvaluationOptions()
        self._exclude = exclude
        self._lock = threading.RLock()
        self._index: FileIndex | None = None
        self._selections: dict[FileSet, tuple[str, ...]] = {}
        self._texts: dict[str, TextFile] = {}
        self._parsed: dict[tuple[str, str], ParsedFile] = {}
        self._memo: dict[Any, Any] = {}
        self._stack = ExitStack()
        self.running: set[subprocess.Popen[bytes]] = set()  # programs started by checks
        self._workdir: Path | None = None

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
        """One path the file set selects, found without listing them all."""
        with self._lock:
            found = self._selections.get(files)
        if found is not None:
            return found[0] if found else None
        return self.index.first(GlobSet.compile(files.include, files.exclude))

    def select_in(self, folders: Sequence[str], files: FileSet) -> dict[str, tuple[str, ...]]:
        """For each folder, the paths the file set selects inside it (globs relative to it)."""
        return self.index.select_in(folders, GlobSet.compile(files.include, files.exclude))

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
                    return _too_big(path, data, max_bytes)
                found = self._texts[path] = self._decode(path, data)
            if found.size > max_bytes:
                return _too_big(path, found.size, max_bytes)
            return found

    @staticmethod
    def _decode(path: str, data: bytes) -> TextFile:
        if b"\0" in data[:_BINARY_PROBE]:
            return TextFile(path, None, Note(path, "not read: binary file"), len(data))
        try:
            return TextFile(path, data.decode("utf-8-sig"), None, len(data))
        except UnicodeDecodeError as exc:
            note = Note(
                path,
                f"not valid UTF-8 (byte {exc.start}); read with replacement characters",
            )
            return TextFile(path, data.decode("utf-8", "replace"), note, len(data))

    def documents(
        self, path: str, format_name: str, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> ParsedFile:
        """A file parsed as `format_name`, once per run."""
        with self._lock:
            text = self.text(path, max_bytes)
            if text.text is None:
                return ParsedFile(path, note=text.note)
            key = (path, format_name)
            found = self._parsed.get(key)
            if found is None:
                try:
                    documents = tuple(parser(format_name)(text.text))
                    found = ParsedFile(path, documents, note=text.note)
                except ParseError as exc:
                    found = ParsedFile(path, error=exc, note=text.note)
                self._parsed[key] = found
            return found

    # -- evaluation ----------------------------------------------------------------

    def evaluate(self, check: Check) -> Outcome:
        """Evaluate any check through the registry of check kinds."""
        from engine.checks import evaluate_check

        return evaluate_check(check, self)

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
