"""Findings compared across runs: identity is rule, path and message, never the line."""

from __future__ import annotations

import json

import pytest

from engine.baseline import (
    compare,
    load_baseline,
    match_findings,
)
from engine.errors import InputError
from engine.model.diff import RuleRecord
from engine.model.results import Finding


def f(message: str, path: str | None = "a.py", line: int | None = None) -> Finding:
    return Finding(message, path, line)


def test_a_finding_that_moved_lines_is_unchanged() -> None:
    found = match_findings([f("todo", line=3)], [f("todo", line=10)])

    assert (found.new, found.fixed, found.unchanged) == ((), (), (f("todo", line=10),))


def test_a_different_path_or_message_is_a_different_finding() -> None:
    found = match_findings(
        [f("todo", "a.py", 1), f("todo", "b.py", 1)],
        [f("todo", "a.py", 1), f("fixme", "b.py", 1)],
    )

    assert found.new == (f("fixme", "b.py", 1),)
    assert found.fixed == (f("todo", "b.py", 1),)
    assert found.unchanged == (f("todo", "a.py", 1),)


def test_repeated_findings_count_as_a_multiset_and_equal_lines_pair_first() -> None:
    before = [f("matches /KEY/", line=2), f("matches /KEY/", line=8)]
    after = [f("matches /KEY/", line=2), f("matches /KEY/", line=5), f("matches /KEY/", line=8)]

    found = match_findings(before, after)

    assert found.new == (f("matches /KEY/", line=5),)
    assert found.fixed == ()
    assert found.unchanged == (f("matches /KEY/", line=2), f("matches /KEY/", line=8))


def test_fewer_repeats_means_some_were_fixed() -> None:
    found = match_findings([f("x", line=1), f("x", line=4)], [f("x", line=9)])

    assert (len(found.new), len(found.fixed), len(found.unchanged)) == (0, 1, 1)


def test_findings_without_a_path_are_identified_by_message() -> None:
    found = match_findings([f("no README", None)], [f("no README", None), f("no LICENSE", None)])

    assert found.new == (f("no LICENSE", None),)
    assert found.unchanged == (f("no README", None),)


def record(rule: str, status: str, *findings: Finding, severity: str = "error") -> RuleRecord:
    return RuleRecord("p", rule, severity, status, findings)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("before", "after", "change", "regressed"),
    [
        ("pass", "fail", "worse", True),
        ("skip", "error", "worse", True),
        ("fail", "pass", "better", False),
        ("error", "skip", "better", False),
        ("fail", "error", "changed", True),
        ("pass", "skip", "changed", False),
        ("fail", "fail", "same", False),
        (None, "fail", "worse", True),
        ("fail", None, "better", False),
    ],
)
def test_status_changes(before, after, change, regressed) -> None:
    old = [record("r", before)] if before else []
    new = [record("r", after)] if after else []

    (found,) = compare(old, new)

    assert (found.change, found.regressed()) == (change, regressed)


def test_a_failing_rule_with_a_new_finding_regressed_only_at_its_severity() -> None:
    (change,) = compare(
        [record("r", "fail", f("one"), severity="warning")],
        [record("r", "fail", f("one"), f("two"), severity="warning")],
    )

    assert change.change == "same" and change.regressed()
    assert [change.got_worse(level) for level in ("error", "warning", "info", "never")] == [
        False,
        True,
        True,
        False,
    ]


def test_compare_keeps_the_order_of_the_later_run_then_rules_it_dropped() -> None:
    changes = compare(
        [record("gone", "fail", f("x")), record("b", "pass")],
        [record("b", "pass"), record("a", "pass")],
    )

    assert [c.record.rule for c in changes] == ["b", "a", "gone"]
    assert changes[2].findings.fixed == (f("x"),)


REPORT = {
    "schema": "rulepack/report/v1",
    "tool": {"name": "rulepack", "version": "0.1.0"},
    "snapshot": {"kind": "worktree", "root": "/r", "ref": None, "commit": None},
    "packs": [{"name": "p", "version": "1.0.0", "source": "file", "path": "p.yaml"}],
    "categories": [{"id": "c", "title": "C", "pack": "p"}],
    "summary": {
        "total": 1,
        "passed": 0,
        "failed": 1,
        "skipped": 0,
        "errored": 0,
        "waived": 0,
        "by_severity": {"error": 1, "warning": 0, "info": 0},
        "success_rate": 0.0,
        "by_category": {
            "c": {
                "total": 1,
                "passed": 0,
                "failed": 1,
                "skipped": 0,
                "errored": 0,
                "success_rate": 0.0,
            }
        },
    },
    "results": [
        {
            "rule": "r",
            "pack": "p",
            "category": "c",
            "severity": "error",
            "status": "fail",
            "title": "T",
            "message": "m",
            "remediation": "",
            "docs": "",
            "reason": None,
            "tags": [],
            "findings": [{"path": "a.py", "line": 3, "document": None, "message": "todo"}],
            "notes": [],
            "duration_ms": 1.5,
        }
    ],
}


def test_loads_the_results_of_a_json_report(tmp_path) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(REPORT))

    assert load_baseline(path) == [
        RuleRecord("p", "r", "error", "fail", (Finding("todo", "a.py", 3),), "T", "c")
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "{not json",
            "not a rulepack JSON report (not JSON: Expecting property name enclosed "
            "in double quotes at line 1)",
        ),
        ("[1, 2]", "not a rulepack JSON report (no `schema` key; expected 'rulepack/report/v1')"),
        (
            json.dumps({"schema": "rulepack/diff/v1"}),
            "not a rulepack JSON report (schema 'rulepack/diff/v1'; expected 'rulepack/report/v1')",
        ),
        (
            json.dumps({**REPORT, "results": [{**REPORT["results"][0], "status": "meh"}]}),
            "not a valid rulepack report: results/0/status: 'meh' is not one of "
            "['pass', 'fail', 'skip', 'error', 'waived']",
        ),
    ],
)
def test_a_file_that_is_not_a_report_is_bad_input(tmp_path, content, message) -> None:
    path = tmp_path / "report.json"
    path.write_text(content)

    with pytest.raises(InputError) as raised:
        load_baseline(path)

    assert str(raised.value) == f"error: --baseline {path}: {message}"


def test_a_missing_file_is_bad_input(tmp_path) -> None:
    with pytest.raises(InputError) as raised:
        load_baseline(tmp_path / "nope.json")

    assert str(raised.value) == (
        f"error: --baseline {tmp_path / 'nope.json'}: cannot read it: No such file or directory"
    )
