"""One fleet task: evaluate one repository statically at its ref, on a Dask worker.

A task gets a `RepositoryTask` and returns a row of plain data (dicts, lists,
strings, numbers), so that it crosses the network to the client as msgpack
or pickle of builtins, whatever version of rulepack's classes the client has.
Everything that can go wrong with one repository (a missing folder, not a
repository, an unknown ref, a URL that cannot be cloned, a pack error in its
own config) is that row's `error`, never an exception: the other tasks go on.
Command rules never run: a fleet reads git objects only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import InputError, Problem, bounded
from engine.fleet.repos import FleetEntry
from engine.model.results import Report

#: A row's `status`: evaluated (the report says how it went), or not.
EVALUATED = "evaluated"
ERROR = "error"


@dataclass(frozen=True)
class RepositoryTask:
    """What a worker needs to evaluate one repository: the entry and the packs asked for."""

    entry: FleetEntry
    fleet_run: str  # the id the run in the store is tagged with
    packs: tuple[str, ...] = ()  # `--pack` as given (files made absolute); none: the config's


def evaluate_repository(task: RepositoryTask) -> dict[str, Any]:
    """The row of one repository: its identity, and its JSON report or the error."""
    started = time.perf_counter()
    entry = task.entry
    try:
        where = entry.path
        if entry.url is not None:
            from engine.fleet.mirrors import update_mirror

            where = str(update_mirror(entry.url, entry.ref))
        assert where is not None
        report, owner = _evaluate(Path(where), entry.ref, task.packs)
        from engine.model.serialize import report_to_data

        row = _row(entry, EVALUATED, entry.owner or owner)
        row["commit"] = report.snapshot.commit
        row["fails"] = report.verdict.fails
        row["report"] = report_to_data(report)
        row["record"] = _record(report, Path(where), task)
    except InputError as exc:
        row = _row(entry, ERROR, entry.owner)
        row["error"] = "; ".join(_said(problem) for problem in exc.problems)
    row["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return row


def _evaluate(path: Path, ref: str, packs: tuple[str, ...]) -> tuple[Report, str | None]:
    """The report of `path` at `ref` (static: no program runs) and the CODEOWNERS owner."""
    from engine.commits import commit_workspace
    from engine.fleet.codeowners import root_owner
    from engine.runs import EvalRequest

    if not path.exists():
        raise InputError(f"{path}: no such folder")
    with commit_workspace(path, ref, EvalRequest(packs=packs), option="ref") as commit:
        return commit.evaluate(), root_owner(commit.snapshot)


def _record(report: Report, path: Path, task: RepositoryTask) -> dict[str, Any]:
    """The run for the results store, named as REPOS.yaml names the repository."""
    from engine.fleet.stored import record_to_data
    from engine.snapshots.gitrepo import commit_date
    from engine.store.records import Repository, repository_of, run_record, settings_of

    assert report.snapshot.commit is not None
    identity = Repository(task.entry.name, task.entry.url or repository_of(path).url)
    when = commit_date(path, report.snapshot.commit)
    settings = settings_of(no_commands=True)
    return record_to_data(run_record(report, identity, when, task.fleet_run, settings))


def _said(problem: Problem) -> str:
    """A problem as a row says it: where, the rule, what (the level goes: all are errors).
    As `Problem.__str__` does, the location, a path, is never cut; the rest may be."""
    where = f"{problem.location}: " if problem.location is not None else ""
    rule = f"rule {problem.rule}: " if problem.rule is not None else ""
    return where + bounded(rule + problem.message)


def _row(entry: FleetEntry, status: str, owner: str | None) -> dict[str, Any]:
    return {
        "name": entry.name,
        "source": entry.url if entry.url is not None else entry.path,
        "ref": entry.ref,
        "owner": owner,
        "tags": list(entry.tags),
        "status": status,
        "error": None,
        "commit": None,
        "fails": None,
        "report": None,
        "record": None,  # the run for the results store (engine/fleet/stored.py)
    }


def not_done_row(entry: FleetEntry, cause: str) -> dict[str, Any]:
    """The row of a repository whose task could not be done (its workers kept dying)."""
    row = _row(entry, ERROR, entry.owner)
    row["error"] = f"not evaluated: {cause}"
    row["duration_ms"] = None
    return row
