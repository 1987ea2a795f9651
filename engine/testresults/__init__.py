"""Test result reports, as test runners write them, read into one shape: `TestCase`s.

`read_report(data)` tells the format from the content: JUnit XML (pytest
--junitxml, cargo-nextest, Maven Surefire, Gradle, jest-junit, Vitest,
go-junit-report, gotestsum: `junit.py`) or the JSON event lines of libtest
(`cargo test -- --format json`) and of cargo-nextest's libtest-json output
(`libtest.py`). What it cannot read is a `ReportError` with the line and column,
when there is one; nothing is fetched, no entity is expanded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from engine.errors import InputError

Outcome = Literal["passed", "failed", "errored", "skipped"]


@dataclass(frozen=True)
class TestCase:
    """One test as its report tells it: the last attempt's outcome, and earlier ones.

    `flaky`: it passed after failing (a retry); `retries`: attempts before the last.
    `message` is the first line of the failure (or skip) message; `file` and `line`
    are where the report (or the failure's traceback) places the test.
    """

    __test__ = False  # not a pytest test class

    name: str
    classname: str
    outcome: Outcome
    seconds: float | None = None
    message: str = ""
    file: str | None = None
    line: int | None = None
    flaky: bool = False
    retries: int = 0
    tags: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        """`classname::name`, as findings name the test (the name alone without a class)."""
        return f"{self.classname}::{self.name}" if self.classname else self.name


class ReportError(Exception):
    """A report that cannot be read: not XML or JSON, truncated, a DOCTYPE, an unknown runner."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def read_report(data: bytes) -> tuple[TestCase, ...]:
    """The test cases of a report, whichever runner wrote it; ReportError when unreadable."""
    text_start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if text_start == b"<":
        from engine.testresults import junit

        return junit.read(data)
    if text_start in (b"{", b"["):
        from engine.testresults import libtest

        return libtest.read(data)
    if not text_start:
        raise ReportError("the report is empty")
    raise ReportError("not a test report: neither XML (JUnit) nor JSON (libtest events)", 1, 1)


def first_line(text: str | None) -> str:
    """The first non-blank line of a message, stripped; '' for none."""
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


#: The files of a --results folder that are read as test reports.
REPORT_SUFFIXES = (".xml", ".json", ".jsonl")


def given_reports(paths: Iterable[Path]) -> tuple[Path, ...]:
    """The report files `--results` names: each file, and the reports under each folder
    (sorted); a path that is neither is an input error."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.suffix in REPORT_SUFFIXES and p.is_file())
            )
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"--results {path}: no such file or folder")
    return tuple(dict.fromkeys(found))
