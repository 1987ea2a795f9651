"""`all`, `any`, `not`, `when` and named conditions, with skip and error in the mix."""

from __future__ import annotations

import pytest

PASS = "{file: {exists: [a.txt]}}"
FAIL = "{file: {exists: [missing.txt]}}"
SKIP = "{manifest: {files: ['*.nothing'], assert: a}}"
ERROR = "{manifest: {files: [broken.json], assert: a}}"
FILES = {"a.txt": "x", "broken.json": "{oops"}


@pytest.mark.parametrize(
    ("check", "status"),
    [
        (f"{{all: [{PASS}, {PASS}]}}", "pass"),
        (f"{{all: [{PASS}, {FAIL}]}}", "fail"),
        (f"{{all: [{ERROR}, {FAIL}]}}", "fail"),
        (f"{{all: [{PASS}, {ERROR}, {SKIP}]}}", "error"),
        (f"{{all: [{PASS}, {SKIP}]}}", "skip"),
        (f"{{any: [{FAIL}, {PASS}]}}", "pass"),
        (f"{{any: [{ERROR}, {PASS}]}}", "pass"),
        (f"{{any: [{FAIL}, {FAIL}]}}", "fail"),
        (f"{{any: [{FAIL}, {SKIP}]}}", "skip"),
        (f"{{any: [{FAIL}, {SKIP}, {ERROR}]}}", "error"),
        (f"{{not: {PASS}}}", "fail"),
        (f"{{not: {FAIL}}}", "pass"),
        (f"{{not: {SKIP}}}", "skip"),
        (f"{{not: {ERROR}}}", "error"),
        (f"{{not: {{any: [{FAIL}, {{all: [{PASS}, {{not: {FAIL}}}]}}]}}}}", "fail"),
    ],
)
def test_combinator_semantics(evaluate, make_repo, check_pack, check: str, status: str) -> None:
    assert evaluate(make_repo(FILES), check_pack(check)).status() == status


def test_all_collects_the_findings_of_every_failure(evaluate, make_repo, check_pack) -> None:
    check = "{all: [{file: {exists: [x.md]}}, {file: {absent: [a.txt]}}]}"
    run = evaluate(make_repo(FILES), check_pack(check))
    assert run.result()["message"] == "none of x.md exists; 1 file(s) match a.txt"
    assert [(f["path"], f["message"]) for f in run.result()["findings"]] == [
        (None, "none of x.md exists"),
        ("a.txt", "should not exist"),
    ]


def test_any_fails_naming_every_alternative(evaluate, make_repo, check_pack) -> None:
    check = "{any: [{file: {exists: [x.md]}}, {file: {exists: [y.md]}}]}"
    run = evaluate(make_repo(FILES), check_pack(check))
    assert run.result()["message"] == (
        "none of the alternatives holds: none of x.md exists; none of y.md exists"
    )


def test_not_says_what_held(evaluate, make_repo, check_pack) -> None:
    run = evaluate(make_repo(FILES), check_pack(f"{{not: {PASS}}}"))
    assert [f["message"] for f in run.result()["findings"]] == [
        "expected not to hold, but it does: a.txt exists"
    ]


def test_any_short_circuits_later_alternatives(evaluate, make_repo, check_pack) -> None:
    repo = make_repo(FILES)
    run = evaluate(repo, check_pack(f"{{any: [{PASS}, {{command: {{run: [touch, ran]}}}}]}}"))
    assert run.status() == "pass"
    assert not (repo / "ran").exists()


def test_when_false_skips_with_the_reason(evaluate, make_repo, check_pack) -> None:
    run = evaluate(make_repo(FILES), check_pack(FAIL, when="{file: {exists: [Cargo.toml]}}"))
    assert (run.exit_code, run.status(), run.result()["reason"]) == (
        0,
        "skip",
        "not applicable: none of Cargo.toml exists",
    )


def test_when_true_evaluates_the_check(evaluate, make_repo, check_pack) -> None:
    run = evaluate(make_repo(FILES), check_pack(FAIL, when=PASS))
    assert (run.exit_code, run.status()) == (1, "fail")


