"""JUnit XML reports, read by junitparser over lxml, with no DOCTYPE allowed.

The de-facto format (Ant's, extended by Maven Surefire and Jenkins' xunit
plugin) that pytest --junitxml, cargo-nextest, Surefire and Gradle, jest-junit,
Vitest, go-junit-report and gotestsum write: `<testsuites>` (or one
`<testsuite>`) holding `<testcase name classname time [file line]>` with a
`<failure>`, `<error>` or `<skipped>` child when it did not pass. Retries are
`<flakyFailure>`/`<flakyError>` (it passed on a later attempt) and
`<rerunFailure>`/`<rerunError>` (it failed every attempt), as Surefire, Gradle
and nextest write them; a test repeated in the report (its earlier attempts
as testcases of their own, as the `flaky` plugin writes them) counts once, by
its last attempt.

A document with a DOCTYPE is refused before anything is parsed: expat stops at
the root element's start, so no entity is declared, expanded or fetched, and
libxml2 (which substitutes entities in attribute values whatever it is told)
never sees one.
"""

from __future__ import annotations

import re
from typing import Any

from engine.testresults import Outcome, ReportError, TestCase, first_line

#: Property names (of a testcase's <properties>, pytest's record_property) read as tags.
TAG_PROPERTIES = frozenset({"tag", "tags", "category", "categories", "marker", "markers", "group"})
#: Where a failure's text names the test's place: pytest's and Go's `path:line: ...`,
#: Rust's `panicked at path:line:column`, a JavaScript or Java stack's `(path:line[:column])`.
_SOURCE = r"[^\s:()'\"]+\.(?:py|go|rs|js|jsx|ts|tsx|mjs|cjs|mts|cts|java|kt|rb|cs|swift|scala)"
_PLACE = re.compile(
    rf"(?m)^\s*(?P<a>{_SOURCE}):(?P<al>\d+):|panicked at (?P<b>{_SOURCE}):(?P<bl>\d+):"
    rf"|\((?P<c>{_SOURCE}):(?P<cl>\d+)(?::\d+)?\)"
)


#: Failure messages that say only that a test failed.
GENERIC_MESSAGES = frozenset({"failed", "failure", "test failure", "error"})
#: A Go test's `t.Error` line: `    handler_test.go:31: status = 200, want 400`.
_GO_MESSAGE = re.compile(r"(?m)^\s+[\w.-]+_test\.go:\d+: (.+)$")


class _Stop(Exception):
    """Raised by the prolog scan at the root element: no DOCTYPE can follow."""


def _refuse_doctype(data: bytes) -> None:
    """ReportError when the document declares a DOCTYPE (an internal subset, an external DTD)."""
    from xml.parsers import expat

    parser = expat.ParserCreate()

    def doctype(*_: Any) -> None:
        start = data.rfind(b"<!DOCTYPE", 0, parser.CurrentByteIndex + 1)
        line, column = parser.CurrentLineNumber, None
        if start >= 0:  # where the declaration starts (expat is past its name)
            line = data.count(b"\n", 0, start) + 1
            column = start - data.rfind(b"\n", 0, start)
        raise ReportError(
            "the report declares a DOCTYPE: entities are not expanded and DTDs are not "
            "fetched, so it is not read",
            line,
            column,
        )

    def root(*_: Any) -> None:
        raise _Stop

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = root
    try:
        parser.Parse(data, True)
    except _Stop:
        return
    except expat.ExpatError:
        return  # lxml reports the syntax error, with its own words


def _parse(data: bytes) -> Any:
    from lxml import etree

    _refuse_doctype(data)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        message = re.sub(r", line \d+, column \d+$", "", exc.msg or "not well-formed")
        raise ReportError(f"not well-formed XML: {message}", line, column) from None


