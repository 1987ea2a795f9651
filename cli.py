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
from pathlib import Path
from typing import Any

import click

from engine import __version__, options
from engine.errors import InputError
from engine.options import F
from engine.printable import echo, printable
from engine.reporters import DIFF_FORMATS

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


@main.command("eval")
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
@options.output_options(options.report_formats(), format_envvar="RULEPACK_FORMAT", failing="fails")
@options.selection_options
@options.param_option(evaluation=True)
@options.execution_options
@options.config_option
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
@options.min_level_option
@reports_input_errors
def eval_command(
    path: Path,
    packs: tuple[str, ...],
    ref: str | None,
    staged: bool,
    format_name: str | None,
    output: Path | None,
    fail_on: Any,
    categories: tuple[str, ...],
    rules: tuple[str, ...],
    tags: tuple[str, ...],
    params: tuple[str, ...],
    no_commands: bool,
    jobs: int,
    trust_repo: bool,
    config: Path | None,
    baseline: Path | None,
    new_since: str | None,
    min_level: str | None,
) -> int:
    """Evaluate packs against the repository at PATH (default: the current folder).

    Without --ref or --staged, PATH's working tree is evaluated.
    """
    from engine.commands import eval as eval_

    return eval_.run(
        eval_.EvalRequest(
            path=path,
            packs=packs,
            ref=ref,
            staged=staged,
            format=format_name,
            output=output,
            fail_on=fail_on,
            categories=categories,
            rules=rules,
            tags=tags,
            params=params,
            no_commands=no_commands,
            jobs=jobs,
            trust_repo=trust_repo,
            config=config,
            baseline=baseline,
            new_since=new_since,
            min_level=min_level,
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
@options.selection_options
@options.param_option(evaluation=True)
@options.execution_options
@options.config_option
@reports_input_errors
def diff_command(base: str, head: str | None, format_name: str | None, **options: Any) -> int:
    """What got better or worse from BASE to HEAD (refs; HEAD defaults to the working tree).

    Both are judged by the same rules (HEAD's packs and config); exit 1 only
    when something got worse at or above --fail-on.
    """
    from engine.commands import diff
    from engine.commands.eval import EvalRequest

    evaluation = EvalRequest(format=format_name, **options)
    return diff.run(diff.DiffRequest(base=base, head=head, evaluation=evaluation))


@main.group("hook")
def hook_group() -> None:
    """A git pre-commit hook that runs `policy eval --staged`."""


@hook_group.command("install")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@click.option(
    "--force",
    is_flag=True,
    help="Replace a pre-commit hook rulepack did not write (kept as pre-commit.before-rulepack).",
)
@reports_input_errors
def hook_install_command(path: Path, force: bool) -> int:
    """Write the pre-commit hook of the repository at PATH (default: the current folder)."""
    from engine.commands import hook

    return hook.install(path, force)


@hook_group.command("uninstall")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@reports_input_errors
def hook_uninstall_command(path: Path) -> int:
    """Remove the pre-commit hook `policy hook install` wrote (and restore the one it replaced).

    PATH is the repository (default: the current folder).
    """
    from engine.commands import hook

    return hook.uninstall(path)


@main.command("packs")
@options.listing_format_option
@options.trust_repo_option
@reports_input_errors
def packs_command(format_name: str, trust_repo: bool) -> int:
    """List the packs available: name, version, source, rule count, in the order names
    are looked up (the repository's own last, unless --trust-repo)."""
    from engine.commands import packs

    return packs.run(Path("."), format_name, trust_repo)


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
    """Show the rule RULE (its id) in full: its check, remediation and docs."""
    from engine.commands import explain

    return explain.run(rule_id, pack, params)


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@reports_input_errors
def validate_command(files: tuple[Path, ...]) -> int:
    """Check pack FILES against the schema and for semantic mistakes; report every problem."""
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
    """Run a pack's fixtures (PACK_DIR/tests/<case>/) against their expected results.

    PACK_DIR is the pack's folder, or the name of a pack on disk.
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
    """Scaffold a custom pack NAME with one rule and fixtures that prove it."""
    from engine.commands import new

    return new.run(name, parent)


@main.command("docs")
@options.pack_option("production", help="Pack to document, by name or file.")
@options.param_option(evaluation=False)
@options.output_file_option("the reference")
@reports_input_errors
def docs_command(pack: str, params: tuple[str, ...], output: Path | None) -> int:
    """Print a Markdown reference of a pack: its parameters, categories and rules."""
    from engine.commands import docs

    return docs.run(pack, params, output)


@main.command("init")
@click.argument("path", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--force", is_flag=True, help="Replace an existing .rulepack.yaml.")
@reports_input_errors
def init_command(path: Path, force: bool) -> int:
    """Write a starting .rulepack.yaml (repo config) in PATH (default: the current folder)."""
    from engine.commands import init

    return init.run(path, force)


if __name__ == "__main__":  # pragma: no cover
    main()
