"""Once-cells under threads: who computes, who waits, and what a failure leaves behind.

Threads meet at barriers and events, never at sleeps: each property holds on
every interleaving, and the waits that prove it are observed, not guessed.
`LONG` only bounds a wait that would otherwise hang when the code is wrong.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from engine import once
from engine.once import Once, OnceMap

LONG = 20.0


class Waiters:
    """Counts the threads that have started waiting for a cell computed elsewhere."""

    def __init__(self) -> None:
        self._seen = 0
        self._changed = threading.Condition()

    def arrived(self) -> None:
        with self._changed:
            self._seen += 1
            self._changed.notify_all()

    def until(self, count: int) -> None:
        """Return once `count` threads wait (or have waited) for a cell."""
        with self._changed:
            reached = self._changed.wait_for(lambda: self._seen >= count, timeout=LONG)
        assert reached, f"{self._seen} threads waited for a cell, not {count}"


def watched(monkeypatch: pytest.MonkeyPatch) -> Waiters:
    """Observe threads waiting for once-cells (the events they wait on report it)."""
    seen = Waiters()

    class Watched(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            seen.arrived()
            return super().wait(timeout)

    monkeypatch.setattr(once, "Event", Watched)
    return seen


@pytest.fixture
def waiters(monkeypatch: pytest.MonkeyPatch) -> Waiters:
    return watched(monkeypatch)


@pytest.fixture
def threads() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        yield pool


def blocked(release: threading.Event, value: Any, started: threading.Event | None = None) -> Any:
    """A compute that returns `value` once `release` is set (and says it has started)."""

    def compute() -> Any:
        if started is not None:
            started.set()
        assert release.wait(LONG), "never released"
        return value

    return compute


def test_different_keys_are_computed_at_the_same_time(threads: ThreadPoolExecutor) -> None:
    cells: OnceMap[str, str] = OnceMap()
    both = threading.Barrier(2, timeout=LONG)  # broken unless both computes run at once

    def compute(key: str) -> Callable[[], str]:
        def meet() -> str:
            both.wait()
            return key

        return meet

    left = threads.submit(cells.get, "left", compute("left"))
    right = threads.submit(cells.get, "right", compute("right"))
    assert (left.result(), right.result()) == ("left", "right")


def test_the_same_key_is_computed_once_while_others_wait(
    threads: ThreadPoolExecutor, waiters: Waiters
) -> None:
    cells: OnceMap[str, list[str]] = OnceMap()
    started, release = threading.Event(), threading.Event()
    value = ["first"]
    first = threads.submit(cells.get, "k", blocked(release, value, started))
    assert started.wait(LONG)
    others = [threads.submit(cells.get, "k", lambda: ["second"]) for _ in range(2)]
    waiters.until(2)
    assert not any(f.done() for f in (first, *others))
    release.set()
    assert [f.result() is value for f in (first, *others)] == [True, True, True]
    assert cells.get("k", lambda: ["later"]) is value


def test_a_failed_compute_raises_its_exception_to_every_caller_and_runs_once(
    threads: ThreadPoolExecutor, waiters: Waiters
) -> None:
    cells: OnceMap[str, int] = OnceMap()
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def failing() -> int:
        calls.append("failing")
        started.set()
        assert release.wait(LONG)
        raise ValueError("no such thing")

    def counted() -> int:
        calls.append("counted")
        return 1

    first = threads.submit(cells.get, "k", failing)
    assert started.wait(LONG)
    waiting = threads.submit(cells.get, "k", counted)
    waiters.until(1)
    release.set()
    errors = []
    for future in (first, waiting):
        with pytest.raises(ValueError, match=r"^no such thing$") as raised:
            future.result()
        errors.append(raised.value)
    with pytest.raises(ValueError) as later:
        cells.get("k", counted)
    assert errors[0] is errors[1] is later.value
    assert calls == ["failing"]
    assert cells.peek("k") is None


def test_an_interrupted_compute_leaves_the_key_to_the_thread_waiting_for_it(
    threads: ThreadPoolExecutor, waiters: Waiters
) -> None:
    cells: OnceMap[str, str] = OnceMap()
    started, release = threading.Event(), threading.Event()

    def interrupted() -> str:
        started.set()
        assert release.wait(LONG)
        raise KeyboardInterrupt

    first = threads.submit(cells.get, "k", interrupted)
    assert started.wait(LONG)
    waiting = threads.submit(cells.get, "k", lambda: "computed by the waiter")
    waiters.until(1)
    release.set()
    with pytest.raises(KeyboardInterrupt):
        first.result()
    assert waiting.result(timeout=LONG) == "computed by the waiter"
    assert cells.get("k", lambda: "again") == "computed by the waiter"


def test_a_value_not_kept_goes_to_its_caller_only(
    threads: ThreadPoolExecutor, waiters: Waiters
) -> None:
    cells: OnceMap[str, int] = OnceMap()
    started, release = threading.Event(), threading.Event()
    first = threads.submit(cells.get, "k", blocked(release, 100, started), lambda v: v < 10)
    assert started.wait(LONG)
    waiting = threads.submit(cells.get, "k", lambda: 5, lambda v: v < 10)
    waiters.until(1)
    release.set()
    assert (first.result(), waiting.result()) == (100, 5)
    assert cells.get("k", lambda: 6) == 5  # the waiter's value was kept


def test_nested_keys_compute_and_a_key_needing_itself_is_an_error() -> None:
    cells: OnceMap[str, str] = OnceMap()
    outer = cells.get("outer", lambda: "outer+" + cells.get("inner", lambda: "inner"))
    assert (outer, cells.get("inner", lambda: "other")) == ("outer+inner", "inner")
    with pytest.raises(RuntimeError, match=r"^'loop' is needed to compute itself$"):
        cells.get("loop", lambda: cells.get("loop", lambda: "never"))
    with pytest.raises(RuntimeError):  # the key's outcome, as for any failed compute
        cells.get("loop", lambda: "never")


def test_claimed_keys_are_waited_for_and_left_to_waiters_when_unfilled(
    threads: ThreadPoolExecutor, waiters: Waiters
) -> None:
    cells: OnceMap[str, str] = OnceMap()
    assert cells.get("done", lambda: "before") == "before"
    with cells.claim(["a", "b", "done", "a"]) as claim:
        assert claim.keys == ("a", "b")  # "done" has its value; "a" is claimed once
        waiting: dict[str, Future[str]] = {
            key: threads.submit(cells.get, key, lambda key=key: f"{key} by a waiter")
            for key in claim.keys
        }
        waiters.until(2)
        claim.fill("a", "a filled")
    assert {k: f.result(timeout=LONG) for k, f in waiting.items()} == {
        "a": "a filled",
        "b": "b by a waiter",
    }


def test_an_offer_does_not_replace_a_value() -> None:
    cells: OnceMap[str, str] = OnceMap()
    cells.offer("k", "offered")
    cells.offer("k", "offered again")
    assert (cells.get("k", lambda: "computed"), "k" in cells, "other" in cells) == (
        "offered",
        True,
        False,
    )


def test_once_computes_its_value_once_under_concurrent_calls(
    threads: ThreadPoolExecutor, waiters: Waiters
) -> None:
    value: Once[object] = Once()
    started, release = threading.Event(), threading.Event()
    made = object()
    first = threads.submit(value.get, blocked(release, made, started))
    assert started.wait(LONG)
    others = [threads.submit(value.get, object) for _ in range(3)]
    waiters.until(3)
    release.set()
    assert all(f.result() is made for f in (first, *others))
