"""The context's caches on several threads: work runs at once, each key is computed once.

Threads meet at barriers and at observed waits (see tests/test_once.py), never
at sleeps; command rules meet through files, as in tests/checks/test_command.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from engine.checks import evaluate_check
from engine.context import EvaluationContext, EvaluationOptions
from engine.snapshots.gittree import GitTreeSnapshot
from engine.snapshots.worktree import WorktreeSnapshot
from tests.test_once import LONG, watched


class Snapshot(WorktreeSnapshot):
    """A working tree whose reads are counted and can be held: `hold(path)` runs before
    `path` is read (in this process, never on disk by a worker)."""

    def __init__(self, root: Path, hold: Callable[[str], None] = lambda path: None) -> None:
        super().__init__(root)
        self.hold = hold
        self.reads: list[str] = []

    def read_capped(self, path: str, max_bytes: int) -> bytes | int:
        self.reads.append(path)
        self.hold(path)
        return super().read_capped(path, max_bytes)

    def read_many_capped(self, paths: list[str], max_bytes: int) -> list[bytes | int]:
        self.reads.extend(paths)
        self.hold(paths[0])
        return [super(Snapshot, self).read_capped(path, max_bytes) for path in paths]

    def disk_path(self, path: str) -> str | None:
        return None  # workers get bytes read by `read_many_capped`


@pytest.fixture
def threads() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        yield pool


def context_of(snapshot: Snapshot, **options: int) -> EvaluationContext:
    return EvaluationContext(snapshot, evaluate_check, EvaluationOptions(**options))


MANIFESTS = {
    f"k8s/app{i}.yaml": f"kind: Deployment\nmetadata: {{name: app{i}}}\n" for i in range(6)
}


def test_different_files_are_read_at_the_same_time(make_repo, threads) -> None:
    both = threading.Barrier(2, timeout=LONG)  # broken if one read waits for the other
    snapshot = Snapshot(make_repo({"a.txt": "a\n", "b.txt": "b\n"}), hold=lambda path: both.wait())
    with context_of(snapshot) as context:
        a = threads.submit(context.text, "a.txt")
        b = threads.submit(context.documents, "b.txt", "yaml")
        assert (a.result().text, b.result().documents[0].data) == ("a\n", "b")


def test_a_file_is_parsed_once_while_another_thread_waits_for_it(
    make_repo, threads, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiters = watched(monkeypatch)
    snapshot = Snapshot(make_repo(MANIFESTS), hold=lambda path: waiters.until(1))
    with context_of(snapshot) as context:
        first = threads.submit(context.documents, "k8s/app1.yaml", "yaml")
        second = threads.submit(context.documents, "k8s/app1.yaml", "yaml")
        assert first.result() is second.result()
        assert first.result().documents[0].data == {
            "kind": "Deployment",
            "metadata": {"name": "app1"},
        }
    assert snapshot.reads == ["k8s/app1.yaml"]


def test_prefetch_on_two_threads_parses_each_file_once(
    make_repo, threads, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiters = watched(monkeypatch)
    root = make_repo(MANIFESTS)
    wanted = [(path, "yaml") for path in sorted(MANIFESTS)]
    # The first prefetch holds its batch read until the other thread waits for its files.
    snapshot = Snapshot(root, hold=lambda path: waiters.until(1))
    with context_of(snapshot, parse_workers=1, parallel_minimum=1) as context:

        def prefetch_and_read() -> list[object]:
            context.prefetch(wanted, max_bytes=1 << 20)
            return [context.documents(path, fmt) for path, fmt in wanted]

        first, second = threads.submit(prefetch_and_read), threads.submit(prefetch_and_read)
        assert [a is b for a, b in zip(first.result(), second.result(), strict=True)] == [True] * 6
    with context_of(Snapshot(root)) as alone:
        assert first.result() == [alone.documents(path, fmt) for path, fmt in wanted]
    assert sorted(snapshot.reads) == sorted(MANIFESTS)


def test_the_parse_pool_is_started_once_by_two_threads_prefetching(
    make_repo, threads, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiters = watched(monkeypatch)
    started: list[object] = []
    start_pool = EvaluationContext._start_pool

    def held_start(context: EvaluationContext) -> object:
        waiters.until(1)  # the other thread wants the pool meanwhile
        started.append(start_pool(context))
        return started[-1]

    monkeypatch.setattr(EvaluationContext, "_start_pool", held_start)
    halves = [[(p, "yaml") for p in sorted(MANIFESTS)[i::2]] for i in (0, 1)]
    with context_of(Snapshot(make_repo(MANIFESTS)), parse_workers=1, parallel_minimum=1) as context:
        for done in [threads.submit(context.prefetch, half, 1 << 20) for half in halves]:
            done.result()
        parsed = [context.documents(path, "yaml") for path in sorted(MANIFESTS)]
    assert len(started) == 1
    assert [p.documents[0].data["metadata"]["name"] for p in parsed] == [
        f"app{i}" for i in range(6)
    ]


def test_the_workdir_is_materialised_once_when_command_rules_start_together(
    make_repo, threads, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiters = watched(monkeypatch)
    snapshot = GitTreeSnapshot.open(make_repo({"src/main.txt": "committed\n"}), "HEAD")
    made: list[str] = []
    materialize = snapshot.materialize

    def held_materialize():  # the context manager, entered once three threads wait for it
        waiters.until(3)
        made.append("materialized")
        return materialize()

    monkeypatch.setattr(snapshot, "materialize", held_materialize)
    try:
        with EvaluationContext(snapshot, evaluate_check) as context:
            folders = [f.result() for f in [threads.submit(context.workdir) for _ in range(4)]]
            assert (folders[0] / "src/main.txt").read_text() == "committed\n"
        assert (len(made), len(set(folders)), folders[0].exists()) == (1, 1, False)
    finally:
        snapshot.close()


def meeting(folder: Path, me: int, count: int) -> str:
    """A program that says it has started, then waits until `count` programs have."""
    others = " ".join(str(folder / str(i)) for i in range(count) if i != me)
    wait = "while [ ! -e $o ]; do sleep 0.01; done"
    return f"touch {folder / str(me)}; for o in {others}; do {wait}; done"


def test_four_command_conditions_run_at_once_with_jobs_4(
    evaluate, make_repo, pack_text, tmp_path
) -> None:
    # each condition's program waits for the three others': only running all four at once
    # lets them hold (run one by one, the first times out and its rule is an error)
    conditions = "conditions:\n" + "".join(
        f"  c{i}: {{command: {{shell: '{meeting(tmp_path, i, 4)}', timeout: 20}}}}\n"
        for i in range(4)
    )
    rules = "".join(
        f"- {{id: r{i}, title: T, category: general, when: {{condition: c{i}}},"
        " check: {command: {run: ['true']}}}\n"
        for i in range(4)
    )
    run = evaluate(make_repo({}), pack_text(rules, head=conditions), "--jobs", "4")
    assert [(r["rule"], r["status"]) for r in run.report["results"]] == [
        ("r0", "pass"),
        ("r1", "pass"),
        ("r2", "pass"),
        ("r3", "pass"),
    ]


def test_a_condition_shared_by_rules_on_several_threads_runs_its_program_once(
    evaluate, make_repo, pack_text, tmp_path
) -> None:
    log = tmp_path / "ran"
    conditions = f"conditions:\n  shared: {{command: {{shell: 'echo ran >> {log}'}}}}\n"
    rules = "".join(
        f"- {{id: r{i}, title: T, category: general, when: {{condition: shared}},"
        " check: {command: {run: ['true']}}}\n"
        for i in range(4)
    )
    run = evaluate(make_repo({}), pack_text(rules, head=conditions), "--jobs", "4")
    assert [r["status"] for r in run.report["results"]] == ["pass"] * 4
    assert log.read_text() == "ran\n"


def test_ctrl_c_while_rules_wait_for_a_condition_kills_its_program(
    make_repo, write_pack, pack_text, policy_exe, tmp_path
) -> None:
    pid = tmp_path / "pid"
    conditions = (
        f"conditions:\n  slow: {{command: {{shell: 'echo $$ > {pid}.new && mv {pid}.new {pid}"
        " && exec sleep 30'}}\n"
    )
    rules = "".join(
        f"- {{id: r{i}, title: T, category: general, when: {{condition: slow}},"
        " check: {command: {run: ['true']}}}\n"
        for i in range(3)
    )
    pack = write_pack(pack_text(rules, head=conditions))
    repo = make_repo({})
    process = subprocess.Popen(
        [policy_exe, "eval", str(repo), "--pack", str(pack), "--jobs", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + LONG
    while not pid.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pid.exists(), "the condition's program never started"

    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=LONG)  # two rules were waiting for `slow`

    # the condition's program once, and each rule's own: announced before any started
    announced = f"policy: running 4 programs in {repo} (use --no-commands to skip)\n"
    assert (process.returncode, stderr.decode()) == (130, announced + "policy: interrupted\n")
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid.read_text()), 0)


class CountedTree(GitTreeSnapshot):
    """A commit's files whose one-by-one and batch reads are counted."""

    single: list[str]
    batches: list[list[str]]

    def read_capped(self, path: str, max_bytes: int) -> bytes | int:
        self.single.append(path)
        return super().read_capped(path, max_bytes)

    def read_many_capped(self, paths: list[str], max_bytes: int) -> list[bytes | int]:
        self.batches.append(list(paths))
        return super().read_many_capped(paths, max_bytes)


