"""The `policy` command line: options are parsed here, work is done in engine.commands.

Exit codes: 0 the run holds, 1 it fails, 2 the input is wrong (one line per
problem, naming file, line, column and rule), 3 an internal error; stopped by
a signal, after cleaning up, 128 + its number (130 Ctrl-C, 143 SIGTERM, 129
SIGHUP: engine/interrupts.py).

Options that several commands take are declared once, in engine/options.py:
groups applied as decorators, RULEPACK_* environment variables, and Tab
completion (click's, enabled by `_POLICY_COMPLETE=bash_source policy`).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from engine import __version__, options
from engine.errors import InputError
from engine.options import F
from engine.printable import echo, printable
from engine.reporters import DIFF_FORMATS, FLEET_FORMATS

#: Errors of writing (to standard output, mostly): exit 2 with the reason, as `-o` does.
_WRITE_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF)


def reports_input_errors(command: F) -> F:
    """Turn InputError into one line per problem and exit 2; never a traceback.

    Ctrl-C, SIGTERM and SIGHUP clean up the same way and exit 128 + the signal."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from engine.interrupts import stop_signals

        with stop_signals():  # also while the handlers below report and exit
            return reporting(*args, **kwargs)

    def reporting(*args: Any, **kwargs: Any) -> Any:
        from engine.commands.eval import discard_stdout, flush_stdout

        try:
            status = command(*args, **kwargs)
            flush_stdout()
        except InputError as exc:
            for problem in exc.problems:  # one line each, whatever the input held
                echo(f"policy: {printable(str(problem), newlines=False)}", err=True)
            sys.exit(2)
        except KeyboardInterrupt as exc:
            from engine.interrupts import stopped_message

            message, code = stopped_message(exc)
            with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone
                echo(f"policy: {message}", err=True)
            sys.exit(code)
        except BrokenPipeError:  # `policy ... | head`: the reader left; so do we, quietly
            discard_stdout()
            sys.exit(141)
        except click.exceptions.Exit:
            raise
        except Exception as exc:
            if isinstance(exc, OSError) and exc.errno in _WRITE_ERRORS:
                discard_stdout()  # what fails to be written is the output: a full disk, say
                echo(f"policy: error: cannot write: {exc.strerror}", err=True)
                sys.exit(2)
            if os.environ.get("RULEPACK_DEBUG"):
                raise
            what = printable(f"{type(exc).__name__}: {exc}", newlines=False)
            echo(
                f"policy: internal error: {what} (set RULEPACK_DEBUG=1 for the traceback)",
                err=True,
            )
            sys.exit(3)
        sys.exit(status or 0)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="rulepack")
def main() -> None:
    """rulepack: evaluate versioned YAML rule packs against a repository."""


#: `policy eval --help` ends with these; `\b` keeps click from rewrapping a block.
EVAL_EPILOG = """\
Examples:

\b
  policy eval                       the current folder, by its config's packs
  policy eval --pack production --no-commands
                                    only the rules that run no program
  policy eval --staged              what `git commit` would record
  policy eval --ref main --format json -o report.json
  policy eval --new-since origin/main
                                    fail only on findings main does not have
  policy eval --format github -o sarif=results.sarif
                                    annotations, and a SARIF file, in one run

Exit codes:

\b
  0              the run holds: no failure at --fail-on or above, none errored
  1              the run fails: a failure at --fail-on or above, or an error
  2              the input is wrong (a pack, the config, an option, a ref), or
                 the report cannot be written; one line per problem
  3              an internal error (RULEPACK_DEBUG=1 shows the traceback)
  130, 143, 129  stopped by Ctrl-C, SIGTERM or SIGHUP, after cleaning up
  141            the reader of the output left (policy eval | head)
"""


