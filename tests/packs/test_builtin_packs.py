"""The built-in packs: valid, complete, proven by their own fixtures, documented."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.commands.docs import regenerate_hint, render
from engine.commands.validate import problems_of
from engine.model.packs import Pack, walk
from engine.model.results import RuleResult
from engine.packs.finder import PackFinder
from engine.packs.load import PackLoader
from engine.packtest.run import load_pack_for, run_pack_tests
from engine.resources import builtin_packs_dir

ROOT = Path(__file__).resolve().parents[2]
PACKS = ("production", "testing", "oss", "common")


def pack_file(name: str) -> Path:
    return builtin_packs_dir() / name / "pack.yaml"


def load(name: str) -> Pack:
    return load_pack_for(pack_file(name), {})


def test_the_built_in_packs_are_the_four_shipped() -> None:
    found = sorted(p.name for p in builtin_packs_dir().iterdir() if (p / "pack.yaml").is_file())
    assert found == sorted(PACKS)


@pytest.mark.parametrize("name", PACKS)
def test_each_pack_validates_without_errors_or_warnings(name: str) -> None:
    assert [str(p) for p in problems_of(pack_file(name))] == []


@pytest.mark.parametrize("name", PACKS)
def test_no_text_of_a_pack_is_cut_by_a_comment(name: str) -> None:
    loader = PackLoader(PackFinder.standard(None))
    loader.load(name)  # by name, as a run loads it
    assert [str(p) for p in loader.warnings if "stops at ` #`" in p.message] == []


@pytest.mark.parametrize("name", PACKS)
def test_every_rule_says_what_to_do_and_where_to_read_more(name: str) -> None:
    for rule in load(name).rules:
        assert rule.title, rule.id
        assert len(rule.remediation) >= 15, f"{rule.id}: remediation too short to act on"
        assert rule.docs.startswith("https://"), f"{rule.id}: docs must be an https URL"
        assert rule.description, f"{rule.id}: description (with its source) missing"


@pytest.mark.parametrize("name", PACKS)
def test_rules_that_run_programs_are_tagged_env_and_the_others_repo(name: str) -> None:
    for rule in load(name).rules:
        scope = {"env", "repo"} & set(rule.tags)
        expected = {"env"} if rule.runs_commands else {"repo"}
        assert scope == expected, f"{rule.id}: tags {rule.tags}"
        # `repo` is the pack's word for what the engine derives as `static`
        assert ("repo" in rule.tags) == rule.static, f"{rule.id}: tags {rule.tags}"


@pytest.mark.parametrize(
    ("name", "categories", "at_least"),
    [
        (
            "production",
            [
                "system-dependencies",
                "code-quality",
                "security",
                "performance",
                "monitoring",
                "high-availability",
                "enterprise",
                "documentation",
                "deployment",
                "network",
                "storage",
            ],
            5,
        ),
        (
            "testing",
            [
                "basic-functionality",
                "performance",
                "security",
                "monitoring",
                "enterprise",
                "end-to-end",
                "error-handling",
                "benchmarks",
            ],
            4,
        ),
        ("oss", ["legal", "documentation", "community", "governance"], 3),
    ],
)
def test_each_category_holds_enough_rules(name: str, categories: list[str], at_least: int) -> None:
    pack = load(name)
    assert [c.id for c in pack.categories] == categories
    for category in categories:
        count = sum(r.category == category for r in pack.rules)
        assert count >= at_least, f"{name}: {category} has {count} rules"


def test_common_holds_shared_definitions_that_the_other_packs_extend() -> None:
    assert load("common").rules == ()
    for name in ("production", "testing", "oss"):
        assert "common" in load(name).extends, name


def test_the_oss_pack_covers_a_community_release() -> None:
    ids = {r.id for r in load("oss").rules}
    for topic in (
        "license",
        "readme",
        "contributing",
        "code-of-conduct",
        "security-policy",
        "changelog",
        "issue-templates",
        "pr-template",
        "codeowners",
    ):
        assert f"oss.{topic}" in ids


def test_the_testing_pack_reads_coverage_reports_with_a_threshold() -> None:
    pack = load("testing")
    assert pack.params["min_coverage"] == 80
    ids = {r.id for r in pack.rules}
    assert {
        "test.basic.coverage-cobertura",
        "test.basic.coverage-json",
        "test.basic.coverage-summary",
    } <= ids


# The other packs join this list as their rules get messages.
@pytest.mark.parametrize("name", ["testing"])
def test_every_rule_words_its_failures_in_plain_language(name: str) -> None:
    for rule in load(name).rules:
        templates = [rule.message] if rule.message is not None else []
        for check in walk(rule.check):
            if not check.children() and check.kind not in WORDED_BY_KIND:
                assert rule.message or check.message, f"{rule.id}: a {check.kind} check, no message"
                templates += [check.message] if check.message else []
        for template in templates:
            assert "`" not in template.text and "==" not in template.text, (
                f"{rule.id}: message {template.text!r} reads like an expression"
            )


@pytest.mark.parametrize("name", ["production", "testing", "oss"])
def test_each_pack_with_rules_climbs_bronze_silver_gold_heavier_at_the_bottom(name: str) -> None:
    pack = load_pack_for(builtin_packs_dir() / name / "pack.yaml", {})
    assert [level.id for level in pack.levels] == ["bronze", "silver", "gold"]
    assert all(level.description for level in pack.levels)
    assert {rule.level for rule in pack.rules} == {"bronze", "silver", "gold"}
    heaviest = {lv.id: max(r.weight for r in pack.rules if r.level == lv.id) for lv in pack.levels}
    assert heaviest["bronze"] > heaviest["gold"]


@pytest.mark.parametrize("name", PACKS)
def test_each_pack_passes_its_fixtures_with_full_rule_coverage(name: str) -> None:
    report = run_pack_tests(builtin_packs_dir() / name)
    mismatches = [
        f"{o.case.name}: {m.expectation.rule}: {m.why}"
        for o in report.outcomes
        for m in o.mismatches
    ] + [f"{o.case.name}: {o.level_mismatch}" for o in report.outcomes if o.level_mismatch]
    assert mismatches == []
    assert report.coverage.unproven_levels == ()  # a case at every level
    uncovered = [
        f"{r} ({report.coverage.missing(r)})"
        for r in report.coverage.rules
        if report.coverage.missing(r)
    ]
    assert uncovered == []
    assert report.coverage.percent == 100.0


#: Rules whose failures are worded by a `message:` (theirs, their checks' or their
#: conditions'), not in the engine's words. The production pack's first half (sys.,
#: quality., sec., perf., mon.) joins when its messages are written.
PLAIN_LANGUAGE = {"oss": ("oss.",), "production": ("",), "testing": ("test.",)}
#: Check kinds whose findings are already the owner's words: a `tests` finding names the
#: failed test and quotes its runner's failure message, which no template could improve.
WORDED_BY_KIND = frozenset({"tests"})


def failed_results(name: str) -> Iterator[tuple[str, RuleResult]]:
    """Every failed rule result of every fixture case of a built-in pack, with its case."""
    from engine.context import EvaluationOptions
    from engine.evaluator import evaluate
    from engine.packtest.build import build_case, case_environ
    from engine.packtest.cases import read_cases
    from engine.snapshots.worktree import WorktreeSnapshot
    from engine.testresults import given_reports

    folder = builtin_packs_dir() / name
    for case in read_cases(folder / "tests"):
        pack = load_pack_for(folder / "pack.yaml", case.params)
        with tempfile.TemporaryDirectory() as temp:
            bin_dir = build_case(case, Path(temp))
            snapshot = WorktreeSnapshot(Path(temp) / "repo")
            try:
                report = evaluate(
                    [pack],
                    snapshot,
                    options=EvaluationOptions(
                        environ=case_environ(bin_dir, case.inherit_path),
                        results=given_reports(case.folder / r for r in case.results),
                    ),
                )
            finally:
                snapshot.close()
        yield from ((case.name, r) for r in report.results if r.status == "fail")


@pytest.mark.parametrize("name", sorted(PLAIN_LANGUAGE))
def test_every_failure_of_a_built_in_rule_is_worded_in_plain_language(name: str) -> None:
    """No finding of these rules reads like the engine (`none of ... exists`, a JMESPath
    expression `is false`): each is written for the service owner who fixes it."""
    seen = set()
    rules = {r.id: r for r in load(name).rules}
    for case, result in failed_results(name):
        if not result.rule.startswith(PLAIN_LANGUAGE[name]):
            continue
        seen.add(result.rule)
        if any(c.kind in WORDED_BY_KIND for c in walk(rules[result.rule].check)):
            continue
        for finding in result.findings:
            assert finding.worded, f"{case}: {result.rule}: {finding.message}"
    wanted = {r.id for r in load(name).rules if r.id.startswith(PLAIN_LANGUAGE[name])}
    assert seen == wanted  # every one of them fails in some case


@pytest.mark.parametrize("name", PACKS)
def test_the_committed_reference_is_current(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    committed = ROOT / "docs" / "packs" / f"{name}.md"
    expected = render(load(name))
    assert committed.is_file(), f"docs/packs/{name}.md is missing: run `{regenerate_hint(name)}`"
    assert committed.read_text(encoding="utf-8") == expected, (
        f"docs/packs/{name}.md is stale: run `{regenerate_hint(name)}`"
    )


# -- the repository cannot choose the tools the production pack asks ----------------------

REDIRECTED = (
    "not run: the repository chooses the program (condition 'rust-tools-from-repo' holds)"
    " (use --trust-repo)"
)


@pytest.mark.parametrize(
    "redirection",
    [
        {"rust-toolchain.toml": '[toolchain]\npath = "tools/rust"\n'},
        {"rust-toolchain": '[toolchain]\npath = "tools/rust"\n'},
        {".cargo/config.toml": '[alias]\nfmt = "run --bin evil"\n'},
        {".cargo/config": '[alias]\nclippy = ["run", "--bin", "evil"]\n'},
    ],
    ids=["toolchain-path", "legacy-name-path", "fmt-alias", "clippy-alias"],
)
def test_the_tool_rules_do_not_run_where_the_repository_chooses_the_tools(
    policy, make_repo, tmp_path, redirection
) -> None:
    marker = tmp_path / "marker"
    tools = tmp_path / "machine-tools"
    tools.mkdir()
    for name in ("rustc", "cargo"):
        stub = tools / name
        stub.write_text(f"#!/bin/sh\necho {name} 1.90.0 >> {marker}\necho '{name} 1.90.0'\n")
        stub.chmod(0o755)
    repo = make_repo({"Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n', **redirection})
    env = {"PATH": f"{tools}:/usr/bin:/bin"}
    args = ["eval", repo, "--pack", "production", "--category", "system-dependencies"]
    rules = ("sys.rustc-version", "sys.cargo-version", "sys.rust-components")

    done = policy(*args, "--format", "json", env=env)
    results = {r["rule"]: (r["status"], r["reason"]) for r in json.loads(done.stdout)["results"]}
    assert [results[rule] for rule in rules] == [("skip", REDIRECTED)] * 3
    assert not marker.exists()

    trusted = policy(*args, "--format", "json", "--trust-repo", env=env)
    statuses = {r["rule"]: r["status"] for r in json.loads(trusted.stdout)["results"]}
    assert [statuses[rule] for rule in rules[:2]] == ["pass", "pass"]
    assert marker.read_text() == "rustc 1.90.0\ncargo 1.90.0\n"


def test_a_toolchain_channel_is_followed_without_trust(policy, make_repo, tmp_path) -> None:
    tools = tmp_path / "machine-tools"
    tools.mkdir()
    (tools / "rustc").write_text("#!/bin/sh\necho 'rustc 1.90.0'\n")
    (tools / "rustc").chmod(0o755)
    repo = make_repo(
        {
            "Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n',
            "rust-toolchain.toml": '[toolchain]\nchannel = "1.90.0"\n',
            ".cargo/config.toml": '[build]\nrustc-wrapper = "sccache"\n',  # build rules only
        }
    )
    done = policy(
        "eval",
        repo,
        "--pack",
        "production",
        "--rule",
        "sys.rustc-version",
        "--format",
        "json",
        env={"PATH": f"{tools}:/usr/bin:/bin"},
    )
    result = next(r for r in json.loads(done.stdout)["results"] if r["rule"] == "sys.rustc-version")
    assert (result["status"], result["reason"]) == ("pass", None)
