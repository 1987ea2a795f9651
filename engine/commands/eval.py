"""`policy eval`: evaluate packs against a snapshot and report."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.context import EvaluationOptions
from engine.errors import InputError
from engine.evaluator import Selection, evaluate
from engine.reporters import REPORTERS, ReportOptions, reporter
from engine.results import FAIL_ON_LEVELS, FailOn, Report, run_fails
from engine.snapshots import open_snapshot
from engine.workspace import open_workspace


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


def run(request: EvalRequest) -> int:
    """Evaluate, write the report, and return the exit status (0 holds, 1 fails)."""
    if request.format is not None and request.format not in REPORTERS:
        raise InputError(f"unknown format {request.format!r} (one of: {', '.join(REPORTERS)})")
    if request.jobs < 1:
        raise InputError("--jobs must be at least 1")
    snapshot = open_snapshot(request.path, request.ref, request.staged)
    try:
        workspace = open_workspace(snapshot, request.packs, request.params, request.config)
        for warning in workspace.warnings:
            print(f"policy: {warning}", file=sys.stderr)
        fail_on: FailOn = request.fail_on or workspace.config.fail_on or "error"
        format_name = request.format or "table"
        to_terminal = request.output is None and sys.stdout.isatty()
        options = ReportOptions(color=to_terminal and _color_allowed(), fail_on=fail_on)
        progress = None
        if format_name == "table" and to_terminal:
            from engine.reporters.table import TerminalProgress

            progress = TerminalProgress(options.color)
        report = evaluate(
            workspace.packs,
            snapshot,
            selection=Selection(request.categories, request.rules, request.tags),
            options=EvaluationOptions(no_commands=request.no_commands, jobs=request.jobs),
            exclude=workspace.config.exclude,
            progress=progress,
        )
    finally:
        snapshot.close()
    write_report(report, format_name, request.output, options)
    return 1 if run_fails(report.results, fail_on) else 0


def write_report(
    report: Report, format_name: str, output: Path | None, options: ReportOptions
) -> None:
    render = reporter(format_name)
    if output is None:
        render(report, sys.stdout, options)
        return
    try:
        with output.open("w", encoding="utf-8", newline="\n") as out:
            render(report, out, options)
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror or exc}") from None


def _color_allowed() -> bool:
    import os

    return not os.environ.get("NO_COLOR")


def fail_on_choices() -> Sequence[str]:
    return FAIL_ON_LEVELS