@main.command("eval", epilog=EVAL_EPILOG)
@click.argument("path", type=click.Path(path_type=Path), default=".")
@options.packs_option
@click.option(
    "--ref",
    metavar="REV",
    help="Evaluate the tree of a commit, branch or tag. Default: the working tree.",
)
@click.option(
    "--staged",
    is_flag=True,
    help="Evaluate the index (what `git commit` records). Default: the working tree.",
)
@options.output_options(
    options.report_formats(), format_envvar="RULEPACK_FORMAT", failing="fails", several=True
)
@options.show_options
@options.selection_options
@options.param_option(evaluation=True)
@options.execution_options
@options.results_option
@options.config_option
@options.report_limit_options
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="REPORT.json",
    help="Fail only on findings this earlier JSON report did not have. Default: fail on all.",
)
@click.option(
    "--new-since",
    metavar="REV",
    help="Fail only on findings the tree of REV does not have (evaluated the same way). "
    "Default: fail on all.",
)
@options.waiver_options
@options.min_level_option
@click.option(
    "--locked",
    is_flag=True,
    help="Remote (git:) packs only as rulepack.lock pins them: a missing or stale lock is an "
    "input error. Default: a remote pack the lock does not pin is resolved from the network.",
)
@options.store_option(recording=True)
@reports_input_errors
def eval_command(
    path: Path,
    packs: tuple[str, ...],
    ref: str | None,
    staged: bool,
    format_name: str | None,
    outputs: tuple[str, ...],
    fail_on: Any,
    show: Any,
    verbose: bool,
    categories: tuple[str, ...],
    rules: tuple[str, ...],
    tags: tuple[str, ...],
    params: tuple[str, ...],
    no_commands: bool,
    jobs: int,
    trust_repo: bool,
    results: tuple[Path, ...],
    config: Path | None,
    max_chars: int,
    max_annotations: int,
    baseline: Path | None,
    new_since: str | None,
    strict_waivers: bool,
    today: date | None,
    min_level: str | None,
    locked: bool,
    store: str | None,
) -> int:
    """Evaluate packs against a repository.

    PATH is the repository, or a folder of it (default: the current folder).
    Without --ref or --staged, its working tree is evaluated.
    """
    from engine.commands import eval as eval_
    from engine.commands.outputs import split_outputs
    from engine.runs import EvalRequest

    output, format_outputs = split_outputs(outputs)
    return eval_.run(
        EvalRequest(
            path=path,
            packs=packs,
            ref=ref,
            staged=staged,
            format=format_name,
            output=output,
            format_outputs=format_outputs,
            fail_on=fail_on,
            show=options.listed(show, verbose),
            categories=categories,
            rules=rules,
            tags=tags,
            params=params,
            no_commands=no_commands,
            jobs=jobs,
            trust_repo=trust_repo,
            results=results,
            config=config,
            max_chars=max_chars,
            max_annotations=max_annotations,
            baseline=baseline,
            new_since=new_since,
            strict_waivers=strict_waivers,
            today=today,
            min_level=min_level,
            locked=locked,
            store=store,
        )
    )


@main.command("diff")
@click.argument("base", metavar="BASE")
@click.argument("head", metavar="[HEAD]", required=False)
@click.option(
    "-C",
    "--repo",
    "path",
    type=click.Path(path_type=Path),
    default=".",
    help="The repository (or a folder of it) to compare in. Default: the current folder.",
)
@click.option("--staged", is_flag=True, help="Compare BASE with the index. Default: with HEAD.")
@options.packs_option
@options.output_options(DIFF_FORMATS, format_envvar=None, failing="gets worse")
@options.show_options
@options.selection_options
@options.param_option(evaluation=True)
@options.execution_options
@options.config_option
@options.waiver_options
@reports_input_errors
def diff_command(
    base: str, head: str | None, format_name: str | None, show: Any, verbose: bool, **chosen: Any
) -> int:
    """Show what changed from BASE to HEAD.

    What got better or worse: BASE and HEAD are refs; HEAD defaults to the
    working tree. Both are judged by the same rules (HEAD's packs and config);
    exit 1 only when something got worse at or above --fail-on.
    """
    from engine.commands import diff
    from engine.runs import EvalRequest

    evaluation = EvalRequest(format=format_name, show=options.listed(show, verbose), **chosen)
    return diff.run(diff.DiffRequest(base=base, head=head, evaluation=evaluation))


@main.command("history")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@options.packs_option
@click.option(
    "--branch",
    metavar="REV",
    help="The branch (or any rev) whose first-parent line is judged. Default: HEAD.",
)
@click.option(
    "--last",
    type=click.IntRange(min=1),
    metavar="N",
    help="Judge the newest N commits. Default: 30 (unless --since).",
)
@click.option(
    "--since",
    type=options.DayType(),
    help="Judge the commits made on this day (YYYY-MM-DD) or later. Default: --last 30.",
)
@options.store_option(recording=False)
@options.history_format_options
@options.selection_options
@options.param_option(evaluation=True)
@options.config_option
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="As for policy eval (history runs no program: command rules are skipped).",
)
@reports_input_errors
def history_command(
    path: Path,
    packs: tuple[str, ...],
    branch: str | None,
    last: int | None,
    since: date | None,
    store: str | None,
    format_name: str,
    output: Path | None,
    categories: tuple[str, ...],
    rules: tuple[str, ...],
    tags: tuple[str, ...],
    params: tuple[str, ...],
    config: Path | None,
    jobs: int,
) -> int:
    """Judge and record each commit of a branch.

    Each commit of the branch's first-parent line (newest first) is evaluated
    statically from git objects, without a checkout: command rules are skipped.
    Each run is recorded in the results store; a commit whose stored run used the
    same pack digests is not evaluated again. PATH is the repository (default: the
    current folder).
    """
    from engine.commands import history
    from engine.runs import EvalRequest

    evaluation = EvalRequest(
        packs=packs,
        categories=categories,
        rules=rules,
        tags=tags,
        params=params,
        config=config,
        jobs=jobs,
    )
    return history.run(
        history.HistoryRequest(
            path=path,
            evaluation=evaluation,
            branch=branch,
            last=last,
            since=since,
            store=store,
            format=format_name,
            output=output,
        )
    )


