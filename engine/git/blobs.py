"""Reading git blobs through one `git cat-file --batch` process kept for the whole run.

One process answers every read, so a run that reads 100,000 files starts one
program, not 100,000. Each answer carries the blob's size before its content,
so `read_capped` (what content checks use) costs one round trip and skips over
a blob larger than the cap without keeping it.

Blobs are read as stored: `--filters` and `--textconv`, which would run
programs the repository's configuration names, are never asked for.
"""

from __future__ import annotations

import errno
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import IO

from engine.git.runner import git_reason, start

_CHUNK = 1024 * 1024


class BlobReader:
    """Sizes and contents of blobs by object id; thread-safe; `close()` ends the process."""

    def __init__(self, cwd: Path) -> None:
        self._cwd = cwd
        self._process: subprocess.Popen[bytes] | None = None
        self._errors: IO[bytes] | None = None  # the running process's error text
        self._lock = threading.Lock()
        self._sizes: dict[str, int] = {}

    def size(self, object_id: str) -> int:
        """Size in bytes of a blob."""
        with self._lock:
            found = self._sizes.get(object_id)
            return found if found is not None else self._fetch(object_id, -1)[0]

    def read(self, object_id: str) -> bytes:
        """Contents of a blob."""
        with self._lock:
            data = self._fetch(object_id, None)[1]
            assert data is not None  # always read when there is no cap
            return data

    def read_capped(self, object_id: str, max_bytes: int) -> bytes | int:
        """Contents of a blob no larger than `max_bytes`, else its size."""
        with self._lock:
            size, data = self._fetch(object_id, max_bytes)
            return size if data is None else data

    def read_many_capped(self, object_ids: list[str], max_bytes: int) -> list[bytes | int]:
        """`read_capped` for many blobs, pipelined: every request is sent before answers
        are read (by a writer thread, so that neither pipe can fill up and stall)."""
        with self._lock:
            process = self._started()
            assert process.stdin is not None
            requests = b"".join(oid.encode("ascii") + b"\n" for oid in object_ids)
            stdin = process.stdin

            def send() -> None:
                try:
                    stdin.write(requests)
                    stdin.flush()
                except OSError:
                    pass  # the reader below notices the dead process

            writer = threading.Thread(target=send, daemon=True)
            writer.start()
            try:
                answers = [self._answer(oid, max_bytes) for oid in object_ids]
            finally:
                writer.join()
            return [size if data is None else data for size, data in answers]

    def _fetch(self, object_id: str, max_bytes: int | None) -> tuple[int, bytes | None]:
        """Ask for one blob; its content is returned unless larger than `max_bytes`."""
        process = self._started()
        assert process.stdin is not None
        try:
            process.stdin.write(object_id.encode("ascii") + b"\n")
            process.stdin.flush()
        except OSError as exc:  # the process died (Ctrl-C reaches it too)
            self._stop()
            raise OSError(errno.EIO, f"git cat-file stopped: {exc.strerror or exc}") from None
        return self._answer(object_id, max_bytes)

    def _answer(self, object_id: str, max_bytes: int | None) -> tuple[int, bytes | None]:
        """Read the answer to one request: the content, unless larger than `max_bytes`."""
        process = self._started()
        assert process.stdout is not None
        try:
            header = process.stdout.readline().split()
        except OSError as exc:
            self._stop()
            raise OSError(errno.EIO, f"git cat-file stopped: {exc.strerror or exc}") from None
        if not header:  # the process ended (a partial clone's missing blob: nothing is fetched)
            why = self._stop() or "git cat-file stopped"
            raise OSError(errno.ENOENT, f"object {object_id} cannot be read from git ({why})")
        if len(header) != 3:
            what = header[-1].decode("ascii", "replace")
            raise OSError(errno.ENOENT, f"object {object_id} cannot be read from git ({what})")
        size = int(header[2])
        if max_bytes is not None and size > max_bytes:
            data = None
            left = size
            while left:
                chunk = process.stdout.read(min(left, _CHUNK))
                if not chunk:
                    break
                left -= len(chunk)
        else:
            data = process.stdout.read(size)
            left = size - len(data)
        if left or process.stdout.read(1) != b"\n":  # each answer ends with a newline
            self._stop()
            raise OSError(errno.EIO, f"git cat-file stopped while reading {object_id}")
        self._sizes[object_id] = size
        return size, data

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            # Its error text goes to a file, read only when it stops: a pipe nobody
            # reads while it runs could fill up and stall it.
            self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _stop
            self._process = start(
                ["cat-file", "--batch"], self._cwd, stdin=True, stderr=self._errors
            )
        return self._process

    def close(self) -> None:
        """End the git process, if one was started."""
        with self._lock:
            self._stop()

    def _stop(self) -> str:
        """End the process; git's reason when it failed, else ''."""
        process, self._process = self._process, None
        if process is None:
            return ""
        try:
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        finally:
            if process.stdout is not None:
                process.stdout.close()
        errors, self._errors = self._errors, None
        if errors is None:
            return ""
        with errors:
            errors.seek(0)
            stderr = errors.read().decode("utf-8", "replace")
        return git_reason(stderr) if stderr.strip() else ""
