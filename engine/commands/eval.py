"""`policy eval`: evaluate packs against a snapshot and report."""

from __future__ import annotations

import codecs
import gc
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
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
    trust_repo: bool = False  # the repository's own packs and choices of programs run
    config: Path | None = None
    baseline: Path | None = None  # a JSON report: only findings it lacks fail the run
    new_since: str | None = None  # a ref evaluated the same way, used as the baseline
    min_level: str | None = None  # a level every pack that declares it must reach


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
        check_output(request.output, inputs_of(workspace, request))
        format_name = request.format or "table"
        to_terminal = request.output is None and stdout_is_terminal()
        options = ReportOptions(color=to_terminal and _color_allowed())
        progress = None
        if format_name == "table" and to_terminal:
            from engine.reporters.table import TerminalProgress

            progress = TerminalProgress(options.color)
        report = evaluate_workspace(workspace, snapshot, request, fail_on, progress, format_name)
        if earlier is not None:
            from engine.baseline import records

            base_report = evaluate_workspace(
                workspace, earlier, request, fail_on, format_name=format_name
            )
            known = (records(base_report.results), f"{request.new_since} ({earlier.info.commit})")
    if known is not None:
        from engine.baseline import mark_known

        report = mark_known(report, *known)
    write_report(report, format_name, request.output, options)
    return 1 if report.verdict.fails else 0


def load_workspace(snapshot: Snapshot, request: EvalRequest) -> tuple[Workspace, FailOn]:
    """The packs and config for `snapshot` (warnings go to stderr), and the --fail-on level."""
    workspace = open_workspace(
        snapshot, request.packs, request.params, request.config, trust_repo=request.trust_repo
    )
    for warning in workspace.warnings:
        echo(f"policy: {printable(str(warning), newlines=False)}", err=True)
    return workspace, request.fail_on or workspace.config.fail_on or "error"


def evaluate_workspace(
    workspace: Workspace,
    snapshot: Snapshot,
    request: EvalRequest,
    fail_on: FailOn = "error",
    progress: Progress | None = None,
    format_name: str = "",
) -> Report:
    """Evaluate the workspace's packs and config over `snapshot` with the request's options.

    Another snapshot than the workspace's own (the base of `--new-since` and
    of `policy diff`) is judged by the same rules, so that differences come
    from the files, not from changed packs or config. The table format
    announces the programs about to run on stderr (other formats are read
    by programs, and stdout holds the report).
    """
    from engine.levels import required_levels

    min_level = required_levels(workspace.packs, workspace.config, request.min_level)
    with _no_cycle_collection():
        return evaluate(
            workspace.packs,
            snapshot,
            selection=Selection(request.categories, request.rules, request.tags),
            options=EvaluationOptions(
                no_commands=request.no_commands, jobs=request.jobs, trust_repo=request.trust_repo
            ),
            exclude=workspace.config.exclude,
            progress=progress,
            announce=_announcer(snapshot) if format_name == "table" else None,
            fail_on=fail_on,
            min_level=min_level,
        )


def _announcer(snapshot: Snapshot) -> Callable[[int], None]:
    """Says on stderr how many programs are about to run in `snapshot`, and where."""

    def announce(programs: int) -> None:
        from engine.reporters.table import announcement

        echo(
            f"policy: {printable(announcement(programs, snapshot.info), newlines=False)}", err=True
        )

    return announce


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


def inputs_of(workspace: Workspace, request: EvalRequest) -> list[tuple[Path, str]]:
    """The files a run reads from disk, each with what it is: `-o` may name none of them."""
    found = list(workspace.inputs)
    if request.baseline is not None:
        found.append((request.baseline, "the baseline this run reads"))
    return found


def check_output(output: Path | None, inputs: Iterable[tuple[Path, str]]) -> None:
    """InputError, before any work, when `-o output` cannot take the output: it is one
    of `inputs` (path, what it is), a folder, or in no folder that can be written to."""
    if output is None:
        return
    if output.is_dir():
        raise InputError(f"cannot write {output}: it is a folder")
    folder = output.parent
    if not folder.is_dir():
        raise InputError(f"cannot write {output}: there is no folder {folder}")
    if not output.exists():
        if not os.access(folder, os.W_OK | os.X_OK):
            raise InputError(f"cannot write {output}: the folder {folder} is not writable")
        return
    for path, what in inputs:
        with suppress(OSError):  # an input that is not there is not overwritten
            if os.path.samefile(output, path):
                raise InputError(f"-o {output} names {what}; write the output to another file")
    if not os.access(output, os.W_OK):
        raise InputError(f"cannot write {output}: Permission denied")


def write_output(write: Callable[[TextIO], None], output: Path | None) -> None:
    """Write to `output` (a file, created or replaced) or to stdout; a file (or a standard
    output) that cannot be written is an input error."""
    if output is None:
        write_stdout(write)
        return
    try:
        with output.open("w", encoding="utf-8", newline="\n") as out:
            write(out)
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror or exc}") from None


def stdout_is_terminal() -> bool:
    return sys.stdout is not None and sys.stdout.isatty()


def write_stdout(write: Callable[[TextIO], None]) -> None:
    """Write to standard output: closed, full or unable to encode the text is an input
    error (a reader that leaves a pipe, `| head`, is not: BrokenPipeError goes up)."""
    stream = sys.stdout
    if stream is None:
        raise InputError("cannot write the report: standard output is closed (use -o FILE)")
    if codecs.lookup(stream.encoding or "utf-8").name != "utf-8":
        write = _encodable(write, stream)  # nothing written when a character cannot be
    try:
        write(stream)
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        discard_stdout()
        raise InputError(f"cannot write the report: {exc.strerror or exc}") from None


def _encodable(write: Callable[[TextIO], None], stream: TextIO) -> Callable[[TextIO], None]:
    """`write`, done first into memory and checked against the stream's encoding."""
    import io

    buffer = io.StringIO()
    write(buffer)
    text = buffer.getvalue()
    try:
        text.encode(stream.encoding, stream.errors or "strict")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"cannot write the report: standard output's encoding ({exc.encoding}) has no "
            f"{exc.object[exc.start]!r}; set PYTHONIOENCODING=utf-8 or use -o FILE (UTF-8)"
        ) from None

    def write_text(out: TextIO) -> None:
        out.write(text)

    return write_text


def flush_stdout() -> None:
    """Flush what commands wrote to standard output; a full disk is an input error."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        discard_stdout()
        raise InputError(f"cannot write to standard output: {exc.strerror or exc}") from None


def discard_stdout() -> None:
    """Point standard output at /dev/null, so that what is still buffered cannot fail again
    when Python exits (it would exit 120)."""
    import contextlib
    import os

    with contextlib.suppress(OSError, ValueError, AttributeError):  # no file behind it (tests)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _color_allowed() -> bool:
    return not os.environ.get("NO_COLOR")
