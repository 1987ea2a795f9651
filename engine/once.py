"""Values computed once per key, by the first thread that asks, while no lock is held.

The evaluation context caches what a run computes (file texts, parsed files,
named conditions), and command rules ask for them on several threads at once
(`--jobs`). A `OnceMap` keeps one cell per key: the first thread to ask for a
key computes its value holding no lock; a thread that asks for the same key
meanwhile waits for that cell alone; threads asking for other keys never wait.

A compute that raises an `Exception` has that exception as its outcome: it is
raised to every caller, those waiting and those to come, and the compute does
not run again. Every rule that shares a key then gets the same outcome however
the threads happen to interleave, and the program behind a named condition
runs once, as a value's compute does. A compute stopped by `KeyboardInterrupt`
or `SystemExit` has no outcome: its cell is dropped, and a thread waiting for
it computes the value itself instead of waiting for ever.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from threading import Event, Lock, get_ident
from typing import Generic, TypeVar, cast

K = TypeVar("K")
V = TypeVar("V")


class _Cell(Generic[V]):
    """One key's value: being computed by `owner`, then done (a value or an error),
    or dropped (removed from its map; waiters ask again)."""

    # Class-wide defaults: a cell made for a key sets only its owner (cheap, and made often).
    done = False
    dropped = False
    value: V | None = None
    error: Exception | None = None
    woken: Event | None = None  # made when a second thread waits

    def __init__(self, owner: int) -> None:
        self.owner = owner  # the thread computing it


class OnceMap(Generic[K, V]):
    """Per-key once-cells (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = Lock()  # held only to look up, add and settle cells
        self._cells: dict[K, _Cell[V]] = {}

    def get(self, key: K, compute: Callable[[], V], keep: Callable[[V], bool] | None = None) -> V:
        """The value of `key`, computed by `compute` if no thread has computed it yet.

        When `keep(value)` is false the value goes to this caller only (a file over
        one rule's size cap may fit another's): the cell is dropped, and threads
        that were waiting for it compute their own.
        """
        while True:
            cell = self._cells.get(key)
            if cell is not None and cell.done:  # the common case, without the lock
                if cell.error is not None:
                    raise cell.error
                return cast(V, cell.value)  # set before `done` is
            with self._lock:
                cell = self._cells.get(key)
                if cell is None:
                    cell = self._cells[key] = _Cell(get_ident())
                    break
                woken = self._waiter(key, cell)
            if woken is not None:
                woken.wait()  # then look again: done, or dropped and free to compute
        try:
            value = compute()
        except Exception as exc:
            self._settle(cell, error=exc)
            raise
        except BaseException:  # interrupted: no outcome to share
            self._drop(key, cell)
            raise
        if keep is None or keep(value):
            self._settle(cell, value=value)
        else:
            self._drop(key, cell)
        return value

    def peek(self, key: K) -> V | None:
        """The value of `key` if it has been computed (and did not fail), else None."""
        cell = self._cells.get(key)
        return cell.value if cell is not None and cell.done else None

    def __contains__(self, key: object) -> bool:
        """Whether a thread has computed `key`, is computing it or has claimed it."""
        return key in self._cells

    def offer(self, key: K, value: V) -> None:
        """Keep `value` for `key` unless a thread has computed, or is computing, it."""
        with self._lock:
            if key not in self._cells:
                cell: _Cell[V] = _Cell(get_ident())
                cell.value, cell.done = value, True
                self._cells[key] = cell

    @contextmanager
    def claim(self, keys: Iterable[K]) -> Iterator[Claim[K, V]]:
        """Cells for the keys no thread has asked for yet, to `fill` later (values made
        in one batch, such as files parsed by worker processes). Threads asking for a
        claimed key wait for it; on exit, cells left unfilled are dropped, so that
        those threads compute their own."""
        owner = get_ident()
        cells: dict[K, _Cell[V]] = {}
        with self._lock:
            for key in keys:
                if key not in self._cells:
                    cells[key] = self._cells[key] = _Cell(owner)
        claim = Claim(self, cells)
        try:
            yield claim
        finally:
            for key, cell in cells.items():
                if not cell.done:
                    self._drop(key, cell)

    def _waiter(self, key: K, cell: _Cell[V]) -> Event | None:
        """What to wait on for a cell found under the lock (None: it is settled)."""
        if cell.done or cell.dropped:
            return None
        if cell.owner == get_ident():
            raise RuntimeError(f"{key!r} is needed to compute itself")  # would never end
        if cell.woken is None:
            cell.woken = Event()
        return cell.woken

    def _settle(
        self, cell: _Cell[V], value: V | None = None, error: Exception | None = None
    ) -> None:
        with self._lock:
            cell.value, cell.error = value, error
            cell.done = True  # last: `get` reads done cells without the lock
            if cell.woken is not None:
                cell.woken.set()

    def _drop(self, key: K, cell: _Cell[V]) -> None:
        with self._lock:
            if self._cells.get(key) is cell:
                del self._cells[key]
            cell.dropped = True
            if cell.woken is not None:
                cell.woken.set()


class Claim(Generic[K, V]):
    """Keys claimed in a `OnceMap`, for the claiming thread to fill."""

    def __init__(self, cells: OnceMap[K, V], claimed: dict[K, _Cell[V]]) -> None:
        self._map = cells
        self._claimed = claimed
        self.keys = tuple(claimed)

    def fill(self, key: K, value: V) -> None:
        """Settle a claimed key with its value; threads waiting for it get it."""
        self._map._settle(self._claimed[key], value=value)


class Once(Generic[V]):
    """One value computed once, by the first thread that asks (a `OnceMap` of one key)."""

    def __init__(self) -> None:
        self._cell: OnceMap[None, V] = OnceMap()

    def get(self, compute: Callable[[], V]) -> V:
        """The value, computed by `compute` if no thread has computed it yet."""
        return self._cell.get(None, compute)
