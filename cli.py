"""The `policy` command line: options are parsed here, work is done in engine.commands.

Exit codes: 0 the run holds, 1 it fails, 2 the input is wrong (one line per
problem, naming file, line, column and rule), 3 an internal error.

Options that several commands take are declared once, in groups applied as
decorators (selection, params, execution, output, config). The main options
of `eval` and `diff` can be set by RULEPACK_* environment variables, shown in
`--help`; the command line wins over them. Tab completion (click's, enabled by
`_POLICY_COMPLETE=bash_source policy`) offers pack names, rule ids,
categories and tags from engine/completion.py.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from engine import __version__, completion
from engine.errors import InputError
from engine.reporters import REPORTERS
from engine.results import FAIL_ON_LEVELS

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from engine.packs.model import Pack

F = TypeVar("F", bound=Callable[..., Any])
ShellComplete = Callable[[click.Context, click.Parameter, str], list["CompletionItem"]]


def report_formats() -> tuple[str, ...]:
    """The `--format` choices of `eval`: every reporter."""
    return tuple(REPORTERS)


# `policy diff` writes its own table and JSON (engine/commands/diff.py), not a report.
DIFF_FORMATS = ("table", "json")


def fail_on_levels() -> tuple[str, ...]:
    """The `--fail-on` choices: the levels engine.results judges a run at."""
    return FAIL_ON_LEVELS


def reports_input_errors(command: F) -> F:
    """Turn InputError into one line per problem and exit 2; never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            status = command(*args, **kwargs)
        except InputError as exc:
            for problem in exc.problems:
                click.echo(f"policy: {problem}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("policy: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:  # `policy ... | head`: the reader left; so do we, quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except click.exceptions.Exit:
            raise
        except Exception as exc:
            if os.environ.get("RULEPACK_DEBUG"):
                raise
            click.echo(
                f"policy: internal error: {type(exc).__name__}: {exc} "
                "(set RULEPACK_DEBUG=1 for the traceback)",
                err=True,
            )
            sys.exit(3)
        sys.exit(status or 0)

    return wrapper  # type: ignore[return-value]


class EnvOption(click.Option):
    """An option that an environment variable sets when the command line does not.

    The variable of a repeatable option holds its values as shell words:
    `RULEPACK_PACK="production './our pack.yaml'"` is two packs (click alone
    would split at every space). An error names the variable only when the
    value came from it (click names it whatever the source).
    """

    def value_from_envvar(self, ctx: click.Context) -> Any:
        if not self.multiple:
            return super().value_from_envvar(ctx)
        text = self.resolve_envvar_value(ctx)
        if text is None:
            return None
        import shlex

        try:
            return shlex.split(text)
        except ValueError as exc:  # an unclosed quote
            raise click.BadParameter(f"{text!r}: {exc}", param_hint=self._env_hint()) from None

    def get_error_hint(self, ctx: click.Context | None) -> str:
        source = ctx.get_parameter_source(self.name) if ctx and self.name else None
        if source is ParameterSource.ENVIRONMENT:
            return self._env_hint()
        return " / ".join(f"'{name}'" for name in self.opts)

    def _env_hint(self) -> str:
        return f"'{self.opts[-1]}' (env var: '{self.envvar}')"


def env_option(*decls: str, envvar: str | None, **attrs: Any) -> Callable[[F], F]:
    """click.option that `envvar` sets when the command line does not (shown in --help)."""
    return click.option(
        *decls, cls=EnvOption, envvar=envvar, show_envvar=envvar is not None, **attrs
    )


def completes(choices: Callable[[click.Context], Iterable[completion.Choice]]) -> ShellComplete:
    """A shell completion callback offering the `choices` that start with what is typed.

    Completion runs at every Tab: whatever goes wrong (a broken pack or
    config, a folder that is not there) completes nothing, without a word.
    """

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        try:
            found = list(choices(ctx))
        except Exception:
            return []
        return [
            CompletionItem(c.value, help=c.help) for c in found if c.value.startswith(incomplete)
        ]

    return complete


def _root(ctx: click.Context) -> Path:
    """The folder the command would read: `eval PATH`, `diff -C PATH`, else the current one."""
    if ctx.command.name == "eval" and ctx.args:
        # click parses up to the option being completed: arguments before it are left over
        return Path(ctx.args[0])
    return Path(ctx.params.get("path") or ".")


def _pack_names(ctx: click.Context) -> list[completion.Choice]:
    return completion.pack_names(_root(ctx))


_complete_pack_name = completes(_pack_names)


def _complete_pack(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Pack names, and file names for `--pack FILE`."""
    from click.shell_completion import CompletionItem

    names = _complete_pack_name(ctx, param, incomplete)
    # The file item first: bash's completion script forgets the words before it.
    return [CompletionItem(incomplete, type="file"), *names]


def _of_evaluated_packs(
    words: Callable[[Sequence[Pack]], list[completion.Choice]],
) -> ShellComplete:
    """Complete with `words` of the packs this `eval` or `diff` would run."""

    def choices(ctx: click.Context) -> list[completion.Choice]:
        packs = completion.evaluated_packs(
            _root(ctx), ctx.params.get("packs") or (), ctx.params.get("config")
        )
        return words(packs)

    return completes(choices)


def _apply(command: F, options: Sequence[Callable[[F], F]]) -> F:
    for option in reversed(options):
        command = option(command)
    return command


def packs_option(command: F) -> F:
    """--pack, repeatable: the packs `eval` and `diff` run."""
    return env_option(
        "--pack",
        "packs",
        multiple=True,
        metavar="NAME|FILE",
        envvar="RULEPACK_PACK",
        shell_complete=_complete_pack,
        help="Pack to evaluate, by name or file (repeatable). "
        "Default: the packs of the config, else production.",
    )(command)


def pack_option(default: str | None, help: str) -> Callable[[F], F]:
    """--pack, once: the pack `rules`, `explain` and `docs` read."""
    return click.option(
        "--pack",
        "pack",
        default=default,
        show_default=default is not None,
        metavar="NAME|FILE",
        shell_complete=_complete_pack,
        help=help,
    )


def _filter_option(
    name: str,
    dest: str,
    metavar: str,
    words: Callable[[Sequence[Pack]], list[completion.Choice]],
    does: str,
    default: str,
) -> Callable[[F], F]:
    """A repeatable filter on the rules, completed with `words` of the packs evaluated."""
    return click.option(
        name,
        dest,
        multiple=True,
        metavar=metavar,
        shell_complete=_of_evaluated_packs(words),
        help=f"{does} (repeatable). Default: {default}.",
    )


def selection_options(command: F) -> F:
    """--category, --rule, --tag: which rules run; the others are skipped, "filtered out"."""
    return _apply(
        command,
        [
            _filter_option(
                "--category",
                "categories",
                "ID",
                completion.category_ids,
                "Only rules of this category",
                "every category",
            ),
            _filter_option(
                "--rule", "rules", "ID", completion.rule_ids, "Only this rule", "every rule"
            ),
            _filter_option(
                "--tag", "tags", "TAG", completion.tags, "Only rules with this tag", "any tags"
            ),
        ],
    )


def param_option(evaluation: bool) -> Callable[[F], F]:
    """--param KEY=VALUE, repeatable; RULEPACK_PARAM sets it for the commands that evaluate."""
    default = "the config's params, else the packs' own values" if evaluation else "the pack's own"
    return env_option(
        "--param",
        "params",
        multiple=True,
        metavar="KEY=VALUE",
        envvar="RULEPACK_PARAM" if evaluation else None,
        help=f"Set a pack parameter; VALUE is read as YAML (repeatable). Default: {default}.",
    )


def execution_options(command: F) -> F:
    """--no-commands, --jobs: how command rules run."""
    return _apply(
        command,
        [
            env_option(
                "--no-commands/--commands",
                "no_commands",
                default=False,
                envvar="RULEPACK_NO_COMMANDS",
                help="Skip every rule that runs a program (--commands runs them even when "
                "RULEPACK_NO_COMMANDS is set). Default: run them.",
            ),
            env_option(
                "--jobs",
                type=click.IntRange(1, 64),
                default=1,
                show_default=True,
                envvar="RULEPACK_JOBS",
                help="Command rules to run at once (results keep their order).",
            ),
        ],
    )


def output_file_option(what: str) -> Callable[[F], F]:
    """-o FILE: where `what` goes instead of standard output."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        help=f"Write {what} to FILE. Default: standard output.",
    )


def output_options(
    formats: Sequence[str], format_envvar: str | None, failing: str
) -> Callable[[F], F]:
    """--format (one of `formats`), -o, --fail-on: what is written and what fails the run.

    `failing` says what of a rule fails the run: "fails" for eval, "gets worse" for diff.
    """

    def apply(command: F) -> F:
        return _apply(
            command,
            [
                env_option(
                    "--format",
                    "format_name",
                    type=click.Choice(formats),
                    envvar=format_envvar,
                    help="Output format. Default: table.",
                ),
                output_file_option("the report"),
                env_option(
                    "--fail-on",
                    type=click.Choice(fail_on_levels()),
                    envvar="RULEPACK_FAIL_ON",
                    help=f"Exit 1 when a rule {failing} at this severity or above, "
                    "or cannot be evaluated; never: do not exit 1. "
                    "Default: the config's fail_on, else error.",
                ),
            ],
        )

    return apply


def config_option(command: F) -> F:
    """--config FILE: the repo config, instead of the snapshot's own."""
    return env_option(
        "--config",
        "config",
        type=click.Path(path_type=Path, dir_okay=False),
        envvar="RULEPACK_CONFIG",
        help="Repo config to use. Default: .rulepack.yaml in the snapshot (diff: in HEAD).",
    )(command)


def listing_format_option(command: F) -> F:
    """--format table|json of the commands that list things."""
    return click.option(
        "--format",
        "format_name",
        type=click.Choice(("table", "json")),
        default="table",
        show_default=True,
        help="table for people, json for programs.",
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="rulepack")
def main() -> None:
    """rulepack: evaluate versioned YAML rule packs against a repository."""


@main.command("eval")
@click.argument("path", type=click.Path(path_type=Path), default=".")
@packs_option
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
@output_options(report_formats(), format_envvar="RULEPACK_FORMAT", failing="fails")
@selection_options
@param_option(evaluation=True)
@execution_options
@config_option
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
    config: Path | None,
    baseline: Path | None,
    new_since: str | None,
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
            config=config,
            baseline=baseline,
            new_since=new_since,
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
@packs_option
@output_options(DIFF_FORMATS, format_envvar=None, failing="gets worse")
@selection_options
@param_option(evaluation=True)
@execution_options
@config_option
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
@listing_format_option
@reports_input_errors
def packs_command(format_name: str) -> int:
    """List the packs available: name, version, source, rule count."""
    from engine.commands import packs

    return packs.run(Path("."), format_name)


@main.command("rules")
@pack_option("production", help="Pack to list, by name or file.")
@param_option(evaluation=False)
@listing_format_option
@reports_input_errors
def rules_command(pack: str, params: tuple[str, ...], format_name: str) -> int:
    """List the rules of a pack."""
    from engine.commands import rules

    return rules.run(pack, params, format_name)


def _explained_rules(ctx: click.Context) -> list[completion.Choice]:
    return completion.rule_ids(completion.explained_packs(ctx.params.get("pack")))


@main.command("explain")
@click.argument("rule_id", metavar="RULE", shell_complete=completes(_explained_rules))
@pack_option(None, help="Pack to look in. Default: the configured packs, then every pack.")
@param_option(evaluation=False)
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
    "pack_dir", metavar="PACK_DIR", type=click.Path(path_type=Path), shell_complete=_complete_pack
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
    help="Fail when fewer rules than this are seen both passing and failing.",
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
@pack_option("production", help="Pack to document, by name or file.")
@param_option(evaluation=False)
@output_file_option("the reference")
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
