"""Parsing many manifest files on several cores.

Parsing dominates a run over a large repository, and PyYAML holds the GIL,
so threads do not help. When a rule selects thousands of files that are not
parsed yet, the context hands a share of them to worker processes while it
parses the rest itself. Workers return plain data through `marshal`, which
keeps shared and recursive YAML structures and costs a tenth of parsing.
Results are the same as parsing in one process: the parsers are the same
functions, and files are read with the same size cap and decoding.
"""

from __future__ import annotations

import marshal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.formats import ParseError, parser
from engine.snapshots.worktree import read_file_capped
from engine.texts import decode_text, too_big

#: Below this many unparsed files, starting workers costs more than it saves.
PARALLEL_MINIMUM = 2000
#: Files per task sent to a worker.
CHUNK = 400


@dataclass(frozen=True)
class ParseJob:
    """One file to parse: where to read it (a path on disk, or its bytes) and as what."""

    path: str
    format: str
    source: str | bytes


Outcome = tuple[Any, ...]
"""What a worker returns for a job, as plain data:

    ("docs", size, note, text, [(index, line, data), ...])
    ("error", size, note, text, message, line, column)
    ("unread", size, note)          # over the cap, binary, or unreadable

The text comes back too: content rules that read the same file then find it
in memory instead of reading it again.
"""


def read_and_parse(job: ParseJob, max_bytes: int) -> Outcome:
    """Read (if needed), decode and parse one file, exactly as the context would."""

    data: bytes | int
    if isinstance(job.source, bytes):
        data = job.source if len(job.source) <= max_bytes else len(job.source)
    else:
        try:
            data = read_file_capped(job.source, max_bytes)
        except OSError as exc:
            return ("unread", 0, f"not read: {exc.strerror or exc}")
    if isinstance(data, int):
        unread = too_big(job.path, data, max_bytes).note
        return ("unread", data, unread.message if unread else None)
    text = decode_text(job.path, data)
    note = text.note.message if text.note is not None else None
    if text.text is None:
        return ("unread", len(data), note)
    try:
        documents = parser(job.format)(text.text)
    except ParseError as exc:
        return ("error", len(data), note, text.text, exc.message, exc.line, exc.column)
    return ("docs", len(data), note, text.text, [(d.index, d.line, d.data) for d in documents])


def parse_chunk(jobs: Sequence[ParseJob], max_bytes: int) -> bytes:
    """Worker entry point: the outcomes of a chunk of jobs, marshalled."""
    return marshal.dumps([read_and_parse(job, max_bytes) for job in jobs])


def unpack(blob: bytes) -> list[Outcome]:
    outcomes: list[Outcome] = marshal.loads(blob)
    return outcomes
