"""engine/packtest/run.py: outcomes of cases and the coverage they prove."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import InputError
from engine.packtest.run import Coverage, pack_file_of, run_pack_tests

PACK = """\
apiVersion: rulepack/v1
name: demo
version: 1.0.0
categories: [{id: docs, title: Docs}]
rules:
  - {id: readme, title: A README, category: docs, check: {file: {exists: [README.md]}}}
  - id: lock
    title: A lock file beside Cargo.toml
    category: docs
    when: {file: {exists: [Cargo.toml]}}
    check: {file: {exists: [Cargo.lock]}}
"""


def pack_with_cases(root: Path, cases: dict[str, dict[str, str]]) -> Path:
    root.mkdir()
    (root / "pack.yaml").write_text(PACK)
    for case, files in cases.items():
        for relative, text in files.items():
            path = root / "tests" / case / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    return root


def test_outcomes_hold_mismatches_and_what_was_met(tmp_path) -> None:
    root = pack_with_cases(
        tmp_path / "demo",
        {
            "good": {"expect.yaml": "rules: {readme: pass, lock: skip}\n", "repo/README.md": ""},
            "wrong": {"expect.yaml": "rules: {readme: pass}\n", "repo/a.txt": ""},
        },
    )

    report = run_pack_tests(root)

    good, wrong = report.outcomes
    assert (good.checked, good.mismatches, good.proven_skips) == (2, (), frozenset({"lock"}))
    assert [(m.expectation.rule, m.why) for m in wrong.mismatches] == [
        ("readme", "expected pass, got fail")
    ]
    assert report.mismatches == 1
    assert report.coverage.missing("readme") == "never fails"
    assert report.coverage.missing("lock") == "never passes nor fails"


def test_coverage_counts_a_rule_covered_only_when_every_way_is_proven() -> None:
    coverage = Coverage(
        rules=("a", "b", "c"),
        passing=frozenset({"a", "b", "c"}),
        failing=frozenset({"a", "c"}),
        skipping=frozenset(),
        skippable=frozenset({"c"}),
    )

    assert coverage.covered == ("a",)
    assert coverage.percent == 33.33
    assert [coverage.missing(r) for r in coverage.rules] == ["", "never fails", "never skips"]
    assert Coverage((), frozenset(), frozenset()).percent == 100.0


def test_pack_file_of_a_folder_a_file_or_nothing(tmp_path) -> None:
    root = pack_with_cases(tmp_path / "demo", {})

    assert pack_file_of(root) == root / "pack.yaml"
    assert pack_file_of(root / "pack.yaml") == root / "pack.yaml"
    with pytest.raises(InputError) as raised:
        pack_file_of(tmp_path / "nowhere" / "x")
    assert str(raised.value) == f"error: {tmp_path / 'nowhere' / 'x'}: no such pack folder or file"


RESULTS_PACK = PACK[: PACK.index("rules:")] + (
    "rules:\n  - {id: suite, title: The tests pass, category: docs, check: {tests: {}}}\n"
)
PASSING = '<testsuite name="s"><testcase name="t" time="0.1"/></testsuite>'
FAILING = '<testsuite name="s"><testcase name="t"><failure message="boom"/></testcase></testsuite>'


def test_a_cases_results_are_given_to_the_run_as_results_gives_them(tmp_path) -> None:
    root = pack_with_cases(
        tmp_path / "demo",
        {
            "green": {
                "expect.yaml": "results: [ci/junit.xml]\nrules: {suite: pass}\n",
                "ci/junit.xml": PASSING,
                "repo/a.txt": "",
            },
            "red": {
                "expect.yaml": "results: [ci]\nrules: {suite: pass}\n",
                "ci/nested/junit.xml": FAILING,
                "repo/a.txt": "",
            },
            "none": {"expect.yaml": "rules: {suite: skip}\n", "repo/a.txt": ""},
        },
    )
    (root / "pack.yaml").write_text(RESULTS_PACK)

    green, none, red = run_pack_tests(root).outcomes
    assert (green.case.name, green.mismatches) == ("green", ())
    assert none.mismatches == ()
    assert [(m.expectation.rule, m.why) for m in red.mismatches] == [
        ("suite", "expected pass, got fail")
    ]
    assert red.mismatches[0].result is not None
    assert red.mismatches[0].result.findings[-1].message == "s::t failed: boom"


def test_a_results_path_that_is_not_there_is_an_input_error(tmp_path) -> None:
    root = pack_with_cases(
        tmp_path / "demo",
        {"c": {"expect.yaml": "results: [ci/missing.xml]\nrules: {suite: skip}\n", "repo/a": ""}},
    )
    (root / "pack.yaml").write_text(RESULTS_PACK)
    expected = r"tests/c/expect\.yaml: error: results: ci/missing\.xml: no such file or folder"
    with pytest.raises(InputError, match=expected):
        run_pack_tests(root)
