"""`policy history`: a branch's first-parent line judged commit by commit, and recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from engine.commands.eval import check_output, stdout_is_terminal, write_output
from engine.errors import InputError
from engine.printable import echo, printable
from engine.reporters import ReportOptions, history_reporter
from engine.runs import EvalRequest

#: Commits judged when neither --last nor --since says.
DEFAULT_LAST = 30


@dataclass(frozen=True)
class HistoryRequest:
    path: Path = Path(".")
    evaluation: EvalRequest = field(
        default_factory=EvalRequest
    )  # packs, params, selection, config, jobs
    branch: str | None = None
    last: int | None = None
    since: date | None = None
    store: str | None = None  # --store URL; None: RULEPACK_STORE, else the default
    format: str = "table"
    output: Path | None = None


def run(request: HistoryRequest) -> int:
    """Judge each commit (or reuse its stored run), record it, and write the history."""
    from engine.history.line import first_parent_line
    from engine.history.walk import terminal_progress, walk
    from engine.store.database import open_store
    from engine.store.records import repository_of

    if request.last is not None and request.since is not None:
        raise InputError("--last and --since cannot be used together")
    last = request.last if request.last is not None or request.since else DEFAULT_LAST
    check_output(request.output, [])
    line = first_parent_line(request.path, request.branch, last, request.since)
    if not line.commits:
        since = request.since.isoformat() if request.since else ""
        raise InputError(f"--since {since}: {line.branch} has no commit on or after that day")
    repository = repository_of(line.repository.root)
    with open_store(request.store) as store:
        if _progress_shown():
            with terminal_progress(len(line.commits), _color()) as advance:
                walked = walk(line, request.evaluation, store, repository, advance)
        else:
            walked = walk(line, request.evaluation, store, repository)
    for note in walked.history.notes:
        echo(f"policy: note: {printable(note, newlines=False)}", err=True)
    echo(
        f"policy: {walked.evaluated} commit(s) evaluated, {walked.reused} reused from the store",
        err=True,
    )
    render = history_reporter(request.format)
    color = request.output is None and stdout_is_terminal() and _color()
    options = ReportOptions(color=color)
    write_output(lambda out: render(walked.history, out, options), request.output)
    return 0


def _progress_shown() -> bool:
    import sys

    return sys.stderr is not None and sys.stderr.isatty()


def _color() -> bool:
    import os

    return not os.environ.get("NO_COLOR")
