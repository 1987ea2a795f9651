"""`tests` checks end to end: reports in the snapshot and from --results, selection,
thresholds, flaky tests, the statistics in the JSON report, and bad reports."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

PYTEST = (
    Path(__file__).parent.parent / "fixtures" / "test-reports" / "pytest-mixed.xml"
).read_text(encoding="utf-8")

REPORTS = '["test-results/*.xml"]'


def report_check(**options: str) -> str:
    """A tests check in flow YAML; values are written as given."""
    return "{tests: {" + ", ".join(f"{k}: {v}" for k, v in options.items()) + "}}"


def findings(run, rule: str = "r") -> list[tuple[str | None, int | None, str]]:
    return [(f["path"], f["line"], f["message"]) for f in run.result(rule)["findings"]]


@pytest.fixture
def repo(make_repo):
    return make_repo({"test-results/pytest.xml": PYTEST, "pyproject.toml": "[project]\n"})


def test_failed_and_errored_tests_are_findings_at_their_file_and_line(
    evaluate, repo, check_pack
) -> None:
    run = evaluate(repo, check_pack(report_check(reports=REPORTS)))
    assert run.exit_code == 1
    result = run.result()
    assert result["status"] == "fail"
    assert result["message"] == (
        "3 of 6 test(s) that ran failed: success rate 50% is below 100% (and 3 more)"
    )
    assert findings(run) == [
        (None, None, "3 of 6 test(s) that ran failed: success rate 50% is below 100%"),
        (
            "tests/security/test_tls.py",
            31,
            "tests.security.test_tls::test_rejects_expired failed: "
            "AssertionError: handshake succeeded",
        ),
        (
            "tests/test_auth.py",
            9,
            "tests.test_auth::test_logout failed: AssertionError: handshake succeeded",
        ),
        (
            "tests/test_db.py",
            8,
            "tests.test_db::test_pool errored: ConnectionRefusedError: [Errno 111]",
        ),
    ]
    assert result["notes"] == [
        {
            "path": "tests/test_db.py",
            "message": "flaky: tests.test_db::test_migrate passed after 1 failed attempt",
        }
    ]


def test_the_result_carries_the_statistics_and_the_failure_analysis(
    evaluate, repo, check_pack
) -> None:
    run = evaluate(repo, check_pack(report_check(reports=REPORTS)))
    assert run.result()["tests"] == {
        "tests": 7,
        "passed": 3,
        "failed": 2,
        "errored": 1,
        "skipped": 1,
        "flaky": 1,
        "success_rate": 50.0,
        "duration_s": 3.1,
        "reports": ["test-results/pytest.xml"],
        "failure_groups": [
            {
                "message": "AssertionError: handshake succeeded",
                "count": 2,
                "tests": [
                    "tests.security.test_tls::test_rejects_expired",
                    "tests.test_auth::test_logout",
                ],
            },
            {
                "message": "ConnectionRefusedError: [Errno 111]",
                "count": 1,
                "tests": ["tests.test_db::test_pool"],
            },
        ],
        "slowest": [
            {"name": "tests.security.test_tls::test_rejects_expired", "duration_s": 1.5},
            {"name": "tests.security.test_tls::test_rejects_tls10", "duration_s": 0.5},
            {"name": "tests.test_db::test_migrate", "duration_s": 0.5},
            {"name": "tests.test_db::test_pool", "duration_s": 0.3},
            {"name": "tests.test_auth::test_login", "duration_s": 0.2},
        ],
    }


def test_select_takes_the_tests_any_pattern_matches(evaluate, repo, check_pack) -> None:
    select = '{name: "(?i)tls10", file: "tests/test_auth.py", tag: "^security$"}'
    run = evaluate(repo, check_pack(report_check(reports=REPORTS, select=select, min_pass_rate=50)))
    assert run.status() == "pass"
    assert run.result()["message"] == (
        "2 of 3 test(s) passed (name /(?i)tls10/ or file tests/test_auth.py or tag /^security$/); "
        "success rate 66.67%"
    )
    assert run.result()["tests"]["tests"] == 3


def test_select_by_classname_and_a_pass_rate_below_100(evaluate, repo, check_pack) -> None:
    run = evaluate(
        repo,
        check_pack(
            report_check(reports=REPORTS, select='{classname: "test_db"}', min_pass_rate=60)
        ),
    )
    assert run.status() == "fail"
    assert findings(run)[0] == (
        None,
        None,
        "1 of 2 test(s) that ran failed: success rate 50% is below 60%",
    )
    run = evaluate(
        repo,
        check_pack(
            report_check(reports=REPORTS, select='{classname: "test_db"}', min_pass_rate=50)
        ),
    )
    assert run.status() == "pass"
    assert run.result()["message"] == (
        "1 of 3 test(s) passed (classname /test_db/) (1 skipped, 1 flaky); success rate 50%"
    )


def test_min_tests_max_skipped_and_max_duration_are_findings_each(
    evaluate, repo, check_pack
) -> None:
    check = report_check(
        reports=REPORTS,
        select='{classname: "test_db"}',
        min_pass_rate=0,
        min_tests=4,
        max_skipped=0,
        max_duration=0.5,
    )
    run = evaluate(repo, check_pack(check))
    assert findings(run) == [
        (
            None,
            None,
            "3 test(s) selected by classname /test_db/ (of 7 in the reports), expected at least 4",
        ),
        (None, None, "1 test(s) skipped, at most 0 allowed"),
        (None, None, "the tests took 0.8 s, more than 0.5 s"),
    ]


def test_no_selected_test_fails_naming_the_selection(evaluate, repo, check_pack) -> None:
    run = evaluate(repo, check_pack(report_check(reports=REPORTS, select='{name: "bench_"}')))
    assert run.status() == "fail"
    assert run.result()["message"] == (
        "0 test(s) selected by name /bench_/ (of 7 in the reports), expected at least 1"
    )


def test_without_a_report_the_rule_skips_with_a_hint_for_the_language(
    evaluate, make_repo, check_pack
) -> None:
    run = evaluate(make_repo({"go.mod": "module x\n"}), check_pack(report_check(reports=REPORTS)))
    assert run.exit_code == 0
    assert run.status() == "skip"
    assert run.result()["reason"] == (
        "no test report: nothing matches test-results/*.xml and none given with --results; "
        "write one with Go: `gotestsum --junitfile test-results/go.xml`, "
        "then commit it or pass it with --results PATH"
    )
    assert "tests" not in run.result()


def test_without_a_language_the_hint_names_every_runner(evaluate, make_repo, check_pack) -> None:
    run = evaluate(make_repo({"README.md": "x"}), check_pack(report_check()))
    reason = run.result()["reason"]
    assert reason.startswith("no test report: none given with --results; write one with Rust: ")
    for runner in ("pytest --junitxml", "jest-junit", "gotestsum", "Surefire", "gradle test"):
        assert runner in reason


def test_otherwise_is_evaluated_when_there_is_no_report(evaluate, make_repo, check_pack) -> None:
    check = report_check(reports=REPORTS, otherwise='{file: {exists: ["Makefile"]}}')
    run = evaluate(make_repo({"README.md": "x"}), check_pack(check))
    assert (run.status(), run.result()["message"]) == ("fail", "none of Makefile exists")
    run = evaluate(make_repo({"Makefile": "x", "test-results/a.xml": PYTEST}), check_pack(check))
    assert run.result()["message"].startswith("3 of 6 test(s) that ran failed")


def test_reports_with_no_test_case_skip(evaluate, make_repo, check_pack) -> None:
    repo = make_repo(
        {"test-results/empty.xml": '<testsuites><testsuite name="pytest" tests="0"/></testsuites>'}
    )
    run = evaluate(repo, check_pack(report_check(reports=REPORTS)))
    assert (run.status(), run.result()["reason"]) == (
        "skip",
        "the test reports hold no test case: test-results/empty.xml",
    )


def test_results_outside_the_snapshot_are_read_and_left_as_they_were(
    evaluate, make_repo, check_pack, tmp_path
) -> None:
    artifact = tmp_path / "artifacts" / "junit.xml"
    artifact.parent.mkdir()
    artifact.write_text(PYTEST, encoding="utf-8")
    os.utime(artifact, (1_000_000, 1_000_000))
    run = evaluate(make_repo({"README.md": "x"}), check_pack(report_check()), "--results", artifact)
    assert run.result()["tests"]["reports"] == [str(artifact)]
    assert run.result()["tests"]["tests"] == 7
    assert artifact.read_text(encoding="utf-8") == PYTEST
    assert artifact.stat().st_mtime == 1_000_000


def test_a_results_folder_gives_its_xml_and_json_reports_and_the_variable_sets_it(
    evaluate, make_repo, check_pack, tmp_path
) -> None:
    folder = tmp_path / "ci"
    (folder / "nested").mkdir(parents=True)
    (folder / "b.xml").write_text(PYTEST, encoding="utf-8")
    (folder / "nested" / "a.json").write_text(
        '{"type": "suite", "event": "started"}\n{"type": "test", "event": "ok", "name": "x"}\n',
        encoding="utf-8",
    )
    (folder / "notes.txt").write_text("not a report", encoding="utf-8")
    run = evaluate(make_repo(), check_pack(report_check()), env={"RULEPACK_RESULTS": str(folder)})
    assert run.result()["tests"]["reports"] == [
        str(folder / "b.xml"),
        str(folder / "nested/a.json"),
    ]
    assert run.result()["tests"]["tests"] == 8


def test_a_results_path_that_is_not_there_exits_2(
    evaluate, make_repo, check_pack, tmp_path
) -> None:
    run = evaluate(make_repo(), check_pack(report_check()), "--results", tmp_path / "nope.xml")
    assert run.exit_code == 2
    assert (
        run.stderr == f"policy: error: --results {tmp_path / 'nope.xml'}: no such file or folder\n"
    )


def test_output_may_not_overwrite_a_results_file(
    policy, make_repo, write_pack, check_pack, tmp_path
) -> None:
    artifact = tmp_path / "junit.xml"
    artifact.write_text(PYTEST, encoding="utf-8")
    pack = write_pack(check_pack(report_check()))
    done = policy("eval", make_repo(), "--pack", pack, "--results", artifact, "-o", artifact)
    assert done.exit_code == 2
    assert "names a test report this run reads (--results)" in done.stderr
    assert artifact.read_text(encoding="utf-8") == PYTEST


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            "PASS src/a.test.js",
            "test-results/bad.xml:1: not a test report: neither XML (JUnit) nor JSON "
            "(libtest events) (line 1, column 1)",
        ),
        (
            '<testsuite name="x"><testcase name="t">',
            "test-results/bad.xml:1: not well-formed XML: ",
        ),
        (
            "<coverage/>",
            "test-results/bad.xml:1: not a JUnit report: the root element is <coverage>",
        ),
        (
            '<!DOCTYPE t [<!ENTITY a "b">]><testsuite/>',
            "test-results/bad.xml:1: the report declares a DOCTYPE",
        ),
        ('{"Action": "run"}', "test-results/bad.xml:1: not a test report this engine reads"),
        ("", "test-results/bad.xml: the report is empty"),
    ],
)
def test_a_bad_report_makes_its_rule_error_and_the_run_goes_on(
    evaluate, make_repo, pack_text, content, reason
) -> None:
    repo = make_repo({"test-results/bad.xml": content, "test-results/good.xml": PYTEST})
    bad = report_check(reports='["test-results/bad.xml"]')
    good = report_check(reports='["test-results/good.xml"]', min_pass_rate=0)
    pack = pack_text(
        f"""\
        - {{id: bad, title: T, category: general, check: {bad}}}
        - {{id: good, title: T, category: general, check: {good}}}
        """
    )
    run = evaluate(repo, pack)
    assert run.exit_code == 1
    assert run.status("bad") == "error"
    assert run.result("bad")["reason"].startswith(reason)
    assert run.status("good") == "pass"


def test_a_report_over_max_bytes_is_an_error_naming_the_cap(
    evaluate, make_repo, check_pack, tmp_path
) -> None:
    run = evaluate(
        make_repo({"test-results/a.xml": PYTEST}),
        check_pack(report_check(reports=REPORTS, max_bytes=100)),
    )
    assert run.status() == "error"
    size = len(PYTEST.encode())
    assert (
        run.result()["reason"]
        == f"test-results/a.xml: {size:,} bytes is over the 100-byte cap (max_bytes)"
    )
    big = tmp_path / "big.xml"
    big.write_text(PYTEST, encoding="utf-8")
    run = evaluate(make_repo(), check_pack(report_check(max_bytes=100)), "--results", big)
    assert run.result()["reason"] == f"{big}: {size:,} bytes is over the 100-byte cap (max_bytes)"


def test_a_message_template_names_the_test_and_its_failure(evaluate, repo, check_pack) -> None:
    check = report_check(
        reports=REPORTS,
        select='{classname: "test_db"}',
        message='"{{ test }} ({{ outcome }}): {{ failure }} in {{ report }}{{ pass_rate }}"',
    )
    run = evaluate(repo, check_pack(check))
    assert [f[2] for f in findings(run)] == [
        "(): in 50",
        "tests.test_db::test_pool (errored): ConnectionRefusedError: [Errno 111] "
        "in test-results/pytest.xml",
    ]


@pytest.mark.parametrize(
    ("option", "problem"),
    [
        ("min_pass_rate: 150", "150 is greater than the maximum of 100"),
        ("min_tests: -1", "-1 is less than the minimum of 0"),
        ('select: {name: "(unclosed"}', "invalid regex '(unclosed'"),
        ('select: {path: "x"}', "unknown key 'path' in check.tests.select"),
    ],
)
def test_a_wrong_option_is_a_located_pack_error(
    policy, make_repo, write_pack, check_pack, option, problem
) -> None:
    pack = write_pack(check_pack("{tests: {" + option + "}}"))
    done = policy("eval", make_repo(), "--pack", pack)
    assert done.exit_code == 2
    assert problem in done.stderr
    assert f"{pack}:10:" in done.stderr


def test_the_json_report_with_test_statistics_is_valid_against_its_schema(
    evaluate, repo, check_pack
) -> None:
    from jsonschema import Draft202012Validator

    from engine.resources import schema_path

    run = evaluate(repo, check_pack(report_check(reports=REPORTS)))
    schema = json.loads(schema_path("report").read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(run.report)) == []
