"""`policy fleet`: evaluate many repositories on Dask and roll the results up.

REPOS.yaml (or a folder of repositories) is read and checked first; then one
task per repository runs on a Dask cluster (engine/fleet/cluster.py), each
evaluating its repository statically at its ref; the rows become the fleet
report (engine/fleet/rollup.py), written in the format asked for. Exit 0
when every repository's run holds, 1 when one fails or could not be
evaluated, 2 for wrong input (REPOS.yaml, an option, no Dask installed).
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.printable import echo


@dataclass(frozen=True)
class FleetRequest:
    source: Path  # REPOS.yaml, or a folder of repositories
    packs: tuple[str, ...] = ()
    workers: int | None = None  # None: as many as the machine has cores
    scheduler: str | None = None  # an existing cluster's address; None: a local one
    format: str = "table"
    output: Path | None = None
    store: str | None = None  # the results store's URL; None: RULEPACK_STORE, else the default


def run(request: FleetRequest) -> int:
    """Evaluate the fleet, write the report, and return the exit status."""
    from engine.fleet.cluster import require_dask

    require_dask()  # before anything else: how to install it is the one thing to say
    if request.workers is not None and request.scheduler is not None:
        raise InputError("--workers and --scheduler cannot be used together")
    from engine.commands.eval import check_output
    from engine.fleet.repos import read_fleet
    from engine.fleet.task import RepositoryTask

    entries = read_fleet(request.source)
    check_output(request.output, [(request.source, "REPOS.yaml, which this run reads")])
    packs = tuple(_absolute_if_file(spec) for spec in request.packs)
    fleet_run = new_fleet_run_id()
    tasks = [RepositoryTask(entry, fleet_run, packs) for entry in entries]
    from engine.store.database import open_store

    with open_store(request.store) as store:  # a store that cannot be used fails first
        recorded = []

        def record(row: dict[str, Any]) -> None:
            from engine.fleet.stored import record_from_data

            if row.get("record") is not None:
                recorded.append(store.record(record_from_data(row.pop("record"))))

        rows = _run(tasks, request, fleet_run, record)
    from engine.store.urls import shown

    echo(
        f"policy: {len(recorded)} runs recorded in {shown(store.url)}, fleet run {fleet_run}",
        err=True,
    )
    from engine.fleet.rollup import build_report

    report = build_report(rows, fleet_run)
    _write(report, request)
    return 1 if report.fails else 0


def new_fleet_run_id() -> str:
    """A fleet run's id: when it started (UTC), then random digits; ids sort by time."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + secrets.token_hex(3)


def _absolute_if_file(spec: str) -> str:
    """A `--pack` that names a file, made absolute: workers do not share our folder."""
    path = Path(spec)
    return str(path.absolute()) if path.is_file() else spec


def _run(
    tasks: list[Any],
    request: FleetRequest,
    fleet_run: str,
    record: Callable[[dict[str, Any]], None],
) -> list[dict[str, Any]]:
    """The rows of the tasks; each is recorded (and shown on the progress bar) as it comes."""
    from engine.fleet.cluster import run_tasks

    with ExitStack() as stack:
        on_row = record
        if sys.stderr is not None and sys.stderr.isatty():
            from engine.fleet.progress import FleetProgress

            progress = stack.enter_context(
                FleetProgress(len(tasks), color=not os.environ.get("NO_COLOR"))
            )

            def on_row(row: dict[str, Any]) -> None:
                record(row)
                progress.done(row)

        return run_tasks(
            tasks,
            workers=request.workers or os.cpu_count() or 1,
            scheduler=request.scheduler,
            run_id=fleet_run,
            on_row=on_row,
        )


def _write(report: Any, request: FleetRequest) -> None:
    from engine.commands.eval import stdout_is_terminal, write_output
    from engine.reporters import ReportOptions, fleet_reporter

    render = fleet_reporter(request.format)
    color = request.output is None and stdout_is_terminal() and not os.environ.get("NO_COLOR")
    options = ReportOptions(color=color)
    write_output(lambda out: render(report, out, options), request.output)