@main.command("trend")
@click.option(
    "--repo",
    metavar="NAME",
    help="The repository, by its name in the store. Default: the current folder's "
    "repository, else the store's only one.",
)
@click.option("--pack", metavar="NAME", help="Only runs that evaluated this pack. Default: all.")
@options.store_option(recording=False)
@options.history_format_options
@reports_input_errors
def trend_command(
    repo: str | None, pack: str | None, store: str | None, format_name: str, output: Path | None
) -> int:
    """Show a stored trend.

    Per commit: score, level, counts and the rules that changed status. Nothing
    is evaluated: the runs are those `policy eval --store` and `policy history`
    recorded.
    """
    from engine.commands import trend

    return trend.run(
        trend.TrendRequest(repo=repo, pack=pack, store=store, format=format_name, output=output)
    )


@main.command("fleet")
@click.argument("source", metavar="REPOS", type=click.Path(path_type=Path))
@options.packs_option
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes of the local Dask cluster. Default: one per core.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Run on the existing Dask cluster at ADDRESS (tcp://host:8786). Default: a local cluster.",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(list(FLEET_FORMATS)),
    default="table",
    help="Output format. Default: table.",
)
@options.output_file_option("the report")
@options.store_option(recording=False)
@reports_input_errors
def fleet_command(
    source: Path,
    packs: tuple[str, ...],
    workers: int | None,
    scheduler: str | None,
    format_name: str,
    output: Path | None,
    store: str | None,
) -> int:
    """Evaluate many repositories on Dask.

    REPOS is a REPOS.yaml file listing the repositories (path or url, ref,
    owner, tags), or a folder: every git repository directly inside it. Each
    is evaluated statically at its ref (no program runs), and the report rolls
    up per owner and per tag. Needs the extra: pip install 'rulepack[fleet]'.
    """
    from engine.commands import fleet

    return fleet.run(
        fleet.FleetRequest(
            source=source,
            packs=packs,
            workers=workers,
            scheduler=scheduler,
            format=format_name,
            output=output,
            store=store,
        )
    )


@main.group("hook")
def hook_group() -> None:
    """Install or remove a git pre-commit hook.

    The hook runs `policy eval --staged`: it judges what the commit records.
    """


@hook_group.command("install")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option(
    "--force",
    is_flag=True,
    help="Replace a pre-commit hook rulepack did not write (kept as pre-commit.before-rulepack).",
)
@reports_input_errors
def hook_install_command(path: Path, force: bool) -> int:
    """Write the repository's pre-commit hook.

    PATH is the repository (default: the current folder).
    """
    from engine.commands import hook

    return hook.install(path, force)


@hook_group.command("uninstall")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@reports_input_errors
def hook_uninstall_command(path: Path) -> int:
    """Remove the hook `policy hook install` wrote.

    The hook it replaced, if any, is put back. PATH is the repository (default: the current folder).
    """
    from engine.commands import hook

    return hook.uninstall(path)


@main.command("packs")
@options.listing_format_option
@options.trust_repo_option
@reports_input_errors
def packs_command(format_name: str, trust_repo: bool) -> int:
    """List the packs available.

    Name, version, source and rule count, in the order names are looked up
    (the repository's own last, unless --trust-repo); then the config's remote
    (git:) packs, with the version rulepack.lock pins, read from the cache.
    """
    from engine.commands import packs

    return packs.run(Path("."), format_name, trust_repo)


