"""Stopping on Ctrl-C, SIGTERM or SIGHUP: the same clean-up whatever the signal.

CI cancels a job with SIGINT and then SIGTERM, `docker stop` sends SIGTERM, a
closed terminal sends SIGHUP. Python turns only SIGINT into KeyboardInterrupt;
the others would end the process at once, leaving its programs running and its
temporary folders behind. While a command runs inside `stop_signals()`, each of
them raises `Interrupted` (a KeyboardInterrupt) on the main thread, so the same
`finally` blocks run whatever the signal: programs are killed, temporary folders
removed, worker processes stopped. The command then exits 128 + the signal's
number (130, 143, 129).

Only the first signal stops the run. Later ones are ignored, so that a second
Ctrl-C, or CI's SIGTERM after its SIGINT, cannot break the clean-up off halfway
(it is short: programs are killed with SIGKILL). SIGQUIT (Ctrl-\\) still ends
the process at once. A signal the process was started ignoring (`nohup`, a
background job of a script) stays ignored.

A first signal that arrives while clean-up code runs in a `shielded()` block
(creating or removing a temporary folder) takes effect when the block ends.

The kernel may hand a signal to any thread; Python then runs the handler on
the main thread, but only once that thread runs again. A main thread blocked
on a lock would not notice until the lock is released (a program's timeout
later), so it waits for other threads through `result_of`, in short slices.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

T = TypeVar("T")

#: How long the main thread waits for another before it looks for a stop signal again.
_SLICE = 0.1

#: The signals that stop a run and clean up.
STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(KeyboardInterrupt):
    """A stop signal arrived: the run unwinds, cleaning up, and exits 128 + its number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class _StopHandler:
    """The handler of every stop signal during one command; it holds the run's signal
    state, which is the process's by nature, so `shielded` finds it as the handler."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.shields = 0  # nested `shielded` blocks running on the main thread
        self.pending = False  # the first signal arrived inside a shield, not yet raised

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None:
            return  # already stopping: let the clean-up finish
        self.received = signum
        if self.shields:
            self.pending = True
            return
        raise Interrupted(signum)


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def stop_signals() -> Iterator[None]:
    """Within the block, SIGINT, SIGTERM and SIGHUP raise `Interrupted` (first one only).

    Does nothing off the main thread, where Python cannot set signal handlers."""
    if not _on_main_thread():
        yield
        return
    handler = _StopHandler()
    previous = {}
    for signum in STOP_SIGNALS:
        if signal.getsignal(signum) != signal.SIG_IGN:
            previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, earlier in previous.items():
            signal.signal(signum, earlier)


def _active_handler() -> _StopHandler | None:
    for signum in STOP_SIGNALS:
        handler = signal.getsignal(signum)
        if isinstance(handler, _StopHandler):
            return handler
    return None


@contextmanager
def shielded() -> Iterator[None]:
    """Run clean-up code that a stop signal must not break off halfway; the signal
    (if it is the first) is raised when the block ends."""
    handler = _active_handler() if _on_main_thread() else None
    if handler is None:
        yield
        return
    handler.shields += 1
    try:
        yield
    finally:
        handler.shields -= 1
        if not handler.shields and handler.pending and handler.received is not None:
            handler.pending = False
            raise Interrupted(handler.received)


def stopped_message(exc: KeyboardInterrupt) -> tuple[str, int]:
    """What to say and which exit code to give when `exc` stopped a command."""
    signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
    if signum == signal.SIGINT:
        return "interrupted", 128 + signum
    return f"stopped by {signal.Signals(signum).name}", 128 + signum


def result_of(future: Future[T]) -> T:
    """A future's result, waited for in short slices, so that a stop signal another
    thread received raises on the main thread at once (see the module's docstring)."""
    from concurrent.futures import TimeoutError as NotYet  # a run without threads needs none

    while True:
        try:
            return future.result(timeout=_SLICE)
        except NotYet:
            continue
