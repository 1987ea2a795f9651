"""Reading a listed file on disk: one open, never through a symlink in its place.

Used by the working tree, by git snapshots reading a file's working-tree copy,
and by parse workers, which read the files they are given themselves.
"""

from __future__ import annotations

import errno
import os

#: Opening a listed file: never through a symlink in its last name (see `read_file_capped`).
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC


def open_listed(path: str) -> int:
    """Open a listed file for reading, refusing a symlink in its place."""
    try:
        return os.open(path, _READ_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "a symlink in place of the listed file") from None
        raise


def read_file_capped(path: str, max_bytes: int) -> bytes | int:
    """A file's bytes if it holds at most `max_bytes`, else its size; one open, no stat.

    Plain os-level calls: on 100,000 small files they take half the time of
    `open(path, "rb").read()`, which builds a buffered reader for each. The
    file is opened without following a symlink: one put in its place after it
    was listed is not read.
    """
    fd = open_listed(path)
    try:
        chunks = []
        wanted = max_bytes + 1
        while wanted > 0:
            chunk = os.read(fd, wanted)
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return os.fstat(fd).st_size if len(data) > max_bytes else data
    finally:
        os.close(fd)
