"""Files as text: the size cap, binary files, and text that is not UTF-8.

Content checks read text through the evaluation context, and parse workers
through the same functions, so both report a file the same way.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from engine.model.results import Note

#: Default size cap for files that content and manifest checks read.
DEFAULT_MAX_BYTES = 1024 * 1024
#: The largest `max_bytes` a check may set (the schemas say the same).
MAX_BYTES_CAP = 1024 * 1024 * 1024
#: A NUL byte in this many first bytes makes a file binary (as git decides).
BINARY_PROBE = 8192


@dataclass(frozen=True)
class TextFile:
    """A file read for a content check: its text, or why it was not read."""

    path: str
    text: str | None
    note: Note | None = None
    size: int = 0


def too_big(path: str, size: int, max_bytes: int) -> TextFile:
    """A file left unread because it is over the cap."""
    message = f"not read: {size:,} bytes is over the {max_bytes:,}-byte cap"
    return TextFile(path, None, Note(path, message), size)


def decode_text(path: str, data: bytes) -> TextFile:
    """Bytes as text: binary files are not read, invalid UTF-8 is replaced and noted."""
    if b"\0" in data[:BINARY_PROBE]:
        return TextFile(path, None, Note(path, "not read: binary file"), len(data))
    try:
        return TextFile(path, data.decode("utf-8-sig"), None, len(data))
    except UnicodeDecodeError as exc:
        note = Note(path, f"not valid UTF-8 (byte {exc.start}); read with replacement characters")
        return TextFile(path, data.decode("utf-8", "replace"), note, len(data))


# -- files the user gives rulepack: packs, configs, baselines, expect.yaml ------------------

#: The largest pack, config or expect.yaml read (the built-in production pack is 90 KB).
MAX_INPUT_BYTES = 4 * 1024 * 1024
#: The largest `--baseline` report read (a report of 100,000 findings is about 30 MB).
MAX_BASELINE_BYTES = 64 * 1024 * 1024


class BadText(ValueError):
    """An input file that is too large or not UTF-8 text; line and column are 1-based."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def read_input(path: Path, limit: int = MAX_INPUT_BYTES) -> str:
    """The text of a file the user named, read no further than `limit` bytes (`/dev/zero`
    ends there). OSError when it cannot be read; BadText when it is not text to read."""
    with path.open("rb") as stream:
        data = stream.read(limit + 1)
    return input_text(data, limit)


def input_text(data: bytes | int, limit: int = MAX_INPUT_BYTES) -> str:
    """`data` (or the size of what was too large to read) as the text of an input file."""
    if isinstance(data, int) or len(data) > limit:
        raise BadText(f"larger than {limit // (1024 * 1024)} MiB, more than rulepack reads")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BadText("UTF-16 text (it starts with a byte-order mark); save it as UTF-8", 1, 1)
    nul = data.find(b"\0")
    if nul >= 0:
        raise BadText("a NUL byte: this is not a text file", *_position(data, nul))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadText(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})", *_position(data, exc.start)
        ) from None


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (in characters) of a byte offset."""
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column
