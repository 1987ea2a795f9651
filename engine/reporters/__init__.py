"""Reporters, registered once: one module per `--format`.

A reporter is a module of this package with `render(report, out, options)`,
described by one `Reporter` in `REPORTERS`; one that can also render what
`policy diff` found names the module whose `render_diff(diff, out, options)`
does it; one that renders what `policy history` and `policy trend` found names the
module whose `render_history(history, out, options)` does it. The CLI's
`--format` choices (for `eval`, `diff`, `history` and `trend`) and the format
list of the README follow from this registry (tests/reporters/test_registry.py).
Modules are imported on first use: `--format json` never imports rich.
Reporters only render: the verdict, the counts and the baseline marks are the
report's (engine/model/results.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from engine.model.results import Report, Status

if TYPE_CHECKING:  # the history model imports the store's records; reports need neither
    from engine.history.model import History
    from engine.model.diff import Diff

#: The Markdown report's budget: a GitHub comment holds 65,535 characters; some room is left.
DEFAULT_MAX_CHARS = 65_000
#: The smallest budget: the verdict, the counts and what was left out must fit.
MIN_MAX_CHARS = 1_000
#: GitHub annotations per severity: a step shows about ten of each.
DEFAULT_MAX_ANNOTATIONS = 10


@dataclass(frozen=True)
class ReportOptions:
    """How a reporter renders: colour, width and the limits of each format."""

    color: bool = False
    width: int | None = None  # terminal width; None lets the reporter decide
    max_chars: int = DEFAULT_MAX_CHARS  # markdown (and the job summary): characters at most
    max_annotations: int = DEFAULT_MAX_ANNOTATIONS  # github: annotations per severity
    # The statuses whose rules are listed (`--show`, `-v`); None: the format's default.
    show: frozenset[Status] | None = None
    # The pre-commit hook's report (`--staged`, no `--show`): what blocks, in one screen,
    # ending with `rest`, the command that shows everything.
    brief: bool = False
    rest: str = ""


@dataclass(frozen=True)
class Reporter:
    """One `--format`: its module, what it is for, and whether it renders a diff."""

    name: str
    summary: str  # one line, for `--help` and the README
    suffix: str  # what `--format A,B -o NAME` adds to NAME for this format's file
    diff_module: str | None = None  # the module with `render_diff`, when it has one
    history_module: str | None = None  # the module with `render_history`, when it has one
    fleet_module: str | None = None  # the module with `render_fleet`, when it has one

    @property
    def module(self) -> str:
        return f"engine.reporters.{self.name}"


REPORTERS: dict[str, Reporter] = {
    r.name: r
    for r in (
        Reporter(
            "table",
            "the terminal report, by category, with a summary",
            ".txt",
            "table_diff",
            "history_table",
            "fleet_table",
        ),
        Reporter(
            "json",
            "everything the run found (schemas/report.schema.json)",
            ".json",
            "json",
            "history_json",
            "fleet_json",
        ),
        Reporter(
            "markdown",
            "a report for a pull-request comment",
            ".md",
            history_module="history_markdown",
            fleet_module="fleet_markdown",
        ),
        Reporter("sarif", "SARIF 2.1.0 for code scanning", ".sarif"),
        Reporter("junit", "JUnit XML for CI test views", ".junit.xml"),
        Reporter("github", "GitHub Actions annotations", ".github.txt"),
        Reporter(
            "html",
            "one self-contained page with charts",
            ".html",
            history_module="history_html",
            fleet_module="fleet_html",
        ),
    )
}
#: The formats `policy diff` can write.
DIFF_FORMATS: tuple[str, ...] = tuple(name for name, r in REPORTERS.items() if r.diff_module)
#: The formats `policy history` and `policy trend` can write.
HISTORY_FORMATS: tuple[str, ...] = tuple(n for n, r in REPORTERS.items() if r.history_module)
#: The formats `policy fleet` can write (each module's `render_fleet` renders
#: engine/fleet/rollup.py's FleetReport).
FLEET_FORMATS: tuple[str, ...] = tuple(n for n, r in REPORTERS.items() if r.fleet_module)


class Render(Protocol):
    def __call__(self, report: Report, out: TextIO, options: ReportOptions) -> None: ...


class RenderHistory(Protocol):
    def __call__(self, history: History, out: TextIO, options: ReportOptions) -> None: ...


class RenderDiff(Protocol):
    def __call__(self, diff: Diff, out: TextIO, options: ReportOptions) -> None: ...


def reporter(name: str) -> Render:
    """The render function of a format (KeyError for an unknown one)."""
    module = importlib.import_module(REPORTERS[name].module)
    render: Render = module.render
    return render


def diff_reporter(name: str) -> RenderDiff:
    """The function that renders a diff in a format (KeyError when the format has none)."""
    render: RenderDiff = _function(REPORTERS[name].diff_module, "render_diff", name)
    return render


def history_reporter(name: str) -> RenderHistory:
    """The function that renders a history in a format (KeyError when the format has none)."""
    render: RenderHistory = _function(REPORTERS[name].history_module, "render_history", name)
    return render


def fleet_reporter(name: str) -> Callable[[Any, TextIO, ReportOptions], None]:
    """The function that renders a fleet report in a format (KeyError when it has none)."""
    render: Callable[[Any, TextIO, ReportOptions], None] = _function(
        REPORTERS[name].fleet_module, "render_fleet", name
    )
    return render


def _function(module: str | None, function: str, name: str) -> Any:
    if module is None:
        raise KeyError(name)
    return getattr(importlib.import_module(f"engine.reporters.{module}"), function)
