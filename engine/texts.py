"""Files as text: the size cap, binary files, and text that is not UTF-8.

Content checks read text through the evaluation context, and parse workers
through the same functions, so both report a file the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

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
