"""What the command line promises whatever its input (cli.py, engine/errors.py).

- Exit 0 (holds), 1 (fails) or 2 (the input is wrong); never 3, never a traceback.
- Exit 2: stderr holds at least one error, and every line is one problem:
  `policy: FILE:LINE:COL: error: ...` (or `FILE:LINE:`, or `FILE:` for a whole
  file), with FILE a file the run read; or `policy: error: --option ...` for a
  problem of an option. Warnings have the same shape with `warning`.
- Exit 0 or 1: stdout is a JSON report valid against schemas/report.schema.json,
  no rule in it met an internal error, and stderr holds warnings only.
- `policy validate` prints the same problems without the `policy: ` prefix
  (errors on stderr) and exits 0 or 2.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema

from tests.conftest import ROOT, CliResult

#: A located problem: FILE, then `:LINE` and `:COL` when known, then the level.
LOCATED = re.compile(
    r"(?P<file>.+?)(?::(?P<line>\d+)(?::(?P<column>\d+))?)?: (?P<level>error|warning): "
)
#: A problem of an option has no file: its message starts with the option's name.
OPTION = re.compile(r"(?P<level>error|warning): --[a-z][a-z-]*\b")


@dataclass(frozen=True)
class ProblemLine:
    level: str
    file: str | None


def problem_line(line: str, known_file: Callable[[str], bool]) -> ProblemLine:
    """The problem `line` reports; fails the test when the line breaks the contract."""
    option = OPTION.match(line)
    if option:
        return ProblemLine(option["level"], None)
    located = LOCATED.match(line)
    assert located, f"not a located one-line problem: {line!r}"
    assert known_file(located["file"]), f"names no file the run read: {line!r}"
    return ProblemLine(located["level"], located["file"])


def no_crash(result: CliResult) -> None:
    """Exit 0, 1 or 2; no traceback, no internal error."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert "internal error" not in result.stderr, result.stderr
    assert result.exit_code in (0, 1, 2), f"exit {result.exit_code}: {result.stderr}"


def check_eval(result: CliResult, known_file: Callable[[str], bool]) -> list[ProblemLine]:
    """Assert the contract of `policy eval --format json`; returns its problems."""
    no_crash(result)
    problems = []
    for line in result.stderr.splitlines():
        assert line.startswith("policy: "), f"stderr line without `policy: `: {line!r}"
        problems.append(problem_line(line.removeprefix("policy: "), known_file))
    errors = [p for p in problems if p.level == "error"]
    if result.exit_code == 2:
        assert errors, f"exit 2 without an error: {result.stderr!r}"
    else:
        assert not errors, f"exit {result.exit_code} with errors: {result.stderr}"
        jsonschema.validate(json.loads(result.stdout), report_schema())
        # a rule that meets an exception the engine did not foresee errors with this
        assert "internal error in rulepack" not in result.stdout, result.stdout
    return problems


def check_validate(result: CliResult, known_file: Callable[[str], bool]) -> list[ProblemLine]:
    """Assert the contract of `policy validate FILE`; returns its problems."""
    no_crash(result)
    assert result.exit_code in (0, 2), f"validate exit {result.exit_code}: {result.stderr}"
    *lines, summary = result.stdout.splitlines()
    assert re.fullmatch(r"1 file\(s\) checked: \d+ error\(s\), \d+ warning\(s\)", summary)
    problems = [
        problem_line(line, known_file)
        for line in [*lines, *result.stderr.splitlines()]
        if not line.endswith(": ok")
    ]
    assert any(p.level == "error" for p in problems) == (result.exit_code == 2), result.stderr
    return problems


@cache
def report_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((ROOT / "schemas/report.schema.json").read_text())
    return schema