def read(data: bytes) -> tuple[TestCase, ...]:
    """The test cases of a JUnit XML report."""
    from junitparser import Attr, JUnitXmlError, xunit2

    root = _parse(data)

    class Case(xunit2.TestCase):
        file = Attr()
        line = Attr()

    class Suite(xunit2.TestSuite):
        testcase = Case

    class Report(xunit2.JUnitXml):
        testsuite = Suite

    tag = root.tag if isinstance(root.tag, str) else "?"
    try:
        report = Report.fromroot(root)
    except JUnitXmlError:
        raise ReportError(
            f"not a JUnit report: the root element is <{tag}>, not <testsuites> or <testsuite>",
            root.sourceline,
        ) from None
    attempts: dict[tuple[str, str, str], list[TestCase]] = {}
    suite: Any
    for suite in report:
        for case in suite:
            read_case = _case(case, suite.name or "", suite.file)
            key = (read_case.classname, read_case.name, read_case.file or "")
            attempts.setdefault(key, []).append(read_case)
    return tuple(_last_attempt(tries) for tries in attempts.values())


def _case(case: Any, suite_name: str, suite_file: str | None) -> TestCase:
    from junitparser import Error, Failure, Skipped

    results = case.result
    failures = [r for r in results if isinstance(r, Failure)]
    errors = [r for r in results if isinstance(r, Error)]
    skips = [r for r in results if isinstance(r, Skipped)]
    outcome: Outcome = "passed"
    message = ""
    text = ""
    if failures or errors:
        outcome = "failed" if failures else "errored"
        final = (failures or errors)[0]
        text = final.text or ""
        message = _failure_message(final.message, text) or outcome
    elif skips:
        outcome = "skipped"
        message = first_line(skips[0].message) or first_line(skips[0].text)
    flaky = case.flaky_failures() + case.flaky_errors()
    reruns = case.rerun_failures() + case.rerun_errors()
    file, line = _place(case, suite_file, text or "".join(r.text or "" for r in flaky))
    return TestCase(
        name=case.name or "",
        classname=case.classname or suite_name,
        outcome=outcome,
        seconds=_seconds(case),
        message=message,
        file=file,
        line=line,
        flaky=outcome == "passed" and bool(flaky),
        retries=len(flaky) + len(reruns),
        tags=_tags(case),
    )


def _failure_message(attribute: str | None, text: str) -> str:
    """The first line of a failure's message attribute, unless it says no more than that
    the test failed (nextest writes none, gotestsum `Failed`): then what the output says,
    a Rust panic's message or Go's `file_test.go:42: message`, else its first line."""
    from engine.testresults.libtest import panic_message

    given = first_line(attribute)
    if given and given.lower() not in GENERIC_MESSAGES:
        return given
    go = _GO_MESSAGE.search(text)
    return panic_message(text) or (go.group(1).strip() if go else "") or first_line(text) or given


def _seconds(case: Any) -> float | None:
    try:
        seconds = case.time
    except ValueError:  # `time="abc"`: the report's, not ours; the test still counts
        return None
    return float(seconds) if seconds is not None else None


def _place(case: Any, suite_file: str | None, text: str) -> tuple[str | None, int | None]:
    """The test's file and line: its own attributes, else where its failure points."""
    file = case.file or suite_file
    line = int(case.line) if (case.line or "").isdigit() else None
    if line is None:
        for match in _PLACE.finditer(text):
            path = match.group("a") or match.group("b") or match.group("c")
            number = match.group("al") or match.group("bl") or match.group("cl")
            if file is None or path.endswith(file) or file.endswith(path):
                return file or path, int(number)
    return file, line


def _tags(case: Any) -> tuple[str, ...]:
    tags: list[str] = []
    for prop in case.properties():
        if (prop.name or "").lower() in TAG_PROPERTIES:
            tags.extend(t.strip() for t in (prop.value or "").split(",") if t.strip())
    if case.group:
        tags.append(case.group)
    return tuple(dict.fromkeys(tags))


def _last_attempt(tries: list[TestCase]) -> TestCase:
    """A test reported once per attempt, as its last attempt; earlier failures are retries."""
    last = tries[-1]
    if len(tries) == 1:
        return last
    from dataclasses import replace

    earlier = tries[:-1]
    failed_before = any(t.outcome in ("failed", "errored") for t in earlier)
    return replace(
        last,
        retries=last.retries + len(earlier),
        flaky=last.flaky or (last.outcome == "passed" and failed_before),
    )
