"""Parsing many manifest files on several cores.

Parsing dominates a run over a large repository, and PyYAML holds the GIL,
so threads do not help. When a rule selects thousands of files that are not
parsed yet, the context hands a share of them to worker processes while it
parses the rest itself. Results are the same as parsing in one process: the
parsers are the same functions, and files are read with the same size cap
and decoding.

A worker sends each file's outcome back through `marshal`, as plain data
(every format yields only dicts, lists, strings, numbers, booleans and None).
On the benchmark's manifests marshal and pickle cost about the same, a few
percent of parsing (marshal writes faster, pickle reads a little faster),
and both keep shared YAML structures shared. Marshal is used because it
nests 2,000 levels deep, where pickle stops near Python's recursion limit,
which a JSON file parsed in one process can reach. A file whose data still
does not marshal (XML nested deeper still) comes back as `NotParsed`, and
the context parses it itself, so the outcome never depends on the path.
"""

from __future__ import annotations

import marshal
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.formats import ParseError, parse_text
from engine.model.documents import Document
from engine.snapshots.disk import blob_id, read_file_capped
from engine.texts import decode_text

#: Below this many unparsed files, starting workers costs more than it saves.
PARALLEL_MINIMUM = 2000
#: Files per task sent to a worker.
CHUNK = 400


@dataclass(frozen=True)
class ParseJob:
    """One file to parse: where to read it (a path on disk, or its bytes) and as what;
    `blob`: the blob id the bytes read on disk must have (those of a file edited since
    git's index vouched for it are left to the context, which finds it edited)."""

    path: str
    format: str
    source: str | bytes
    blob: str | None = None


@dataclass(frozen=True)
class Parsed:
    """A file that parsed. Its text comes back too: content rules that read the
    same file then find it in memory instead of reading it again."""

    size: int
    text: str
    note: str | None  # set when the text is not valid UTF-8
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class Broken:
    """A file that does not parse as its format: the parser's message and position."""

    size: int
    text: str
    note: str | None
    message: str
    line: int | None
    column: int | None


@dataclass(frozen=True)
class NotParsed:
    """A file the worker leaves to the context, which reads it and reports it the usual
    way: over the cap, binary, unreadable, or data that cannot be sent back."""

    reason: str


ParseOutcome = Parsed | Broken | NotParsed

_KINDS: dict[str, type[ParseOutcome]] = {
    kind.__name__: kind for kind in (Parsed, Broken, NotParsed)
}


def read_and_parse(job: ParseJob, max_bytes: int) -> ParseOutcome:
    """Read (if needed), decode and parse one file, exactly as the context would."""
    data: bytes | int
    if isinstance(job.source, bytes):
        data = job.source if len(job.source) <= max_bytes else len(job.source)
    else:
        try:
            data = read_file_capped(job.source, max_bytes)
        except OSError as exc:
            return NotParsed(f"not read: {exc.strerror or exc}")
    if isinstance(data, int):
        return NotParsed("over the size cap")
    if job.blob is not None and blob_id(data, len(job.blob)) != job.blob:
        return NotParsed("edited since it was listed")
    text = decode_text(job.path, data)
    if text.text is None:
        return NotParsed("binary file")
    note = text.note.message if text.note is not None else None
    try:
        documents = parse_text(job.format, text.text)
    except ParseError as exc:
        return Broken(len(data), text.text, note, exc.message, exc.line, exc.column)
    return Parsed(len(data), text.text, note, tuple(documents))


def ignore_stop_signals() -> None:
    """Worker set-up: Ctrl-C (and a terminal's hang-up) reaches every process of the
    terminal's job, but workers are stopped by the run that started them, which
    finishes or cancels their tasks as it cleans up (engine/interrupts.py)."""
    for signum in (signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)


def parse_chunk(jobs: Sequence[ParseJob], max_bytes: int) -> list[bytes]:
    """Worker entry point: the outcome of each job, marshalled (see `received`)."""
    return [_marshalled(read_and_parse(job, max_bytes)) for job in jobs]


def received(blob: bytes) -> ParseOutcome:
    """An outcome a worker sent."""
    kind, fields = marshal.loads(blob)
    if kind == "Parsed":
        fields["documents"] = tuple(Document(**document) for document in fields["documents"])
    outcome: ParseOutcome = _KINDS[kind](**fields)
    return outcome


def _marshalled(outcome: ParseOutcome) -> bytes:
    # By field name, not position, so that a field added to an outcome cannot shift the others.
    fields: dict[str, Any] = dict(vars(outcome))
    if isinstance(outcome, Parsed):
        fields["documents"] = [vars(document) for document in outcome.documents]
    try:
        return marshal.dumps((type(outcome).__name__, fields))
    except ValueError as exc:  # nested deeper than marshal goes: the context parses it
        return marshal.dumps(("NotParsed", {"reason": f"not sent back: {exc}"}))
