"""Levels reached and scores, through the real CLI: `summary.levels` and `summary.score`
of the JSON report, exactly as the SPEC defines them."""

from __future__ import annotations

from tests.test_results import ERROR, FAIL, FILES, PASS, SKIP

HEADER = """\
apiVersion: rulepack/v1
name: test
version: 1.0.0
categories:
  - {id: alpha, title: Alpha}
  - {id: beta, title: Beta}
levels:
  - {id: bronze, title: Bronze}
  - {id: silver, title: Silver}
  - {id: gold, title: Gold}
rules:
"""


def rules(*specs: tuple[str, str, str, str, str, int]) -> str:
    """(id, category, level, severity, check, weight) -> the YAML of the rules."""
    return "".join(
        f"- {{id: {rule_id}, title: T, category: {category}, level: {level},"
        f" severity: {severity}, weight: {weight}, check: {check}}}\n"
        for rule_id, category, level, severity, check, weight in specs
    )


MIXED = rules(
    ("b1", "alpha", "bronze", "error", PASS, 3),
    ("b2", "alpha", "bronze", "error", SKIP, 5),
    ("s1", "alpha", "silver", "info", FAIL, 1),
    ("s2", "beta", "silver", "warning", ERROR, 2),
    ("s3", "beta", "silver", "error", FAIL, 4),
    ("g1", "beta", "gold", "error", FAIL, 1),
)


def test_the_level_reached_the_next_and_what_blocks_it(evaluate, make_repo) -> None:
    run = evaluate(make_repo(FILES), HEADER + MIXED)
    # at or below the next level, failed or errored, most severe first (gold's g1 is not)
    assert run.report["summary"]["levels"] == {
        "test": {"achieved": "bronze", "next": "silver", "blocking": ["s3", "s2", "s1"]}
    }


def test_the_score_is_the_weighted_pass_rate(evaluate, make_repo) -> None:
    summary = evaluate(make_repo(FILES), HEADER + MIXED).report["summary"]
    # passed 3 / judged 3 + 1 + 2 + 4 + 1; the skipped b2 (weight 5) counts in neither
    assert summary["score"] == 27.27
    assert summary["success_rate"] == 20.0  # unweighted: 1 of 5
    assert summary["by_category"]["alpha"]["score"] == 75.0  # 3 / (3 + 1)
    assert summary["by_category"]["beta"]["score"] == 0.0


def test_a_pack_whose_every_rule_passes_is_at_the_top(evaluate, make_repo) -> None:
    pack = HEADER + rules(
        ("b", "alpha", "bronze", "error", PASS, 1),
        ("s", "alpha", "silver", "error", SKIP, 1),
        ("g", "alpha", "gold", "info", PASS, 2),
    )
    summary = evaluate(make_repo(FILES), pack).report["summary"]
    assert summary["levels"] == {"test": {"achieved": "gold", "next": None, "blocking": []}}
    assert summary["score"] == 100.0


def test_a_failure_at_the_lowest_level_reaches_no_level(evaluate, make_repo) -> None:
    pack = HEADER + rules(
        ("b1", "alpha", "bronze", "info", FAIL, 1),  # any severity blocks
        ("b2", "alpha", "bronze", "error", PASS, 1),
        ("g", "alpha", "gold", "error", PASS, 1),
    )
    run = evaluate(make_repo(FILES), pack)
    assert run.exit_code == 0  # an info failure does not fail the run at --fail-on error
    assert run.report["summary"]["levels"] == {
        "test": {"achieved": None, "next": "bronze", "blocking": ["b1"]}
    }


def test_a_failure_above_a_passing_level_does_not_lower_it(evaluate, make_repo) -> None:
    pack = HEADER + rules(
        ("b", "alpha", "bronze", "error", PASS, 1),
        ("g", "alpha", "gold", "error", FAIL, 1),
    )
    levels = evaluate(make_repo(FILES), pack).report["summary"]["levels"]
    assert levels == {"test": {"achieved": "silver", "next": "gold", "blocking": ["g"]}}


def test_a_rule_without_a_level_is_at_the_lowest(evaluate, make_repo) -> None:
    pack = HEADER + "- {id: r, title: T, category: alpha, check: " + FAIL + "}\n"
    run = evaluate(make_repo(FILES), pack)
    assert run.result("r")["level"] == "bronze"
    assert run.report["summary"]["levels"]["test"] == {
        "achieved": None,
        "next": "bronze",
        "blocking": ["r"],
    }


def test_disabled_and_filtered_rules_are_skipped_and_do_not_block(
    evaluate, make_repo, write_pack
) -> None:
    pack = write_pack(
        HEADER
        + rules(
            ("b1", "alpha", "bronze", "error", PASS, 1),
            ("b2", "alpha", "bronze", "error", FAIL, 1),
        )
    )
    repo = make_repo({**FILES, ".rulepack.yaml": "disable: [b2]\n"})
    assert evaluate(repo, pack).report["summary"]["levels"]["test"]["achieved"] == "gold"
    only = evaluate(make_repo(FILES), pack, "--rule", "b1").report["summary"]
    assert only["levels"]["test"]["achieved"] == "gold"
    assert only["score"] == 100.0


def test_only_packs_that_declare_levels_have_a_standing(evaluate, make_repo, write_pack) -> None:
    plain = write_pack(
        "apiVersion: rulepack/v1\nname: plain\nversion: 1.0.0\n"
        "categories: [{id: alpha, title: Alpha}]\n"
        "rules:\n" + rules(("p", "alpha", "x", "error", FAIL, 1)).replace(" level: x,", ""),
        name="plain.yaml",
    )
    run = evaluate(make_repo(FILES), HEADER + MIXED, "--pack", plain)
    assert list(run.report["summary"]["levels"]) == ["test"]
    assert "levels" not in run.report["packs"][1]
    assert run.result("p")["level"] is None


def test_nothing_judged_has_no_score(evaluate, make_repo) -> None:
    pack = HEADER + rules(("s", "alpha", "bronze", "error", SKIP, 2))
    summary = evaluate(make_repo(FILES), pack).report["summary"]
    assert summary["score"] is None
    assert summary["levels"]["test"]["achieved"] == "gold"


def test_a_report_with_levels_matches_its_schema(evaluate, make_repo) -> None:
    import json

    from jsonschema import Draft202012Validator

    from engine.resources import schema_path

    schema = json.loads(schema_path("report").read_text(encoding="utf-8"))
    report = evaluate(make_repo(FILES), HEADER + MIXED).report
    errors = [
        f"{list(e.path)}: {e.message}" for e in Draft202012Validator(schema).iter_errors(report)
    ]
    assert errors == []
    assert report["packs"][0]["levels"][0] == {"id": "bronze", "title": "Bronze", "description": ""}
