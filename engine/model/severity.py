"""How much a failed rule matters, and from which severity a failure fails the run."""

from __future__ import annotations

from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")  # most severe first

#: `--fail-on`: the lowest severity of a failure that fails the run, or never.
FailOn = Literal["error", "warning", "info", "never"]
FAIL_ON_LEVELS: tuple[FailOn, ...] = ("error", "warning", "info", "never")
