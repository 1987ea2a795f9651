"""JUnit XML reports as pytest, nextest, Surefire, jest-junit and gotestsum write them,
and reports that are refused: not XML, truncated, not JUnit, with a DOCTYPE."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.testresults import ReportError, TestCase, read_report

REPORTS = Path(__file__).parent.parent / "fixtures" / "test-reports"


def report(name: str) -> bytes:
    """A report as its runner writes it (tests/fixtures/test-reports/)."""
    return (REPORTS / name).read_bytes()


PYTEST_XUNIT1 = report("pytest-xunit1.xml")


def test_pytest_xunit1_cases_have_their_outcome_file_line_message_and_tags() -> None:
    assert read_report(PYTEST_XUNIT1) == (
        TestCase(
            "test_rejects_tls10",
            "tests.security.test_tls",
            "passed",
            0.12,
            file="tests/security/test_tls.py",
            line=14,
            tags=("security", "tls"),
        ),
        TestCase(
            "test_rejects_expired_cert",
            "tests.security.test_tls",
            "failed",
            0.25,
            "AssertionError: handshake succeeded",
            "tests/security/test_tls.py",
            31,
        ),
        TestCase(
            "test_pool",
            "tests.test_db",
            "errored",
            0.04,
            'failed on setup with "ConnectionRefusedError: [Errno 111]"',
            "tests/test_db.py",
            8,
        ),
        TestCase(
            "test_replica",
            "tests.test_db",
            "skipped",
            0.0,
            "no replica configured",
            "tests/test_db.py",
            20,
        ),
    )


def test_without_file_attributes_a_failure_is_placed_by_its_traceback() -> None:
    # pytest's default junit_family (xunit2) writes no file or line
    report = b"""<testsuites><testsuite name="pytest" tests="1">
    <testcase classname="tests.test_api" name="test_health" time="0.01">
    <failure message="assert 503 == 200">def test_health(client):
    &gt;   assert client.get("/healthz").status_code == 200
    E   assert 503 == 200

    tests/test_api.py:7: AssertionError</failure></testcase></testsuite></testsuites>"""
    (case,) = read_report(report)
    assert (case.file, case.line, case.message) == ("tests/test_api.py", 7, "assert 503 == 200")


NEXTEST = report("nextest.xml")


def test_nextest_retries_make_a_flaky_pass_and_a_failure_after_retries() -> None:
    flaky, failed, plain = read_report(NEXTEST)
    assert (flaky.outcome, flaky.flaky, flaky.retries) == ("passed", True, 2)
    assert (failed.outcome, failed.flaky, failed.retries) == ("failed", False, 1)
    # without a message attribute, the panic's message is the failure's
    assert failed.message == "assertion `left == right` failed"
    assert (failed.file, failed.line) == ("tests/integration.rs", 77)
    assert (plain.outcome, plain.retries, plain.seconds) == ("passed", 0, 0.01)


def test_a_surefire_report_is_one_testsuite_element() -> None:
    data = report("surefire.xml")
    failed, passed = read_report(data)
    assert (failed.full_name, failed.outcome, failed.message) == (
        "com.acme.billing.InvoiceServiceTest::totalsIncludeTax",
        "failed",
        "expected: <107.00> but was: <100.00>",
    )
    assert (failed.file, failed.line) == ("InvoiceServiceTest.java", 42)
    assert passed.outcome == "passed"


def test_jest_junit_places_a_failure_by_its_stack() -> None:
    data = report("jest-junit.xml")
    failed, _ = read_report(data)
    assert failed.message == "Error: expect(received).toBe(expected) // Object.is equality"
    assert (failed.file, failed.line) == ("/ci/app/src/__tests__/login.test.ts", 18)


def test_gotestsum_names_the_package_as_class_and_the_go_file_of_a_failure() -> None:
    data = report("gotestsum.xml")
    failed, passed = read_report(data)
    assert failed.full_name == "github.com/acme/svc/internal/auth::TestTokenExpiry"
    # gotestsum's message is only "Failed": the t.Error line says what failed
    assert (failed.file, failed.line, failed.message) == (
        "token_test.go",
        42,
        "expired token accepted",
    )
    assert passed.outcome == "passed"


def test_a_test_repeated_per_attempt_counts_once_by_its_last_attempt() -> None:
    attempt = '<testcase classname="tests.test_queue" name="{}" time="{}">{}</testcase>'
    failure = '<failure message="{}"/>'
    report = "".join(
        [
            '<testsuite name="pytest" tests="3">',
            attempt.format("test_drain", 0.5, failure.format("timeout")),
            attempt.format("test_drain", 0.4, ""),
            attempt.format("test_retry", 0.1, failure.format("a")),
            attempt.format("test_retry", 0.1, failure.format("b")),
            "</testsuite>",
        ]
    ).encode()
    drain, retry = read_report(report)
    assert (drain.outcome, drain.flaky, drain.retries, drain.seconds) == ("passed", True, 1, 0.4)
    assert (retry.outcome, retry.flaky, retry.retries, retry.message) == ("failed", False, 1, "b")


def test_a_time_that_is_not_a_number_leaves_the_test_untimed() -> None:
    (case,) = read_report(b'<testsuite><testcase name="t" time="soon"/></testsuite>')
    assert (case.outcome, case.seconds) == ("passed", None)


@pytest.mark.parametrize(
    ("data", "message", "line", "column"),
    [
        (b"", "the report is empty", None, None),
        (b"PASS src/app.test.js\n", "not a test report: neither XML", 1, 1),
        (
            b"<testsuites>\n<testsuite name='a'>\n<testcase name='t'>",
            "not well-formed XML: ",
            3,
            None,
        ),
        (b"<testsuite><testcase name='x'>&nbsp;</testcase></testsuite>", "Entity 'nbsp'", 1, None),
        (
            b'<?xml version="1.0"?>\n<coverage line-rate="0.9"/>',
            "not a JUnit report: the root element is <coverage>, not <testsuites> or <testsuite>",
            2,
            None,
        ),
    ],
)
def test_what_cannot_be_read_is_a_located_error(
    data: bytes, message: str, line: int | None, column: int | None
) -> None:
    with pytest.raises(ReportError) as caught:
        read_report(data)
    assert message in caught.value.message
    assert caught.value.line == line
    if column is not None:
        assert caught.value.column == column


LAUGHS = report("billion-laughs.xml")


def test_an_entity_declaration_is_refused_where_the_doctype_starts() -> None:
    with pytest.raises(ReportError) as caught:
        read_report(LAUGHS)
    assert caught.value.message.startswith("the report declares a DOCTYPE: entities are not")
    assert (caught.value.line, caught.value.column) == (2, 1)


@pytest.fixture
def canary() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request: a DTD fetched would show there."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY canary "FETCHED">')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def test_an_external_dtd_or_entity_is_never_fetched(
    canary: tuple[str, list[str]], tmp_path
) -> None:
    url, requests = canary
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-SECRET", encoding="utf-8")
    documents = [
        f'<!DOCTYPE testsuite SYSTEM "{url}/junit.dtd"><testsuite name="&canary;"/>',
        f'<!DOCTYPE t [<!ENTITY % remote SYSTEM "{url}/p.dtd"> %remote;]><testsuite/>',
        f'<!DOCTYPE t [<!ENTITY s SYSTEM "file://{secret}">]>'
        '<testsuite><testcase name="&s;"><failure message="&s;"/></testcase></testsuite>',
    ]
    for document in documents:
        with pytest.raises(ReportError) as caught:
            read_report(document.encode())
        assert "DOCTYPE" in caught.value.message
        assert "CANARY" not in caught.value.message
    assert requests == []


# -- against junitparser's own counts ---------------------------------------------------

OUTCOMES = st.sampled_from(["passed", "failed", "errored", "skipped"])
NAMES = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.tuples(NAMES, OUTCOMES, NAMES), max_size=6), min_size=1, max_size=3))
def test_outcomes_agree_with_junitparsers_statistics(
    suites: list[list[tuple[str, str, str]]],
) -> None:
    """Reports written by junitparser read back with the counts junitparser computes."""
    from junitparser import Error, Failure, JUnitXml, Skipped
    from junitparser import TestCase as JCase
    from junitparser import TestSuite as JSuite

    xml = JUnitXml()
    for n, cases in enumerate(suites):
        suite = JSuite(f"suite{n}")
        for i, (name, outcome, message) in enumerate(cases):
            case = JCase(f"{name}{i}", classname=f"suite{n}", time=0.5)
            if outcome != "passed":
                kind = {"failed": Failure, "errored": Error, "skipped": Skipped}[outcome]
                case.result = [kind(message)]
            suite.add_testcase(case)
        xml.add_testsuite(suite)
    xml.update_statistics()
    data = xml.tostring()
    reference = JUnitXml.fromstring(data)
    reference.update_statistics()
    read = read_report(data)
    assert len(read) == sum(len(s) for s in suites)
    counts = {o: sum(c.outcome == o for c in read) for o in ("failed", "errored", "skipped")}
    assert (counts["failed"], counts["errored"], counts["skipped"]) == (
        reference.failures,
        reference.errors,
        reference.skipped or 0,
    )
    expected = [
        (f"suite{n}", f"{name}{i}", outcome, _first_line(message) if outcome != "passed" else "")
        for n, cases in enumerate(suites)
        for i, (name, outcome, message) in enumerate(cases)
    ]
    assert [(c.classname, c.name, c.outcome, c.message) for c in read] == [
        # a failure or error without any message text is named by its outcome
        (*e[:3], e[3] or ("" if e[2] in ("passed", "skipped") else e[2]))
        for e in expected
    ]


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