@main.command("lock")
@click.argument("path", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option(
    "--upgrade",
    is_flag=True,
    help="Move every remote pack to the newest tag its range allows. Default: keep each "
    "pinned version that still satisfies its range.",
)
@options.config_option
@reports_input_errors
def lock_command(path: Path, upgrade: bool, config: Path | None) -> int:
    """Pin the remote packs in rulepack.lock.

    Every git: pack of the repo config at PATH (default: the current folder), and
    every git: pack they extend, is resolved to a tag, fetched into the cache and
    written with its commit and digest to rulepack.lock beside the config.
    """
    from engine.commands import lock

    return lock.run(path, config, upgrade)


@main.command("rules")
@options.pack_option("production", help="Pack to list, by name or file.")
@options.param_option(evaluation=False)
@options.listing_format_option
@reports_input_errors
def rules_command(pack: str, params: tuple[str, ...], format_name: str) -> int:
    """List the rules of a pack."""
    from engine.commands import rules

    return rules.run(pack, params, format_name)


@main.command("explain")
@click.argument(
    "rule_id", metavar="RULE", shell_complete=options.completes(options.explained_rules)
)
@options.pack_option(None, help="Pack to look in. Default: the configured packs, then every pack.")
@options.param_option(evaluation=False)
@reports_input_errors
def explain_command(rule_id: str, pack: str | None, params: tuple[str, ...]) -> int:
    """Show one rule in full.

    RULE is the rule's id; its check, remediation and docs are shown.
    """
    from engine.commands import explain

    return explain.run(rule_id, pack, params)


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@reports_input_errors
def validate_command(files: tuple[Path, ...]) -> int:
    """Check pack files for mistakes.

    FILES are checked against the schema and for semantic mistakes; every
    problem is reported, located.
    """
    from engine.commands import validate

    return validate.run(files)


@main.command("test")
@click.argument(
    "pack_dir",
    metavar="PACK_DIR",
    type=click.Path(path_type=Path),
    shell_complete=options.complete_pack,
)
@click.option(
    "--case",
    "cases",
    multiple=True,
    metavar="NAME",
    help="Only this case (repeatable). Default: every case.",
)
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    default=0.0,
    show_default=True,
    metavar="PERCENT",
    help="Fail when fewer rules than this percentage are proven passing, failing and, "
    "where they can, skipping.",
)
@reports_input_errors
def test_command(pack_dir: Path, cases: tuple[str, ...], min_coverage: float) -> int:
    """Run a pack's fixtures and report coverage.

    Each case (PACK_DIR/tests/<case>/) is evaluated against its expected
    results. PACK_DIR is the pack's folder, or the name of a pack on disk.
    """
    from engine.commands import test

    return test.run(pack_dir, cases, min_coverage)


@main.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "parent",
    type=click.Path(path_type=Path, file_okay=False),
    default=".",
    show_default=True,
    help="Folder to create the pack folder in.",
)
@reports_input_errors
def new_command(name: str, parent: Path) -> int:
    """Scaffold a custom pack.

    NAME is the pack's name; it gets one rule and fixtures that prove it.
    """
    from engine.commands import new

    return new.run(name, parent)


@main.command("docs")
@options.pack_option("production", help="Pack to document, by name or file.")
@options.param_option(evaluation=False)
@options.output_file_option("the reference")
@reports_input_errors
def docs_command(pack: str, params: tuple[str, ...], output: Path | None) -> int:
    """Print a Markdown reference of a pack.

    It lists the pack's parameters, categories and rules.
    """
    from engine.commands import docs

    return docs.run(pack, params, output)


@main.command("waive")
@click.argument("rule_id", metavar="RULE")
@click.option(
    "--path",
    "paths",
    multiple=True,
    metavar="GLOB",
    help="Waive only the findings in files matching GLOB (repeatable). Default: the whole rule.",
)
@click.option(
    "--reason", required=True, help="Why the exception is acceptable. Default: none, give one."
)
@click.option(
    "--owner",
    required=True,
    help="Who answers for it: a person or a team. Default: none, give one.",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    required=True,
    help="It expires this many days from today (at most the config's max_waiver_days). "
    "Default: none, give one.",
)
@click.option("--ticket", metavar="T", help="A link or an id tracking the fix. Default: none.")
@click.option(
    "-C",
    "--repo",
    "path",
    type=click.Path(path_type=Path, file_okay=False),
    default=".",
    help="The repository. Default: the current folder.",
)
@options.config_option
@options.today_option
@reports_input_errors
def waive_command(rule_id: str, **values: Any) -> int:
    """Waive RULE in the repo config, until a date.

    The entry goes into the repo config (or its waivers_file), keeping its comments; the
    config is created when there is none; the rule must belong to one of its packs.
    """
    from engine.commands import waive

    return waive.run(waive.WaiveRequest(rule=rule_id, **values))


@main.command("init")
@click.argument("path", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--force", is_flag=True, help="Replace an existing .rulepack.yaml.")
@reports_input_errors
def init_command(path: Path, force: bool) -> int:
    """Write a starting .rulepack.yaml.

    The repo config is written, commented, in PATH (default: the current folder).
    """
    from engine.commands import init

    return init.run(path, force)


if __name__ == "__main__":  # pragma: no cover
    main()
