"""The command line's shared options: declared once, in groups, with their environment
variables and their shell completion.

Options that several commands take are groups applied as decorators
(selection, params, execution, output, config). The main options of `eval`
and `diff` can be set by RULEPACK_* environment variables, shown in `--help`;
the command line wins over them. Tab completion offers pack names, rule ids,
categories and tags, gathered by engine/completion.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click
from click.core import ParameterSource

from engine.model.results import STATUS_WORDS, STATUSES, Status
from engine.model.severity import FAIL_ON_LEVELS
from engine.reporters import (
    DEFAULT_MAX_ANNOTATIONS,
    DEFAULT_MAX_CHARS,
    MIN_MAX_CHARS,
    REPORTERS,
)

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from engine.completion import Choice

F = TypeVar("F", bound=Callable[..., Any])
ShellComplete = Callable[[click.Context, click.Parameter, str], list["CompletionItem"]]
#: The words of the evaluated packs an option completes with: a function of
#: engine/completion.py, by name, since that module is imported only at a Tab.
PackWords = Literal["category_ids", "rule_ids", "tags", "level_ids"]


def completes(choices: Callable[[click.Context], Iterable[Choice]]) -> ShellComplete:
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


def _pack_names(ctx: click.Context) -> list[Choice]:
    from engine import completion

    return completion.pack_names(_root(ctx))


_complete_pack_name = completes(_pack_names)


def complete_pack(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Pack names, and file names for `--pack FILE`."""
    from click.shell_completion import CompletionItem

    names = _complete_pack_name(ctx, param, incomplete)
    # The file item first: bash's completion script forgets the words before it.
    return [CompletionItem(incomplete, type="file"), *names]


def of_evaluated_packs(words: PackWords) -> ShellComplete:
    """Complete with `words` of the packs this `eval` or `diff` would run."""

    def choices(ctx: click.Context) -> list[Choice]:
        from engine import completion

        packs = completion.evaluated_packs(
            _root(ctx), ctx.params.get("packs") or (), ctx.params.get("config")
        )
        found: list[Choice] = getattr(completion, words)(packs)
        return found

    return completes(choices)


def explained_rules(ctx: click.Context) -> list[Choice]:
    from engine import completion

    return completion.rule_ids(completion.explained_packs(ctx.params.get("pack")))


def report_formats() -> tuple[str, ...]:
    """The `--format` choices of `eval`: every reporter."""
    return tuple(REPORTERS)


def fail_on_levels() -> tuple[str, ...]:
    """The `--fail-on` choices: the levels a report's verdict is judged at."""
    return FAIL_ON_LEVELS


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
        shell_complete=complete_pack,
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
        shell_complete=complete_pack,
        help=help,
    )


def _filter_option(
    name: str,
    dest: str,
    metavar: str,
    words: PackWords,
    does: str,
    default: str,
) -> Callable[[F], F]:
    """A repeatable filter on the rules, completed with `words` of the packs evaluated."""
    return click.option(
        name,
        dest,
        multiple=True,
        metavar=metavar,
        shell_complete=of_evaluated_packs(words),
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
                "category_ids",
                "Only rules of this category",
                "every category",
            ),
            _filter_option("--rule", "rules", "ID", "rule_ids", "Only this rule", "every rule"),
            _filter_option("--tag", "tags", "TAG", "tags", "Only rules with this tag", "any tags"),
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


def trust_repo_option(command: F) -> F:
    """--trust-repo: the evaluated repository's own packs are trusted like the user's."""
    return env_option(
        "--trust-repo/--no-trust-repo",
        "trust_repo",
        default=False,
        envvar="RULEPACK_TRUST_REPO",
        help="Trust the repository being evaluated: the packs it brings (its .rulepack.yaml, "
        "pack_path, .rulepack/packs/) may run programs and are found by name before the "
        "built-in ones, and rules run programs the repository's files choose "
        "(--no-trust-repo undoes RULEPACK_TRUST_REPO). Default: those rules are skipped "
        "and a name resolves to a built-in or RULEPACK_PATH pack first.",
    )(command)


def execution_options(command: F) -> F:
    """--no-commands, --jobs, --trust-repo: how command rules run, and whose."""
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
            trust_repo_option,
        ],
    )


