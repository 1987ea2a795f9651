"""History's work: each commit of the line judged statically, or its stored run reused.

A commit whose packs have the same digests as a run already stored for it (and
the same settings) is not evaluated again. A commit whose packs or config do
not load is left out with a note naming it; the others go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from engine.commits import commit_workspace
from engine.errors import InputError
from engine.git.tree_listing import TreeListings
from engine.history.line import CommitInfo, Line
from engine.history.model import History, level_ids_of, points_of
from engine.parse_cache import ParseCache, closing_cache
from engine.runs import EvalRequest, run_settings, shared_parse_cache
from engine.store.database import Store
from engine.store.records import Repository, RunRecord, run_record


@dataclass(frozen=True)
class Walked:
    """What the walk did, for the closing line on stderr."""

    history: History
    evaluated: int
    reused: int


#: Told about each commit as it is done (the terminal's progress bar).
Advance = Callable[[CommitInfo], None]


def walk(
    line: Line,
    request: EvalRequest,
    store: Store,
    repository: Repository,
    advance: Advance | None = None,
    parse_cache: ParseCache | None = None,
) -> Walked:
    """Judge each commit of `line` (or reuse its stored run), record new runs, and return
    the history, newest first. `parse_cache` (default: the user's, else one in memory) is
    shared by every commit."""
    chosen = run_settings(replace(request, no_commands=True))  # history never runs programs
    runs: list[RunRecord] = []
    reused: set[int] = set()
    notes = list(_line_notes(line))
    owned = shared_parse_cache() if parse_cache is None else None
    listings = TreeListings()  # each commit's tree listed from the one before
    with closing_cache(owned):
        cache = owned if parse_cache is None else parse_cache
        for info in reversed(line.commits):  # oldest first: changes are against the one before
            try:
                run, was_stored = _run_of(
                    line, info, request, store, repository, chosen, cache, listings
                )
            except InputError as exc:
                notes.append(f"commit {info.id[:12]} left out: {_one_line(exc)}")
            else:
                runs.append(run)
                if was_stored and run.id is not None:
                    reused.add(run.id)
            if advance is not None:
                advance(info)
    history = History(
        repository,
        line.branch,
        points_of(runs, reused),
        level_ids_of(runs),
        tuple(notes),
    )
    return Walked(history, evaluated=len(runs) - len(reused), reused=len(reused))


def _run_of(
    line: Line,
    info: CommitInfo,
    request: EvalRequest,
    store: Store,
    repository: Repository,
    chosen: str,
    cache: ParseCache | None,
    listings: TreeListings,
) -> tuple[RunRecord, bool]:
    """The commit's run, and whether it was in the store already."""
    root = line.repository.root
    with commit_workspace(root, info.id, request, "--branch", listings) as commit:
        found = store.reusable(repository.name, info.id, commit.pack_key, chosen)
        if found is not None:
            return found, True
        report = commit.evaluate(cache)
    record = run_record(report, repository, info.date, settings=chosen)
    return _stored(record, store.record(record)), False


def _stored(record: RunRecord, run_id: int) -> RunRecord:
    return replace(record, id=run_id)


def _line_notes(line: Line) -> Iterator[str]:
    if line.shallow_end is not None:
        yield (
            f"history stops at {line.shallow_end[:12]}, where the shallow clone does "
            "(git fetch --unshallow for the commits before it)"
        )
    elif len(line.commits) == 1:
        yield "the branch has one commit: there is no trend yet"


def _one_line(exc: InputError) -> str:
    return "; ".join(str(problem) for problem in exc.problems)


@contextmanager
def terminal_progress(total: int, color: bool) -> Iterator[Advance]:
    """A progress bar on stderr over the commits: done of total, elapsed time and ETA."""
    from engine.progress_bar import progress_bar

    progress = progress_bar("history", color, eta=True, description=True)
    task = progress.add_task("", total=total)

    def advance(info: CommitInfo) -> None:
        progress.update(task, advance=1, description=info.id[:12])

    with progress:
        yield advance