def test_when_that_errors_makes_the_rule_error(evaluate, make_repo, check_pack) -> None:
    run = evaluate(make_repo(FILES), check_pack(PASS, when=ERROR))
    assert run.status() == "error"
    assert run.result()["reason"] == (
        "condition could not be evaluated: broken.json:1: does not parse: "
        "Expecting property name enclosed in double quotes"
    )


def test_when_that_skips_skips(evaluate, make_repo, check_pack) -> None:
    run = evaluate(make_repo(FILES), check_pack(PASS, when=SKIP))
    assert (run.status(), run.result()["reason"]) == ("skip", "no file matches *.nothing")


CONDITION_PACK = """\
- id: first
  title: T
  category: general
  when: {condition: counted}
  check: {file: {exists: [a.txt]}}
- id: second
  title: T
  category: general
  when: {condition: counted}
  check: {file: {exists: [a.txt]}}
- id: third
  title: T
  category: general
  check: {all: [{condition: counted}, {condition: counted}]}
- id: inverted
  title: T
  category: general
  when: {not: {condition: counted}}
  check: {file: {exists: [a.txt]}}
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_named_condition_is_evaluated_once_per_run(
    evaluate, make_repo, pack_text, jobs: str
) -> None:
    head = "conditions:\n  counted: {command: {shell: 'echo x >> count.txt'}}\n"
    repo = make_repo(FILES)
    run = evaluate(repo, pack_text(CONDITION_PACK, head), "--jobs", jobs)
    assert [r["status"] for r in run.report["results"]] == ["pass", "pass", "pass", "skip"]
    assert (repo / "count.txt").read_text() == "x\n"


def test_conditions_may_use_other_conditions(evaluate, make_repo, pack_text) -> None:
    head = (
        "conditions:\n"
        "  text: {file: {exists: ['*.txt']}}\n"
        "  rust: {file: {exists: [Cargo.toml]}}\n"
        "  text-not-rust: {all: [{condition: text}, {not: {condition: rust}}]}\n"
    )
    rules = "- {id: r, title: T, category: general, when: {condition: text-not-rust}, check: "
    rules += PASS + "}\n"
    assert evaluate(make_repo(FILES), pack_text(rules, head)).status() == "pass"
    run = evaluate(make_repo({**FILES, "Cargo.toml": ""}), pack_text(rules, head))
    assert run.status() == "skip"


# -- how deep checks nest ------------------------------------------------------------------


def _nested(levels: int) -> str:
    check = "{file: {exists: [a]}}"
    for _ in range(levels):
        check = f"{{not: {check}}}"
    return check


def test_checks_nested_to_the_limit_are_evaluated(evaluate, make_repo, check_pack) -> None:
    from engine.checks.reader import MAX_CHECK_DEPTH

    run = evaluate(make_repo({"a": "x"}), check_pack(_nested(MAX_CHECK_DEPTH - 1)))
    assert (run.exit_code, run.status()) == (1, "fail")  # an odd number of `not`s


@pytest.mark.parametrize("levels", [20, 40])
def test_checks_nested_past_the_limit_are_one_located_pack_error(
    policy, make_repo, check_pack, write_pack, levels
) -> None:
    check = _nested(levels)
    pack = write_pack(check_pack(check))
    done = policy("eval", make_repo(), "--pack", pack)
    column = len("    check: ") + len("{not: ") * 20 + 1
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: {pack}:10:{column}: error: rule r: checks nest more than 20 deep "
        "(all, any, not)\n",
    )


@pytest.mark.parametrize("levels", [400, 100_000])
def test_a_pack_nested_hundreds_deep_is_one_located_line(
    policy, make_repo, check_pack, write_pack, levels
) -> None:
    pack = write_pack(check_pack(_nested(levels)))
    done = policy("eval", make_repo(), "--pack", pack)
    assert done.exit_code == 2
    assert done.stderr.startswith(f"policy: {pack}:10:") and done.stderr.count("\n") == 1
    assert done.stderr.endswith(
        "nested deeper than 64 levels\n"
        if levels == 400
        else "while increasing flow level, exceeded maximum nesting depth\n"
    )