def results_option(command: F) -> F:
    """--results PATH, repeatable: test reports outside the snapshot (CI artifacts)."""
    return env_option(
        "--results",
        "results",
        multiple=True,
        metavar="PATH",
        type=click.Path(path_type=Path),
        envvar="RULEPACK_RESULTS",
        help="A test report (JUnit XML, libtest or nextest JSON), or a folder of them "
        "(its .xml and .json files), for the rules that read test results; read, never "
        "written (repeatable). Default: only the reports in the snapshot.",
    )(command)


def output_file_option(what: str) -> Callable[[F], F]:
    """-o FILE: where `what` goes instead of standard output."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        help=f"Write {what} to FILE. Default: standard output.",
    )


if TYPE_CHECKING:
    _TextParam = click.ParamType[str]
else:  # click before 8.2 has no generic ParamType
    _TextParam = click.ParamType


class FormatList(_TextParam):
    """One format or several separated by commas (`json,sarif`), each one of `choices`."""

    name = "format_list"

    def __init__(self, choices: Sequence[str]) -> None:
        self.choices = tuple(choices)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(self.choices) + "][,...]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        unknown = [p.strip() for p in str(value).split(",") if p.strip() not in self.choices]
        if unknown:
            self.fail(f"{unknown[0]!r} is not one of {', '.join(self.choices)}", param, ctx)
        return str(value)

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> Any:
        from click.shell_completion import CompletionItem

        done, _, last = incomplete.rpartition(",")
        prefix = done + "," if done else ""
        return [CompletionItem(prefix + c) for c in self.choices if c.startswith(last)]


def _several_outputs_option(command: F) -> F:
    """-o FILE | FORMAT=FILE, repeatable: `eval`'s reports, one evaluation for all."""
    return click.option(
        "-o",
        "--output",
        "outputs",
        multiple=True,
        metavar="FILE|FORMAT=FILE",
        help="Write the report to FILE; with several formats, each to FILE plus the format's "
        "suffix (-o report: report.json, report.sarif). FORMAT=FILE names one format's file "
        "(repeatable; adds the format). Default: standard output.",
    )(command)


