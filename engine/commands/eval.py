"""`policy eval`: evaluate packs against a snapshot and report."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from engine.context import EvaluationOptions
from engine.errors import InputError
from engine.evaluator import Progress, Selection, evaluate
from engine.model.diff import RuleRecord
from engine.model.results import Report
from engine.model.severity import FailOn
from engine.printable import echo, printable
from engine.reporters import REPORTERS, ReportOptions, reporter
from engine.snapshots import open_snapshot
from engine.snapshots.base import Snapshot
from engine.workspace import Workspace, open_workspace


@dataclass(frozen=True)
class EvalRequest:
    path: Path = Path(".")
    packs: tuple[str, ...] = ()
    ref: str | None = None
    staged: bool = False
    format: str | None = None
    output: Path | None = None
    fail_on: FailOn | None = None
    categories: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    no_commands: bool = False
    jobs: int = 1
    config: Path | None = None
    baseline: Path | None = None  # a JSON report: only findings it lacks fail the run
    new_since: str | None = None  # a ref evaluated the same way, used as the baseline


def run(request: EvalRequest) -> int:
    """Evaluate, write the report, and return the exit status (0 holds, 1 fails)."""
    if request.format is not None and request.format not in REPORTERS:
        raise InputError(f"unknown format {request.format!r} (one of: {', '.join(REPORTERS)})")
    if request.baseline is not None and request.new_since is not None:
        raise InputError("--baseline and --new-since cannot be used together")
    known: tuple[list[RuleRecord], str] | None = None
    if request.baseline is not None:  # a bad file fails before any work
        from engine.baseline import load_baseline

        known = (load_baseline(request.baseline), str(request.baseline))
    with ExitStack() as stack:
        snapshot = open_snapshot(request.path, request.ref, request.staged)
        stack.callback(snapshot.close)
        earlier = None
        if request.new_since is not None:  # an unknown ref fails before any work
            earlier = open_snapshot(request.path, request.new_since, ref_option="--new-since")
            stack.callback(earlier.close)
        workspace, fail_on = load_workspace(snapshot, request)
        format_name = request.format or "table"
        to_terminal = request.output is None and sys.stdout.isatty()
        options = ReportOptions(color=to_terminal and _color_allowed())
        progress = None
        if format_name == "table" and to_terminal:
            from engine.reporters.table import TerminalProgress

            progress = TerminalProgress(options.color)
        report = evaluate_workspace(workspace, snapshot, request, fail_on, progress)
        if earlier is not None:
            from engine.baseline import records

            base_report = evaluate_workspace(workspace, earlier, request, fail_on)
            known = (records(base_report.results), f"{request.new_since} ({earlier.info.commit})")
    if known is not None:
        from engine.baseline import mark_known

        report = mark_known(report, *known)
    write_report(report, format_name, request.output, options)
    return 1 if report.verdict.fails else 0


def load_workspace(snapshot: Snapshot, request: EvalRequest) -> tuple[Workspace, FailOn]:
    """The packs and config for `snapshot` (warnings go to stderr), and the --fail-on level."""
    workspace = open_workspace(snapshot, request.packs, request.params, request.config)
    for warning in workspace.warnings:
        echo(f"policy: {printable(str(warning), newlines=False)}", err=True)
    return workspace, request.fail_on or workspace.config.fail_on or "error"


def evaluate_workspace(
    workspace: Workspace,
    snapshot: Snapshot,
    request: EvalRequest,
    fail_on: FailOn = "error",
    progress: Progress | None = None,
) -> Report:
    """Evaluate the workspace's packs and config over `snapshot` with the request's options.

    Another snapshot than the workspace's own (the base of `--new-since` and
    of `policy diff`) is judged by the same rules, so that differences come
    from the files, not from changed packs or config.
    """
    with _no_cycle_collection():
        return evaluate(
            workspace.packs,
            snapshot,
            selection=Selection(request.categories, request.rules, request.tags),
            options=EvaluationOptions(no_commands=request.no_commands, jobs=request.jobs),
            exclude=workspace.config.exclude,
            progress=progress,
            fail_on=fail_on,
        )


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a run builds millions of parsed objects.

    Parsed manifests hold no reference cycles, and the collector would scan
    them again and again as they grow: about a quarter of the run time on a
    100,000-file repository.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_report(
    report: Report, format_name: str, output: Path | None, options: ReportOptions
) -> None:
    render = reporter(format_name)
    write_output(lambda out: render(report, out, options), output)


def write_output(write: Callable[[TextIO], None], output: Path | None) -> None:
    """Write to `output` (a file, created or replaced) or to stdout; a file that cannot be
    written is an input error."""
    if output is None:
        write(sys.stdout)
        return
    try:
        with output.open("w", encoding="utf-8", newline="\n") as out:
            write(out)
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror or exc}") from None


def _color_allowed() -> bool:
    import os

    return not os.environ.get("NO_COLOR")
