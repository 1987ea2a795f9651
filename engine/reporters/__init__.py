"""Reporters: one module per `--format`, each with `render(report, out, options)`.

Modules are imported on first use: `--format json` never imports rich.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from engine.model.results import Report

#: --format name -> module under engine.reporters
REPORTERS: dict[str, str] = {
    "table": "table",
    "json": "json",
    "markdown": "markdown",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "html": "html",
}


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    width: int | None = None  # terminal width; None lets the reporter decide


class Render(Protocol):
    def __call__(self, report: Report, out: TextIO, options: ReportOptions) -> None: ...


def reporter(name: str) -> Render:
    """The render function of a format (KeyError for an unknown one)."""
    module = importlib.import_module(f"engine.reporters.{REPORTERS[name]}")
    render: Render = module.render
    return render
