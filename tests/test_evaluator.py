"""The evaluator: filters, order of results, and a crashing check kept to its rule."""

from __future__ import annotations

from dataclasses import replace

import pytest

PACK = """\
apiVersion: rulepack/v1
name: {name}
version: 1.0.0
categories:
  - {{id: docs, title: Documentation}}
  - {{id: security, title: Security}}
rules:
  - {{id: {name}.readme, title: T, category: docs, tags: [repo],
     check: {{file: {{exists: [README.md]}}}}}}
  - {{id: {name}.secrets, title: T, category: security, tags: [repo, secrets],
     check: {{file: {{absent: ["**/*.pem"]}}}}}}
  - {{id: {name}.license, title: T, category: docs, check: {{file: {{exists: [LICENSE]}}}}}}
"""


def statuses(run) -> list[tuple[str, str, str | None]]:
    return [(r["rule"], r["status"], r["reason"]) for r in run.report["results"]]


@pytest.fixture
def two_packs(write_pack):
    return (
        write_pack(PACK.format(name="zeta"), name="zeta.yaml"),
        write_pack(PACK.format(name="alpha"), name="alpha.yaml"),
    )


def test_results_come_in_pack_order_then_rule_order(policy, make_repo, two_packs) -> None:
    import json

    zeta, alpha = two_packs
    repo = make_repo({"README.md": "x", "key.pem": "k"})
    done = policy("eval", repo, "--pack", zeta, "--pack", alpha, "--format", "json")
    report = json.loads(done.stdout)
    assert [r["rule"] for r in report["results"]] == [
        "zeta.readme",
        "zeta.secrets",
        "zeta.license",
        "alpha.readme",
        "alpha.secrets",
        "alpha.license",
    ]
    assert [p["name"] for p in report["packs"]] == ["zeta", "alpha"]


def test_category_filter_skips_the_others_with_a_reason(evaluate, make_repo, two_packs) -> None:
    run = evaluate(make_repo({"README.md": "x"}), two_packs[0], "--category", "security")
    assert statuses(run) == [
        ("zeta.readme", "skip", "filtered out by --category"),
        ("zeta.secrets", "pass", None),
        ("zeta.license", "skip", "filtered out by --category"),
    ]
    assert run.exit_code == 0
    assert run.report["summary"]["skipped"] == 2


def test_rule_filter_repeated(evaluate, make_repo, two_packs) -> None:
    run = evaluate(make_repo({}), two_packs[0], "--rule", "zeta.license", "--rule", "zeta.readme")
    assert statuses(run) == [
        ("zeta.readme", "fail", None),
        ("zeta.secrets", "skip", "filtered out by --rule"),
        ("zeta.license", "fail", None),
    ]


def test_tag_filter_and_filters_combine(evaluate, make_repo, two_packs) -> None:
    run = evaluate(make_repo({}), two_packs[0], "--tag", "repo")
    assert [s[1] for s in statuses(run)] == ["fail", "pass", "skip"]
    both = evaluate(make_repo({}), two_packs[0], "--tag", "repo", "--category", "docs")
    assert statuses(both) == [
        ("zeta.readme", "fail", None),
        ("zeta.secrets", "skip", "filtered out by --category"),
        ("zeta.license", "skip", "filtered out by --tag"),
    ]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        (
            "--rule",
            "zeta.readm",
            "--rule zeta.readm: no evaluated pack has it (did you mean 'zeta.readme'?)",
        ),
        ("--category", "doc", "--category doc: no evaluated pack has it (did you mean 'docs'?)"),
        ("--tag", "kubernetes", "--tag kubernetes: no evaluated pack has it"),
    ],
)
def test_a_filter_that_names_nothing_is_an_input_error(
    policy, make_repo, two_packs, option, value, message
) -> None:
    done = policy("eval", make_repo({}), "--pack", two_packs[0], option, value)
    assert (done.exit_code, done.stderr) == (2, f"policy: error: {message}\n")


def test_a_crashing_check_errors_its_rule_only(evaluate, make_repo, two_packs, monkeypatch) -> None:
    from engine import checks

    def crash(check, context):
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(checks.KINDS, "file", replace(checks.KINDS["file"], evaluate=crash))
    run = evaluate(make_repo({}), two_packs[0])
    assert run.exit_code == 1
    assert {r["status"] for r in run.report["results"]} == {"error"}
    assert (
        run.result("zeta.readme")["reason"] == "internal error in rulepack: ZeroDivisionError: boom"
    )
