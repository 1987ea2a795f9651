"""libtest and nextest JSON events: outcomes, panics as file, line and message; the same
results read alike from JSON and from JUnit XML; what is not such a stream is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.testresults import ReportError, TestCase, read_report

CARGO_TEST_JSON = (
    Path(__file__).parent.parent / "fixtures" / "test-reports" / "cargo-test.json"
).read_bytes()


def test_cargo_test_events_give_outcomes_and_the_panics_place_and_message() -> None:
    assert read_report(CARGO_TEST_JSON) == (
        TestCase("config::tests::parses_defaults", "", "passed", 0.001),
        TestCase(
            "auth::tests::rejects_expired_token",
            "",
            "failed",
            0.004,
            "assertion `left == right` failed",
            "src/auth.rs",
            88,
        ),
        TestCase("db::tests::needs_postgres", "", "skipped"),
        TestCase("ingest::tests::drains_queue", "", "failed", message="timed out"),
    )


def test_nextest_names_carry_the_binary_as_class() -> None:
    events = [
        {"type": "suite", "event": "started", "test_count": 1, "nextest": {"crate": "ingest"}},
        {"type": "test", "event": "ok", "name": "ingest::integration$pool::reconnects"},
        {"type": "suite", "event": "ok", "passed": 1, "failed": 0, "ignored": 0},
    ]
    data = "\n".join(json.dumps(e) for e in events).encode()
    (case,) = read_report(data)
    assert (case.classname, case.name, case.full_name) == (
        "ingest::integration",
        "pool::reconnects",
        "ingest::integration::pool::reconnects",
    )


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b'{"type": "suite", "event": "started"}\n{"type": "test", "na', "not valid JSON", 2),
        (b"[1, 2]", "not a test report: libtest and nextest write one JSON object a line", 1),
        (b'{"numTotalTests": 3, "testResults": []}', "a line whose type is None", 1),
        (b'{"Action": "pass", "Package": "x"}', "not libtest or nextest events", 1),
    ],
)
def test_json_that_is_not_libtest_events_is_a_located_error(
    data: bytes, message: str, line: int
) -> None:
    with pytest.raises(ReportError) as caught:
        read_report(data)
    assert message in caught.value.message
    assert caught.value.line == line


# -- the same results as JSON events and as JUnit XML ---------------------------------

RESULTS = st.lists(
    st.tuples(
        st.from_regex(r"[a-z_]{1,8}(::[a-z_]{1,8}){0,2}", fullmatch=True),
        st.sampled_from(["ok", "failed", "ignored"]),
        st.from_regex(r"[A-Za-z][A-Za-z ,`=]{0,30}", fullmatch=True),
        st.integers(1, 500),
    ),
    max_size=8,
    unique_by=lambda r: r[0],
)


@settings(max_examples=100, deadline=None)
@given(RESULTS)
def test_json_events_read_as_junitparser_written_junit_reads(results) -> None:
    """cargo2junit's mapping (ok: a testcase, failed: <failure> with the output, ignored:
    <skipped>), written with junitparser, reads back as the events do."""
    from junitparser import Failure, JUnitXml, Skipped
    from junitparser import TestCase as JCase
    from junitparser import TestSuite as JSuite

    lines = [json.dumps({"type": "suite", "event": "started", "test_count": len(results)})]
    suite = JSuite("unit")
    for name, event, message, line in results:
        output = f"thread '{name}' panicked at src/lib.rs:{line}:5:\n{message}\n"
        lines.append(json.dumps({"type": "test", "event": event, "name": name, "stdout": output}))
        case = JCase(name, time=0.0)
        if event == "failed":
            failure = Failure(message)
            failure.text = output
            case.result = [failure]
        elif event == "ignored":
            case.result = [Skipped()]
        suite.add_testcase(case)
    xml = JUnitXml()
    xml.add_testsuite(suite)
    from_json = read_report("\n".join(lines).encode())
    from_xml = read_report(xml.tostring())

    def shape(case: TestCase) -> tuple[object, ...]:
        return (case.name, case.outcome, case.message, case.file, case.line)

    assert [shape(c) for c in from_json] == [shape(c) for c in from_xml]