@pytest.fixture
def counted_tree() -> Iterator[Callable[[Path], CountedTree]]:
    """Opens HEAD of a repository as a CountedTree; closes each (its git process) after."""
    opened: list[CountedTree] = []

    def open_tree(root: Path) -> CountedTree:
        snapshot = CountedTree.open(root, "HEAD")
        assert isinstance(snapshot, CountedTree)
        snapshot.single, snapshot.batches = [], []
        opened.append(snapshot)
        return snapshot

    yield open_tree
    for snapshot in opened:
        snapshot.close()


TEXTS: dict[str, str | bytes | None] = {
    "a.txt": "alpha\n",
    "b.txt": "beta\n",
    "bin.dat": b"\x00\x01binary",
    "latin1.txt": b"caf\xe9\n",
    "big.txt": "x" * 100 + "\n",
}


def test_texts_prefetched_from_git_are_those_read_one_by_one(make_repo, counted_tree) -> None:
    root = make_repo(TEXTS)
    paths = sorted(TEXTS)
    one_by_one = counted_tree(root)
    with context_of(one_by_one) as context:
        expected = [context.text(path, max_bytes=64) for path in paths]
    prefetched = counted_tree(root)
    with context_of(prefetched) as context:
        context.prefetch_texts(paths, max_bytes=64)
        found = [context.text(path, max_bytes=64) for path in paths]
    assert found == expected
    # (path, read as text, with a note, size)
    assert [(t.path, t.text is not None, t.note is not None, t.size) for t in found] == [
        ("a.txt", True, False, 6),
        ("b.txt", True, False, 5),
        ("big.txt", False, True, 101),
        ("bin.dat", False, True, 8),
        ("latin1.txt", True, True, 5),
    ]
    # One batch for all; only the file over the cap is asked for again, to say so.
    assert prefetched.batches == [paths]
    assert prefetched.single == ["big.txt"]


def test_a_failed_batch_leaves_each_file_to_say_why_it_is_not_read(
    make_repo, counted_tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = counted_tree(make_repo({"a.txt": "alpha\n", "b.txt": "beta\n"}))

    def broken(paths: list[str], max_bytes: int) -> list[bytes | int]:
        raise OSError(5, "git cat-file stopped")

    monkeypatch.setattr(snapshot, "read_many_capped", broken)
    with context_of(snapshot) as context:
        context.prefetch_texts(["a.txt", "b.txt"])
        assert [context.text(p).text for p in ("a.txt", "b.txt")] == ["alpha\n", "beta\n"]
    assert snapshot.single == ["a.txt", "b.txt"]


def test_files_on_disk_are_not_prefetched(make_repo) -> None:
    snapshot = WorktreeSnapshot(make_repo({"a.txt": "alpha\n", "b.txt": "beta\n"}))
    reads: list[list[str]] = []
    snapshot.read_many_capped = lambda paths, max_bytes: reads.append(paths) or []  # type: ignore[method-assign]
    with context_of(snapshot) as context:
        context.prefetch_texts(["a.txt", "b.txt"])
        assert context.text("a.txt").text == "alpha\n"
    assert reads == []