def output_options(
    formats: Sequence[str], format_envvar: str | None, failing: str, several: bool = False
) -> Callable[[F], F]:
    """--format (one of `formats`), -o, --fail-on: what is written and what fails the run.

    `failing` says what of a rule fails the run: "fails" for eval, "gets worse" for diff.
    With `several` (eval), --format takes a comma-separated list and -o repeats.
    """

    def apply(command: F) -> F:
        return _apply(
            command,
            [
                env_option(
                    "--format",
                    "format_name",
                    type=FormatList(formats) if several else click.Choice(formats),
                    envvar=format_envvar,
                    help="Output format"
                    + (", or several separated by commas" if several else "")
                    + ". Default: table.",
                ),
                _several_outputs_option if several else output_file_option("the report"),
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


#: The words of `--show`: each status as the reports count it ("3 passed"), then `all`.
SHOW_WORDS: dict[str, Status] = {STATUS_WORDS[status]: status for status in STATUSES}
SHOW_ALL = "all"


def show_choices() -> tuple[str, ...]:
    """What `--show` takes: the statuses' words, and `all`."""
    return (*SHOW_WORDS, SHOW_ALL)


def _shown(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> Any:
    """The statuses `--show` names, from comma-separated words (repeatable); None if none."""
    words = [word.strip() for value in values or () for word in value.split(",") if word.strip()]
    if not words:
        return None
    unknown = [word for word in words if word not in show_choices()]
    if unknown:
        raise click.BadParameter(
            f"{unknown[0]!r} is not one of {', '.join(show_choices())} (comma-separated)"
        )
    if SHOW_ALL in words:
        return frozenset(STATUSES)
    return frozenset(SHOW_WORDS[word] for word in words)


def _complete_show(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """The `--show` words, after the comma-separated ones already typed."""
    from click.shell_completion import CompletionItem

    typed, comma, last = incomplete.rpartition(",")
    taken = set(typed.split(","))
    return [
        CompletionItem(typed + comma + word)
        for word in show_choices()
        if word.startswith(last) and word not in taken
    ]


def show_options(command: F) -> F:
    """--show STATUSES and -v: which rules the table report lists (the others are counted)."""
    return _apply(
        command,
        [
            env_option(
                "--show",
                "show",
                multiple=True,
                metavar="STATUSES",
                envvar="RULEPACK_SHOW",
                callback=_shown,
                shell_complete=_complete_show,
                help="Rules of these statuses are listed in the table report: "
                f"{', '.join(show_choices())}, comma-separated (repeatable). "
                "Default: failed,errored,waived (eval --staged: only what fails the run, "
                "in one screen; diff: the rules that changed).",
            ),
            click.option(
                "-v", "--verbose", is_flag=True, help="List every rule, as --show all does."
            ),
        ],
    )


def listed(show: frozenset[Status] | None, verbose: bool) -> frozenset[Status] | None:
    """The statuses to list, from `--show` and `-v` (None: the report's default)."""
    return frozenset(STATUSES) if verbose else show


def report_limit_options(command: F) -> F:
    """--max-chars, --max-annotations: how much the CI formats say, to fit where they land."""
    return _apply(
        command,
        [
            env_option(
                "--max-chars",
                type=click.IntRange(MIN_MAX_CHARS),
                metavar="N",
                default=DEFAULT_MAX_CHARS,
                show_default=True,
                envvar="RULEPACK_MAX_CHARS",
                help="Characters the markdown report (and the GitHub job summary) may take: "
                "findings, then whole sections, are left out to fit, and a closing line "
                "says what (a GitHub comment holds 65,535).",
            ),
            env_option(
                "--max-annotations",
                type=click.IntRange(0),
                metavar="N",
                default=DEFAULT_MAX_ANNOTATIONS,
                show_default=True,
                envvar="RULEPACK_MAX_ANNOTATIONS",
                help="GitHub annotations per severity (error, warning, notice), the most "
                "severe first; one more notice counts those left out.",
            ),
        ],
    )


def min_level_option(command: F) -> F:
    """--min-level LEVEL: the maturity level the evaluated packs must reach."""
    return env_option(
        "--min-level",
        "min_level",
        metavar="LEVEL",
        envvar="RULEPACK_MIN_LEVEL",
        shell_complete=of_evaluated_packs("level_ids"),
        help="Exit 1 when a pack that declares LEVEL (bronze, silver, ...) does not reach it, "
        "whatever --fail-on says. Default: the config's min_level, else none.",
    )(command)


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


# ParamType takes type arguments only from click 8.2 on; pyproject accepts 8.1.
class DayType(click.ParamType):  # type: ignore[type-arg]
    """A `YYYY-MM-DD` date, as a `datetime.date`."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from datetime import date

        if isinstance(value, date):
            return value
        from engine.waivers import parse_date

        day = parse_date(str(value))
        if day is None:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)
        return day


def today_option(command: F) -> F:
    """--today: the day waivers are judged on (tests and reproducible runs set it)."""
    return env_option(
        "--today",
        "today",
        type=DayType(),
        envvar="RULEPACK_TODAY",
        help="Judge waivers as on this day: which are expired, which expire soon, how far "
        "an expiry may be. Default: the local date.",
    )(command)


def waiver_options(command: F) -> F:
    """--strict-waivers, --today: how the config's waivers are judged."""
    return _apply(
        command,
        [
            env_option(
                "--strict-waivers/--no-strict-waivers",
                "strict_waivers",
                default=False,
                envvar="RULEPACK_STRICT_WAIVERS",
                help="Exit 1 when a waiver is unused (it covers nothing in this run) or "
                "expired. Default: report them only.",
            ),
            today_option,
        ],
    )


def store_option(recording: bool) -> Callable[[F], F]:
    """--store [URL]: the results store. For `eval` (`recording`) the flag alone records the
    run in the default store; history and trend always use one."""
    where = "RULEPACK_STORE, else results.db in the user data folder"
    if recording:
        return click.option(
            "--store",
            "store",
            is_flag=False,
            flag_value="",
            default=None,
            metavar="[URL]",
            help=f"Also record the run in the results store URL (sqlite:///PATH or "
            f"postgresql://USER@HOST/DB; alone: {where}). Default: not recorded.",
        )
    return click.option(
        "--store",
        "store",
        metavar="URL",
        help=f"The results store (sqlite:///PATH or postgresql://USER@HOST/DB). Default: {where}.",
    )


def history_format_options(command: F) -> F:
    """--format and -o of `history` and `trend`."""
    from engine.reporters import HISTORY_FORMATS

    return _apply(
        command,
        [
            click.option(
                "--format",
                "format_name",
                type=click.Choice(HISTORY_FORMATS),
                default="table",
                show_default=True,
                help="Output format (html: the trend as charts, in one self-contained file).",
            ),
            output_file_option("the history"),
        ],
    )
