"""Finding packs by name: a repository's own packs never shadow a trusted one.

Without --trust-repo a name resolves on RULEPACK_PATH and among the built-in
packs first; the repository's folders (`pack_path`, `.rulepack/packs/`) only
for names found nowhere else. Every repository pack here would write a marker
file if it ran, and would fail the run if it were evaluated in place of the
built-in one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def impostor(name: str, marker: Path, version: str = "9.0.0") -> str:
    """A pack called `name` whose one rule writes `marker` and always fails."""
    return f"""\
apiVersion: rulepack/v1
name: {name}
version: {version}
categories: [{{id: general, title: General}}]
rules:
  - id: impostor.runs
    title: Runs the repository's program
    category: general
    check: {{command: {{shell: "touch {marker}; exit 1"}}}}
"""


def report_of(done) -> dict:
    assert done.exit_code in (0, 1), done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    "files",
    [
        {".rulepack/packs/production.yaml": "IMPOSTOR"},
        {".rulepack/packs/production/pack.yaml": "IMPOSTOR"},
        {".rulepack.yaml": "pack_path: [policy]\n", "policy/production.yml": "IMPOSTOR"},
    ],
    ids=["rulepack-packs-file", "rulepack-packs-folder", "pack-path"],
)
def test_a_repository_pack_named_production_does_not_replace_the_built_in(
    policy, make_repo, tmp_path, files
) -> None:
    marker = tmp_path / "marker"
    repo = make_repo(
        {
            path: impostor("production", marker) if text == "IMPOSTOR" else text
            for path, text in files.items()
        }
    )

    typed = report_of(policy("eval", repo, "--pack", "production", "--format", "json"))
    by_default = report_of(policy("eval", repo, "--format", "json"))

    for report in (typed, by_default):
        assert [(p["name"], p["source"]) for p in report["packs"]] == [("production", "builtin")]
        assert "impostor.runs" not in [r["rule"] for r in report["results"]]
    assert not marker.exists()


def test_the_config_naming_production_gets_the_built_in_too(policy, make_repo, tmp_path) -> None:
    marker = tmp_path / "marker"
    repo = make_repo(
        {
            ".rulepack.yaml": "packs: [production]\n",
            ".rulepack/packs/production.yaml": impostor("production", marker),
        }
    )
    report = report_of(policy("eval", repo, "--no-commands", "--format", "json"))
    assert [(p["name"], p["source"]) for p in report["packs"]] == [("production", "builtin")]
    assert not marker.exists()


def test_a_version_only_the_repository_has_does_not_fall_back_to_it(
    policy, make_repo, tmp_path
) -> None:
    marker = tmp_path / "marker"
    repo = make_repo(
        {
            ".rulepack.yaml": "packs: [{pack: production, version: '^9'}]\n",
            ".rulepack/packs/production.yaml": impostor("production", marker),
        }
    )
    done = policy("eval", repo, "--format", "json")
    assert done.exit_code == 2
    assert "no version of pack 'production' satisfies ^9 (found 1.1.0 at rulepacks/" in done.stderr
    assert not marker.exists()


def test_a_pack_on_rulepack_path_wins_over_the_repository_too(
    policy, make_repo, write_pack, tmp_path
) -> None:
    marker = tmp_path / "marker"
    ours = write_pack(
        impostor("team", tmp_path / "ours-ran").replace("exit 1", "exit 0"),
        name="team.yaml",
        folder=tmp_path / "library",
    )
    repo = make_repo({".rulepack/packs/team.yaml": impostor("team", marker)})
    done = policy(
        "eval", repo, "--pack", "team", "--format", "json", env={"RULEPACK_PATH": str(ours.parent)}
    )
    assert [(p["source"], p["path"]) for p in report_of(done)["packs"]] == [("path", str(ours))]
    assert (tmp_path / "ours-ran").exists() and not marker.exists()


def test_a_name_only_the_repository_has_is_found_there(policy, make_repo, tmp_path) -> None:
    repo = make_repo({".rulepack/packs/local.yaml": impostor("local", tmp_path / "marker")})
    report = report_of(policy("eval", repo, "--pack", "local", "--format", "json"))
    assert [(p["name"], p["source"]) for p in report["packs"]] == [("local", "repo")]


def test_extends_by_name_from_a_repository_pack_gets_the_built_in(
    policy, make_repo, tmp_path
) -> None:
    marker = tmp_path / "marker"
    repo = make_repo(
        {
            ".rulepack/packs/common.yaml": impostor("common", marker),
            ".rulepack/packs/local.yaml": (
                "apiVersion: rulepack/v1\nname: local\nversion: 1.0.0\n"
                "extends: [{pack: common}]\nrules: []\n"
            ),
        }
    )
    report = report_of(policy("eval", repo, "--pack", "local", "--trust-repo", "--format", "json"))
    # with --trust-repo the repository's `common` is found first and runs
    assert [r["rule"] for r in report["results"]] == ["impostor.runs"]
    assert marker.exists()
    marker.unlink()
    report = report_of(policy("eval", repo, "--pack", "local", "--format", "json"))
    assert report["results"] == []  # the built-in `common` has no rules
    assert not marker.exists()


@pytest.mark.parametrize("trust", [["--trust-repo"], []], ids=["option", "variable"])
def test_with_trust_the_repository_pack_replaces_the_built_in_and_runs(
    policy, make_repo, tmp_path, trust
) -> None:
    marker = tmp_path / "marker"
    repo = make_repo({".rulepack/packs/production.yaml": impostor("production", marker)})
    env = {} if trust else {"RULEPACK_TRUST_REPO": "1"}
    done = policy("eval", repo, "--pack", "production", *trust, "--format", "json", env=env)
    report = report_of(done)
    assert [(p["name"], p["version"], p["source"]) for p in report["packs"]] == [
        ("production", "9.0.0", "repo")
    ]
    assert [(r["rule"], r["status"]) for r in report["results"]] == [("impostor.runs", "fail")]
    assert marker.exists()


def test_no_trust_repo_undoes_the_variable(policy, make_repo, tmp_path) -> None:
    marker = tmp_path / "marker"
    repo = make_repo({".rulepack/packs/production.yaml": impostor("production", marker)})
    done = policy(
        "eval",
        repo,
        "--no-trust-repo",
        "--no-commands",
        "--format",
        "json",
        env={"RULEPACK_TRUST_REPO": "1"},
    )
    assert [p["source"] for p in report_of(done)["packs"]] == ["builtin"]
    assert not marker.exists()
