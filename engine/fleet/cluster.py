"""Running fleet tasks on Dask distributed: a local cluster, or one at an address.

By default a `LocalCluster` of `workers` processes (one thread each: a task
is Python that holds the GIL) starts on this machine and stops after the run;
`scheduler` names an existing cluster instead, and the same tasks go there.
Each task is `engine.fleet.task.evaluate_repository`, and returns a row of
plain data. Dask keeps what a worker holds: when a worker dies mid-task, the
scheduler gives the task to another (up to its `allowed-failures`, 3 by
default); a task whose workers kept dying comes back as a `not evaluated` row.

`distributed` is the `rulepack[fleet]` extra, imported only here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from engine.errors import InputError
from engine.fleet.task import RepositoryTask, evaluate_repository, not_done_row

#: What to install when the extra is missing.
INSTALL_HINT = "policy fleet needs Dask: pip install 'rulepack[fleet]'"
#: Seconds to wait for an existing scheduler to answer.
CONNECT_TIMEOUT = 10
#: Retries of a task whose code raised (a worker's own fault, not the repository's).
RETRIES = 2


def require_dask() -> None:
    """InputError saying how to install the extra when `distributed` is missing."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InputError(INSTALL_HINT) from None


def run_tasks(
    tasks: Sequence[RepositoryTask],
    *,
    workers: int,
    scheduler: str | None,
    run_id: str,
    on_row: Callable[[dict[str, Any]], None],
) -> list[dict[str, Any]]:
    """Every task's row, in the order of `tasks`; `on_row` sees each as it arrives."""
    from distributed import as_completed

    rows: list[dict[str, Any] | None] = [None] * len(tasks)
    with _client(workers, scheduler) as client:
        keys = [f"rulepack-fleet-{run_id}-{i}" for i in range(len(tasks))]
        futures = client.map(evaluate_repository, tasks, key=keys, retries=RETRIES, pure=False)
        position = {future.key: i for i, future in enumerate(futures)}
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            i = position[future.key]
            try:
                row = future.result()
            except Exception as exc:  # KilledWorker, or a bug that outlived its retries
                row = not_done_row(tasks[i].entry, _cause(exc))
            future.release()  # the scheduler forgets the result once we hold it
            rows[i] = row
            on_row(row)
    return [row for row in rows if row is not None]


@contextmanager
def _client(workers: int, scheduler: str | None) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        with client:
            yield client
        return
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,  # no dashboard (it would need bokeh) for a local run
        scheduler_kwargs={"dashboard_address": ":0"},  # its health page: any free port
        silence_logs=logging.ERROR,
    )
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        yield client


def _cause(exc: BaseException) -> str:
    """Why a task came back without a row, on one line."""
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        return "the workers running it died (Dask tried it on others and gave up)"
    return f"{type(exc).__name__}: {exc}"
