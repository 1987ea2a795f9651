"""The repository config `.rulepack.yaml` (or --config FILE), through a bare `policy eval`."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from engine.packs.digest import files_digest

PACK = """\
apiVersion: rulepack/v1
name: team
version: 1.2.0
params: {min: 2, doc: README.md}
categories:
  - {id: docs, title: Documentation}
rules:
  - {id: readme, title: T, category: docs, check: {file: {exists: ["{{ doc }}"]}}}
  - {id: license, title: T, category: docs, severity: warning, check: {file: {exists: [LICENSE]}}}
  - id: count
    title: T
    category: docs
    check: {manifest: {files: [n.json], assert: "n >= `{{ min }}`"}}
"""


def repo_with(make_repo, config: str, files: dict[str, str] | None = None) -> Path:
    return make_repo(
        {
            "packs/team.yaml": PACK,
            "n.json": '{"n": 2}',
            "README.md": "x",
            ".rulepack.yaml": textwrap.dedent(config),
            **(files or {}),
        }
    )


def bare_eval(policy, repo: Path, *args: str):
    done = policy("eval", "--format", "json", *args, cwd=repo)
    report = json.loads(done.stdout) if done.exit_code in (0, 1) else None
    return done, report


def statuses(report) -> dict[str, str]:
    return {r["rule"]: r["status"] for r in report["results"]}


def test_packs_from_the_config_run_on_a_bare_eval(policy, make_repo) -> None:
    done, report = bare_eval(policy, repo_with(make_repo, "packs: [packs/team.yaml]\n"))
    assert done.exit_code == 0, done.stderr
    assert statuses(report) == {"readme": "pass", "license": "fail", "count": "pass"}
    digest = report["packs"][0].pop("digest")  # of the pack as the repository holds it
    assert report["packs"] == [
        {"name": "team", "version": "1.2.0", "source": "repo", "path": "packs/team.yaml"}
    ]
    read = (Path(report["snapshot"]["root"]) / "packs/team.yaml").read_bytes()
    assert digest == files_digest([("repo:packs/team.yaml", read)])


def test_params_from_the_config_and_the_command_line_wins(policy, make_repo) -> None:
    repo = repo_with(make_repo, "packs: [packs/team.yaml]\nparams: {min: 3, doc: DOCS.md}\n")
    _, report = bare_eval(policy, repo)
    assert statuses(report) == {"readme": "fail", "license": "fail", "count": "fail"}
    _, report = bare_eval(policy, repo, "--param", "min=1", "--param", "doc=README.md")
    assert statuses(report)["count"] == "pass"
    assert statuses(report)["readme"] == "pass"


def test_fail_on_from_the_config_and_the_option_wins(policy, make_repo) -> None:
    repo = repo_with(make_repo, "packs: [packs/team.yaml]\nfail_on: warning\n")
    assert bare_eval(policy, repo)[0].exit_code == 1
    assert bare_eval(policy, repo, "--fail-on", "error")[0].exit_code == 0


def test_disable_skips_with_the_reason(policy, make_repo) -> None:
    _, report = bare_eval(
        policy, repo_with(make_repo, "packs: [packs/team.yaml]\ndisable: [license]\n")
    )
    license_ = next(r for r in report["results"] if r["rule"] == "license")
    assert (license_["status"], license_["reason"]) == ("skip", "disabled in .rulepack.yaml")


def test_severity_replaces_the_packs(policy, make_repo) -> None:
    repo = repo_with(make_repo, "packs: [packs/team.yaml]\nseverity: {license: error}\n")
    done, report = bare_eval(policy, repo)
    assert done.exit_code == 1
    assert next(r for r in report["results"] if r["rule"] == "license")["severity"] == "error"


def test_pack_path_finds_packs_by_name_in_the_repository(policy, make_repo) -> None:
    repo = repo_with(make_repo, "pack_path: [packs]\npacks: [{pack: team, version: ^1.0}]\n")
    done, report = bare_eval(policy, repo)
    assert done.exit_code == 0, done.stderr
    assert report["packs"][0]["source"] == "repo"


def test_a_version_range_the_pack_does_not_meet(policy, make_repo) -> None:
    repo = repo_with(make_repo, "pack_path: [packs]\npacks: [{pack: team, version: ^2.0}]\n")
    done, _ = bare_eval(policy, repo)
    assert done.exit_code == 2
    assert done.stderr == (
        "policy: .rulepack.yaml:2:9: error: no version of pack 'team' satisfies ^2.0 "
        "(found 1.2.0 at packs/team.yaml)\n"
    )


def test_a_version_range_on_a_pack_file(policy, make_repo) -> None:
    repo = repo_with(make_repo, "packs:\n  - {pack: packs/team.yaml, version: ^1.0}\n")
    assert bare_eval(policy, repo)[0].exit_code == 0
    repo = repo_with(make_repo, "packs:\n  - {pack: packs/team.yaml, version: ~1.3}\n")
    done, _ = bare_eval(policy, repo)
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: .rulepack.yaml:2:5: error: pack 'team' at packs/team.yaml is version 1.2.0, "
        "which does not satisfy ~1.3\n",
    )


def test_an_invalid_version_range_in_the_config(policy, make_repo) -> None:
    repo = repo_with(make_repo, "packs:\n  - {pack: packs/team.yaml, version: newest}\n")
    done, _ = bare_eval(policy, repo)
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: .rulepack.yaml:2:5: error: invalid version range 'newest'\n",
    )


def test_an_unknown_pack_in_the_config_names_the_entry(policy, make_repo) -> None:
    done, _ = bare_eval(policy, repo_with(make_repo, "packs: [team, produciton]\n"))
    assert done.exit_code == 2
    assert done.stderr.startswith(
        "policy: .rulepack.yaml:1:9: error: unknown pack 'team' (available: "
    )


def test_a_missing_pack_file_in_the_config_names_the_entry(policy, make_repo) -> None:
    done, _ = bare_eval(policy, repo_with(make_repo, "packs:\n  - packs/nope.yaml\n"))
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: .rulepack.yaml:2:5: error: cannot read pack packs/nope.yaml: "
        "No such file in the snapshot\n",
    )


def test_the_default_repo_pack_folder(policy, make_repo) -> None:
    repo = make_repo({".rulepack/packs/team.yaml": PACK, "README.md": "x", "n.json": '{"n": 5}'})
    done = policy("eval", "--pack", "team", "--format", "json", cwd=repo)
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["packs"][0]["path"] == ".rulepack/packs/team.yaml"


def test_exclude_hides_files_from_every_rule(policy, make_repo) -> None:
    repo = repo_with(
        make_repo,
        "packs: [packs/team.yaml]\nexclude: [README.md, 'vendor/**']\n",
        {"vendor/LICENSE": "x"},
    )
    _, report = bare_eval(policy, repo)
    assert statuses(report)["readme"] == "fail"


def test_an_exclude_glob_that_can_never_match_is_refused_naming_the_fix(policy, make_repo) -> None:
    config = "packs: [packs/team.yaml]\nexclude:\n  - vendor/\n  - ./testdata/**\n  - ../x\n"
    config += "  - ok/**\n"
    done, _ = bare_eval(policy, repo_with(make_repo, config))
    assert (done.exit_code, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [
        "policy: .rulepack.yaml:3:5: error: 'vendor/' can never match a file "
        "(paths name files, not folders): write 'vendor/**'",
        "policy: .rulepack.yaml:4:5: error: './testdata/**': paths have no leading './': "
        "write 'testdata/**'",
        "policy: .rulepack.yaml:5:5: error: glob '../x' leaves the snapshot root "
        "('..' is not allowed)",
    ]


def test_without_config_or_pack_the_production_pack_runs(policy, make_repo) -> None:
    done = policy("eval", "--format", "json", "--no-commands", cwd=make_repo({"README.md": "x"}))
    assert done.exit_code in (0, 1), done.stderr
    assert json.loads(done.stdout)["packs"][0]["name"] == "production"


def test_an_unknown_rule_in_disable_or_severity_is_located(policy, make_repo) -> None:
    repo = repo_with(
        make_repo,
        "packs: [packs/team.yaml]\ndisable:\n  - readme\n  - licence\nseverity: {reedme: info}\n",
    )
    done, _ = bare_eval(policy, repo)
    assert done.exit_code == 2
    assert done.stderr.splitlines() == [
        "policy: .rulepack.yaml:4:5: error: unknown rule 'licence' in disable "
        "(did you mean 'license'?)",
        "policy: .rulepack.yaml:5:12: error: unknown rule 'reedme' in severity "
        "(did you mean 'readme'?)",
    ]


def test_an_unknown_key_and_a_bad_value_are_located(policy, make_repo) -> None:
    repo = repo_with(
        make_repo, "packs: [packs/team.yaml]\nfail-on: warning\nseverity: {readme: high}\n"
    )
    done, _ = bare_eval(policy, repo)
    assert done.exit_code == 2
    assert done.stderr.splitlines() == [
        "policy: .rulepack.yaml:2:1: error: unknown key 'fail-on' (did you mean 'fail_on'?)",
        "policy: .rulepack.yaml:3:20: error: severity.readme: 'high' is not one of "
        "['error', 'warning', 'info']",
    ]


def test_a_config_that_is_not_yaml(policy, make_repo) -> None:
    done, _ = bare_eval(policy, repo_with(make_repo, "packs: [unclosed\n"))
    assert done.exit_code == 2
    assert done.stderr == (
        "policy: .rulepack.yaml:2:1: error: not valid YAML: while parsing a flow sequence, "
        "did not find expected ',' or ']'\n"
    )


def test_an_alias_inside_its_own_node_in_the_config(policy, make_repo) -> None:
    done, _ = bare_eval(
        policy, repo_with(make_repo, "packs: [packs/team.yaml]\nparams: &p {x: *p}\n")
    )
    assert done.exit_code == 2
    assert done.stderr == (
        "policy: .rulepack.yaml:2:16: error: not valid YAML: "
        "alias *p is inside the node it refers to (a loop)\n"
    )


def test_an_unknown_param_in_the_config(policy, make_repo) -> None:
    done, _ = bare_eval(
        policy, repo_with(make_repo, "packs: [packs/team.yaml]\nparams: {mni: 2}\n")
    )
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: .rulepack.yaml:2:10: error: unknown parameter 'mni': "
        "no evaluated pack declares it (declared: doc, min)\n",
    )


def test_config_option_reads_another_file(policy, make_repo, tmp_path: Path) -> None:
    repo = repo_with(make_repo, "packs: [packs/team.yaml]\n")
    other = tmp_path / "strict.yaml"
    other.write_text("packs: [packs/team.yaml]\nfail_on: warning\n")
    done, report = bare_eval(policy, repo, "--config", str(other))
    assert done.exit_code == 1
    assert statuses(report)["license"] == "fail"


def test_a_missing_config_file(policy, make_repo, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    done, _ = bare_eval(policy, repo_with(make_repo, "{}\n"), "--config", str(missing))
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: cannot read config {missing}: No such file or directory\n",
    )


def test_an_empty_config_is_fine(policy, make_repo) -> None:
    repo = repo_with(make_repo, "")
    done = policy("eval", "--pack", "packs/team.yaml", "--format", "json", cwd=repo)
    assert done.exit_code == 0, done.stderr


def test_a_pack_folder_in_the_config(policy, make_repo) -> None:
    repo = make_repo(
        {
            "packs/team/pack.yaml": PACK,
            "README.md": "x",
            "n.json": '{"n": 2}',
            ".rulepack.yaml": "packs: [packs/team]\n",
        }
    )
    done, report = bare_eval(policy, repo)
    assert done.exit_code == 0, done.stderr
    assert report["packs"][0]["path"] == "packs/team/pack.yaml"


def test_a_config_that_is_not_text_is_refused_where_it_goes_wrong(policy, make_repo) -> None:
    repo = make_repo({".rulepack.yaml": "packs: [production]\nfail_on: \xff\n".encode("latin-1")})
    done = policy("eval", repo)
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: .rulepack.yaml:2:10: error: not a config: not UTF-8 text (byte 0xff)\n",
    )


def test_an_endless_config_file_is_read_no_further_than_the_cap(policy, make_repo) -> None:
    done = policy("eval", make_repo(), "--config", "/dev/zero")
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: /dev/zero: error: not a config: larger than 4 MiB, more than rulepack reads\n",
    )


def test_a_huge_config_value_is_cut_in_the_message(policy, make_repo) -> None:
    repo = make_repo({".rulepack.yaml": "packs: [" + "x" * 1_000_000 + "]\n"})
    done = policy("eval", repo)
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: .rulepack.yaml:1:9: error: unknown pack '" + "x" * 59 + "…(1,000,002 "
        "characters)…" + "x" * 19 + "' (available: common, oss, production, testing)\n",
    )


def test_a_config_nested_past_the_limit_is_located(policy, make_repo) -> None:
    repo = make_repo({".rulepack.yaml": "params: {p: " + "[" * 100 + "]" * 100 + "}\n"})
    done = policy("eval", repo)
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: .rulepack.yaml:1:75: error: not valid YAML: nested deeper than 64 levels\n",
    )
