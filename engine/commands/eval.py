"""`policy eval`: evaluate packs against a snapshot and report."""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable, Iterable
from contextlib import ExitStack, suppress
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from engine.commands.outputs import Output, parse_formats, plan_outputs
from engine.errors import InputError
from engine.model.results import Report
from engine.parse_cache import closing_cache
from engine.reporters import (
    ReportOptions,
    reporter,
)
from engine.runs import (
    EvalRequest,
    evaluate_workspace,
    load_workspace,
    no_cycle_collection,
    run_settings,
    shared_parse_cache,
)
from engine.snapshots import open_snapshot
from engine.testresults import given_reports
from engine.workspace import Workspace

if TYPE_CHECKING:  # the store (and SQLAlchemy) is imported only by runs that record
    from engine.model.diff import RuleRecord
    from engine.store.database import Store


def run(request: EvalRequest) -> int:
    """Evaluate once, write each report asked for, and return the exit status (0 holds,
    1 fails)."""
    outputs = plan_outputs(parse_formats(request.format), request.output, request.format_outputs)
    if request.baseline is not None and request.new_since is not None:
        raise InputError("--baseline and --new-since cannot be used together")
    request = replace(request, results=given_reports(request.results))
    known: tuple[list[RuleRecord], str] | None = None
    if request.baseline is not None:  # a bad file fails before any work
        from engine.baseline import load_baseline

        known = (load_baseline(request.baseline), str(request.baseline))
    with no_cycle_collection(), ExitStack() as stack:
        snapshot = open_snapshot(request.path, request.ref, request.staged)
        stack.callback(snapshot.close)
        store = None
        if request.store is not None:  # a store that cannot be used fails before any work
            from engine.store.database import open_store

            store = stack.enter_context(open_store(request.store or None))
        earlier = None
        if request.new_since is not None:  # an unknown ref fails before any work
            earlier = open_snapshot(request.path, request.new_since, ref_option="--new-since")
            stack.callback(earlier.close)
        workspace, fail_on = load_workspace(snapshot, request)
        inputs = inputs_of(workspace, request)
        for output in outputs:
            check_output(output.path, inputs)
        summary = step_summary(outputs)
        check_output(summary, inputs)
        table = Output("table") in outputs  # the table, on standard output
        format_name = "table" if table else outputs[0].format
        options = report_options(request, color=False)  # each output's colour: below
        progress = None
        if table and stdout_is_terminal():
            from engine.reporters.table import TerminalProgress

            progress = TerminalProgress(_color_allowed())
        # Both snapshots through one parse cache: the blobs they share are parsed once.
        cache = None
        if earlier is not None:
            cache = stack.enter_context(closing_cache(shared_parse_cache()))
        report = evaluate_workspace(
            workspace, snapshot, request, fail_on, progress, format_name, parse_cache=cache
        )
        if earlier is not None:
            from engine.baseline import records

            base_report = evaluate_workspace(
                workspace, earlier, request, fail_on, format_name=format_name, parse_cache=cache
            )
            known = (records(base_report.results), f"{request.new_since} ({earlier.info.commit})")
            from engine.config import base_waivers
            from engine.waivers import changed_since

            since = changed_since(report.waivers, base_waivers(earlier, request.config))
            report = replace(report, waivers=since)
        if store is not None:
            record_run(store, report, request)
    if known is not None:
        from engine.baseline import mark_known

        report = mark_known(report, *known)
    for output in outputs:
        to_terminal = output.path is None and stdout_is_terminal()
        colored = replace(options, color=to_terminal and _color_allowed())
        write_report(report, output.format, output.path, colored)
    if summary is not None:
        append_step_summary(report, summary, options)
    return 1 if report.verdict.fails else 0


def record_run(store: Store, report: Report, request: EvalRequest) -> int:
    """Record `report` in the store, with the repository it judged; returns the run's id."""
    from engine.snapshots.gitrepo import commit_date
    from engine.store.records import repository_of, run_record

    root = Path(report.snapshot.root)
    commit = report.snapshot.commit
    date = commit_date(root, commit) if commit else None
    record = run_record(report, repository_of(root), date, settings=run_settings(request))
    return store.record(record)


def step_summary(outputs: tuple[Output, ...]) -> Path | None:
    """The GitHub job summary file ($GITHUB_STEP_SUMMARY) when the run writes annotations."""
    found = os.environ.get("GITHUB_STEP_SUMMARY")
    if not found or not any(o.format == "github" for o in outputs):
        return None
    return Path(found)


def append_step_summary(report: Report, summary: Path, options: ReportOptions) -> None:
    """Append the Markdown report to the job summary, as GitHub Actions reads that file:
    every step appends to it, and GitHub renders what they wrote in order."""
    import io

    buffer = io.StringIO()
    reporter("markdown")(report, buffer, options)
    try:
        with summary.open("a", encoding="utf-8", newline="\n") as out:
            if out.tell():  # after what an earlier command wrote: start a new block
                out.write("\n")
            out.write(buffer.getvalue())
    except OSError as exc:
        raise InputError(
            f"cannot write the job summary {summary} (GITHUB_STEP_SUMMARY): {exc.strerror or exc}"
        ) from None


def report_options(request: EvalRequest, color: bool) -> ReportOptions:
    """How the report is drawn: under `--staged` without `--show`, the pre-commit
    hook's brief report, ending with the command that shows everything."""
    brief = request.staged and request.show is None
    rest = showing_everything(request) if brief else ""
    return ReportOptions(
        color=color,
        show=request.show,
        brief=brief,
        rest=rest,
        max_chars=request.max_chars,
        max_annotations=request.max_annotations,
    )


def showing_everything(request: EvalRequest) -> str:
    """The `policy eval` command that judges what `request` does and lists every rule."""
    import shlex

    words = ["policy", "eval"] + ([] if request.path == Path(".") else [str(request.path)])
    words += ["--staged"] if request.staged else []
    valued: dict[str, Iterable[object]] = {
        "--pack": request.packs,
        "--ref": [request.ref],
        "--category": request.categories,
        "--rule": request.rules,
        "--tag": request.tags,
        "--param": request.params,
        "--fail-on": [request.fail_on],
        "--config": [request.config],
        "--baseline": [request.baseline],
        "--new-since": [request.new_since],
    }
    for flag, values in valued.items():
        words += [word for value in values if value for word in (flag, str(value))]
    switches = {
        "--no-commands": request.no_commands,
        "--trust-repo": request.trust_repo,
        "--locked": request.locked,
    }
    words += [flag for flag, on in switches.items() if on]
    return shlex.join([*words, "--show", "all"])


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
    found.extend((path, "a test report this run reads (--results)") for path in request.results)
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
