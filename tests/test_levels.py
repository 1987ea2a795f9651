"""`--min-level` and the config's `min_level`, through the real CLI: below the level the
run fails whatever `--fail-on` says; a level no evaluated pack declares is bad input."""

from __future__ import annotations

from tests.model.test_levels import HEADER, rules
from tests.test_results import FAIL, FILES, PASS

# bronze passes; silver fails at severity info only, so --fail-on alone would not fail
AT_BRONZE = HEADER + rules(
    ("b", "alpha", "bronze", "error", PASS, 1),
    ("s", "alpha", "silver", "info", FAIL, 1),
)
OTHER = """\
apiVersion: rulepack/v1
name: other
version: 1.0.0
categories: [{id: alpha, title: Alpha}]
levels: [{id: basic, title: Basic}, {id: advanced, title: Advanced}]
rules:
  - {id: o, title: T, category: alpha, level: advanced, severity: info,
     check: {file: {exists: [missing.txt]}}}
"""


def test_below_the_minimum_level_the_run_fails_whatever_fail_on_says(evaluate, make_repo) -> None:
    repo = make_repo(FILES)
    assert evaluate(repo, AT_BRONZE).exit_code == 0
    assert evaluate(repo, AT_BRONZE, "--min-level", "bronze").exit_code == 0
    assert evaluate(repo, AT_BRONZE, "--min-level", "silver").exit_code == 1
    assert evaluate(repo, AT_BRONZE, "--min-level", "silver", "--fail-on", "never").exit_code == 1


def test_the_environment_sets_the_minimum_level(evaluate, make_repo) -> None:
    run = evaluate(make_repo(FILES), AT_BRONZE, env={"RULEPACK_MIN_LEVEL": "silver"})
    assert run.exit_code == 1


def test_the_config_sets_a_minimum_per_pack_and_the_option_wins(evaluate, make_repo) -> None:
    repo = make_repo({**FILES, ".rulepack.yaml": "min_level: {test: silver}\n"})
    assert evaluate(repo, AT_BRONZE).exit_code == 1
    assert evaluate(repo, AT_BRONZE, "--min-level", "bronze").exit_code == 0


def test_the_option_holds_only_the_packs_that_declare_the_level(
    evaluate, make_repo, write_pack
) -> None:
    other = write_pack(OTHER, name="other.yaml")  # at basic; it has no level silver
    repo = make_repo(FILES)
    assert evaluate(repo, AT_BRONZE, "--pack", other, "--min-level", "bronze").exit_code == 0
    assert evaluate(repo, AT_BRONZE, "--pack", other, "--min-level", "advanced").exit_code == 1


def test_a_level_no_evaluated_pack_declares_is_bad_input(evaluate, make_repo, write_pack) -> None:
    other = write_pack(OTHER, name="other.yaml")
    run = evaluate(make_repo(FILES), AT_BRONZE, "--pack", other, "--min-level", "platinum")
    assert run.exit_code == 2
    assert run.stderr.splitlines() == [
        "policy: error: --min-level platinum: no evaluated pack declares this level "
        "(levels: test: bronze, silver, gold; other: basic, advanced)"
    ]


def test_a_config_minimum_of_a_pack_not_evaluated_or_a_level_it_lacks_is_bad_input(
    evaluate, make_repo
) -> None:
    config = "min_level:\n  test: platinum\n  prod: silver\n"
    run = evaluate(make_repo({**FILES, ".rulepack.yaml": config}), AT_BRONZE)
    assert run.exit_code == 2
    assert run.stderr.splitlines() == [
        "policy: .rulepack.yaml:2:9: error: min_level: pack 'test' has no level 'platinum' "
        "(levels: bronze, silver, gold)",
        "policy: .rulepack.yaml:3:3: error: min_level: pack 'prod' is not evaluated "
        "(evaluated: test)",
    ]


def test_a_config_minimum_that_is_not_a_level_id_is_bad_input(evaluate, make_repo) -> None:
    run = evaluate(
        make_repo({**FILES, ".rulepack.yaml": "min_level: {test: [silver]}\n"}), AT_BRONZE
    )
    assert run.exit_code == 2
    assert run.stderr.splitlines() == [
        "policy: .rulepack.yaml:1:19: error: min_level.test: ['silver'] is not of type 'string'"
    ]
