"""Statuses into a summary and an exit code: counts, success rates, --fail-on."""

from __future__ import annotations

import pytest

PASS = "{file: {exists: [a.txt]}}"
FAIL = "{file: {exists: [missing.txt]}}"
SKIP = "{manifest: {files: ['*.nothing'], assert: a}}"
ERROR = "{manifest: {files: [broken.json], assert: a}}"
FILES = {"a.txt": "x", "broken.json": "{oops"}

HEADER = """\
apiVersion: rulepack/v1
name: test
version: 1.0.0
categories:
  - {id: alpha, title: Alpha}
  - {id: beta, title: Beta}
  - {id: gamma, title: Gamma}
rules:
"""


def rules(*specs: tuple[str, str, str, str]) -> str:
    """(id, category, severity, check) -> the YAML of the rules."""
    return "".join(
        f"- {{id: {rule_id}, title: T, category: {category}, severity: {severity},"
        f" check: {check}}}\n"
        for rule_id, category, severity, check in specs
    )


MIXED = rules(
    ("a1", "alpha", "error", PASS),
    ("a2", "alpha", "error", FAIL),
    ("a3", "alpha", "warning", FAIL),
    ("a4", "alpha", "info", SKIP),
    ("b1", "beta", "warning", ERROR),
    ("b2", "beta", "info", FAIL),
    ("c1", "gamma", "error", SKIP),
)


def test_summary_counts_by_severity_and_success_rates(evaluate, make_repo) -> None:
    run = evaluate(make_repo(FILES), HEADER + MIXED)
    assert run.exit_code == 1
    summary = run.report["summary"]
    assert summary == {
        "total": 7,
        "passed": 1,
        "failed": 3,
        "skipped": 2,
        "errored": 1,
        "waived": 0,
        "by_severity": {"error": 1, "warning": 1, "info": 1},
        "success_rate": 20.0,
        "score": 20.0,  # every weight is 1: the success rate
        "levels": {},  # the pack declares no levels
        "by_category": {
            "alpha": {
                "total": 4,
                "passed": 1,
                "failed": 2,
                "skipped": 1,
                "errored": 0,
                "waived": 0,
                "success_rate": 33.33,
                "score": 33.33,
            },
            "beta": {
                "total": 2,
                "passed": 0,
                "failed": 1,
                "skipped": 0,
                "errored": 1,
                "waived": 0,
                "success_rate": 0.0,
                "score": 0.0,
            },
            "gamma": {
                "total": 1,
                "passed": 0,
                "failed": 0,
                "skipped": 1,
                "errored": 0,
                "waived": 0,
                "success_rate": None,
                "score": None,
            },
        },
    }


def test_success_rate_is_null_when_nothing_was_judged(evaluate, make_repo, pack_text) -> None:
    run = evaluate(make_repo(FILES), pack_text(rules(("s", "general", "error", SKIP))))
    assert run.exit_code == 0
    assert run.report["summary"]["success_rate"] is None


def test_a_pack_without_rules(evaluate, make_repo, pack_text) -> None:
    run = evaluate(make_repo(FILES), pack_text("[]"))
    assert run.exit_code == 0
    assert run.report["summary"]["total"] == 0
    assert run.report["summary"]["by_category"] == {}
    assert run.report["results"] == []


@pytest.mark.parametrize(
    ("severity", "fail_on", "exit_code"),
    [
        ("error", None, 1),
        ("warning", None, 0),
        ("info", None, 0),
        ("error", "error", 1),
        ("warning", "error", 0),
        ("error", "warning", 1),
        ("warning", "warning", 1),
        ("info", "warning", 0),
        ("info", "info", 1),
        ("warning", "info", 1),
        ("error", "never", 0),
    ],
)
def test_fail_on_levels(evaluate, make_repo, pack_text, severity, fail_on, exit_code) -> None:
    pack = pack_text(rules(("f", "general", severity, FAIL), ("p", "general", "error", PASS)))
    args = ("--fail-on", fail_on) if fail_on else ()
    assert evaluate(make_repo(FILES), pack, *args).exit_code == exit_code


@pytest.mark.parametrize(("fail_on", "exit_code"), [("error", 1), ("info", 1), ("never", 0)])
def test_an_error_status_fails_the_run_unless_never(
    evaluate, make_repo, pack_text, fail_on, exit_code
) -> None:
    pack = pack_text(rules(("e", "general", "info", ERROR)))
    assert evaluate(make_repo(FILES), pack, "--fail-on", fail_on).exit_code == exit_code


def test_a_bad_fail_on_is_an_input_error(policy, make_repo, write_pack, pack_text) -> None:
    pack = write_pack(pack_text(rules(("p", "general", "error", PASS))))
    done = policy("eval", make_repo(FILES), "--pack", pack, "--fail-on", "critical")
    assert done.exit_code == 2
    assert "Invalid value for '--fail-on': 'critical' is not one of" in done.stderr


def test_skipped_and_passed_alone_hold(evaluate, make_repo, pack_text) -> None:
    pack = pack_text(rules(("p", "general", "error", PASS), ("s", "general", "error", SKIP)))
    run = evaluate(make_repo(FILES), pack, "--fail-on", "info")
    assert (run.exit_code, run.report["summary"]["success_rate"]) == (0, 100.0)
