"""`policy eval --baseline REPORT.json` and `--new-since REV`: fail only on what is new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from engine.resources import schema_path
from tests.conftest import git

RULES = """\
- id: secrets
  title: No secrets
  category: general
  severity: error
  check: {file: {paths: ["src/**"], not_contains: SECRET}}
- id: config
  title: Config parses
  category: general
  severity: error
  check: {manifest: {files: ["*.json"], assert: "name"}}
- id: readme
  title: A README
  category: general
  severity: error
  check: {file: {exists: [README.md]}}
"""


@pytest.fixture
def repo(make_repo, pack_text) -> Path:
    """Two secrets in src/a.txt, a config that does not parse, a README."""
    return make_repo(
        {
            ".rulepack.yaml": "packs: [./policy.yaml]\n",
            "policy.yaml": pack_text(RULES),
            "src/a.txt": "SECRET\nok\nSECRET\n",
            "conf.json": "{broken\n",
            "README.md": "# r\n",
        }
    )


def run_json(policy, repo: Path, *args) -> tuple[int, dict]:
    done = policy("eval", repo, "--format", "json", *args)
    assert done.exit_code in (0, 1), done.stderr
    report = json.loads(done.stdout)
    Draft202012Validator(json.loads(schema_path("report").read_text())).validate(report)
    return done.exit_code, report


def result(report: dict, rule: str) -> dict:
    (found,) = [r for r in report["results"] if r["rule"] == rule]
    return found


def marks(found: dict) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["baseline"]) for f in found["findings"]]


@pytest.fixture
def baseline(repo, policy, tmp_path) -> Path:
    path = tmp_path / "baseline.json"
    done = policy("eval", repo, "--format", "json", "-o", path)
    assert done.exit_code == 1  # secrets fail, config errors
    return path


def test_only_new_findings_fail_the_run(repo, policy, baseline) -> None:
    (repo / "src/a.txt").write_text("added above\nSECRET\nok\nSECRET\nSECRET new\n")

    code, report = run_json(policy, repo, "--baseline", baseline)

    assert code == 1
    secrets = result(report, "secrets")
    assert (secrets["status"], secrets["baseline"]) == ("fail", "new")
    assert marks(secrets) == [
        ("src/a.txt", 2, "known"),
        ("src/a.txt", 4, "known"),
        ("src/a.txt", 5, "new"),
    ]
    assert result(report, "config")["baseline"] == "known"
    assert "baseline" not in result(report, "readme")  # passing results carry no mark
    assert report["summary"]["baseline"] == {
        "source": str(baseline),
        "new_findings": 1,
        "known_findings": 3,  # two secrets and the config's parse error
        "new_results": 1,
        "known_results": 1,
    }


def test_known_findings_on_other_lines_do_not_fail(repo, policy, baseline) -> None:
    (repo / "src/a.txt").write_text("a line\nanother\nSECRET\nok\nSECRET\n")

    code, report = run_json(policy, repo, "--baseline", baseline)

    assert code == 0
    secrets = result(report, "secrets")
    assert (secrets["status"], secrets["baseline"]) == ("fail", "known")
    assert [m[2] for m in marks(secrets)] == ["known", "known"]


def test_a_new_status_is_new_even_without_findings(repo, policy, baseline) -> None:
    (repo / "README.md").unlink()

    code, report = run_json(policy, repo, "--baseline", baseline)

    assert code == 1
    assert result(report, "readme")["baseline"] == "new"
    assert report["summary"]["baseline"]["new_results"] == 1


def test_the_table_hides_known_findings_and_says_so(repo, policy, baseline) -> None:
    (repo / "src/a.txt").write_text("SECRET\nok\nSECRET\nSECRET\n")

    done = policy("eval", repo, "--baseline", baseline)

    assert done.exit_code == 1
    lines = done.stdout.splitlines()
    assert "           • src/a.txt:4: matches /SECRET/" in lines
    assert "           • src/a.txt:1: matches /SECRET/" not in lines
    assert "           (2 known findings hidden: in the baseline)" in lines
    assert any(line.endswith("Config parses  (known: in the baseline)") for line in lines)
    assert lines[-1] == (
        f"Baseline {baseline}: findings 1 new, 3 known (hidden); failed or errored rules "
        "1 new, 1 known. Only new ones fail the run."
    )


def test_new_since_a_ref(repo, policy) -> None:
    commit = git(repo, "rev-parse", "HEAD").strip()
    same_code, same = run_json(policy, repo, "--new-since", "main")
    (repo / "src/b.txt").write_text("SECRET\n")
    new_code, new = run_json(policy, repo, "--new-since", "main")

    assert (same_code, new_code) == (0, 1)
    assert same["summary"]["baseline"]["source"] == f"main ({commit})"
    assert same["summary"]["baseline"]["new_findings"] == 0
    assert [m for m in marks(result(new, "secrets")) if m[2] == "new"] == [("src/b.txt", 1, "new")]


def test_new_since_judges_the_ref_by_the_current_rules(repo, policy, pack_text) -> None:
    # The branch adds a rule the old code already breaks: not this branch's fault.
    (repo / "policy.yaml").write_text(
        pack_text(
            RULES
            + "- {id: no-a, title: No a, category: general, check: {file: {absent: [src/a.txt]}}}"
        )
    )

    code, report = run_json(policy, repo, "--new-since", "HEAD")

    assert code == 0
    assert result(report, "no-a")["baseline"] == "known"


def test_without_a_baseline_the_report_has_no_marks(repo, policy) -> None:
    _, report = run_json(policy, repo)

    assert "baseline" not in report["summary"]
    assert all("baseline" not in r for r in report["results"])
    assert all("baseline" not in f for r in report["results"] for f in r["findings"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--baseline", "{repo}/policy.yaml"],
            "--baseline {repo}/policy.yaml: not a rulepack JSON report (not JSON: Expecting "
            "value at line 1)",
        ),
        (
            ["--baseline", "x.json", "--new-since", "HEAD"],
            "--baseline and --new-since cannot be used together",
        ),
        (["--new-since", "nope"], "--new-since nope: unknown ref in {repo}"),
        (
            ["--baseline", "/dev/zero"],
            "--baseline /dev/zero: not a rulepack JSON report (larger than 64 MiB, more than "
            "rulepack reads)",
        ),
        (
            ["--baseline", "{repo}/deep.json"],
            "--baseline {repo}/deep.json: not a rulepack JSON report (nested too deeply)",
        ),
    ],
)
def test_bad_input(repo, policy, args, message) -> None:
    (repo / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    done = policy("eval", repo, *[a.format(repo=repo) for a in args])

    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: {message.format(repo=repo.resolve())}\n",
    )


def test_new_since_outside_git_is_bad_input(tmp_path, policy, write_pack, pack_text) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()

    done = policy("eval", folder, "--pack", write_pack(pack_text(RULES)), "--new-since", "HEAD")

    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: --new-since: {folder} is not inside a git repository\n",
    )


def test_other_formats_show_what_is_new(repo, policy, baseline) -> None:
    """Pull-request formats speak of new findings; SARIF keeps all, with their state."""
    (repo / "src/a.txt").write_text("added above\nSECRET\nok\nSECRET\nSECRET new\n")

    github = policy("eval", repo, "--format", "github", "--baseline", baseline).stdout
    annotations = [line for line in github.splitlines() if line.startswith("::error file=src")]
    assert [a.split(",title=")[0] for a in annotations] == ["::error file=src/a.txt,line=5"]

    markdown = policy("eval", repo, "--format", "markdown", "--baseline", baseline).stdout
    assert "`src/a.txt:5`" in markdown
    assert "`src/a.txt:2`" not in markdown and "`src/a.txt:4`" not in markdown

    sarif = json.loads(policy("eval", repo, "--format", "sarif", "--baseline", baseline).stdout)
    states = [
        (r["locations"][0]["physicalLocation"]["region"]["startLine"], r["baselineState"])
        for r in sarif["runs"][0]["results"]
        if r["ruleId"] == "secrets"
    ]
    assert states == [(2, "unchanged"), (4, "unchanged"), (5, "new")]


def test_every_format_gives_the_verdict_the_exit_code_gives(repo, policy, baseline) -> None:
    """With nothing new the run holds: exit 0, and no report may say it fails."""
    markdown = policy("eval", repo, "--format", "markdown", "--baseline", baseline)
    assert markdown.exit_code == 0
    assert "✅ holds" in markdown.stdout and "❌ fails" not in markdown.stdout

    html = policy("eval", repo, "--format", "html", "--baseline", baseline)
    assert html.exit_code == 0
    assert 'class="verdict holds"' in html.stdout and 'class="verdict fails"' not in html.stdout


def test_junit_skips_what_the_baseline_knew(repo, policy, baseline) -> None:
    import xml.etree.ElementTree as ET

    done = policy("eval", repo, "--format", "junit", "--baseline", baseline)
    assert done.exit_code == 0
    root = ET.fromstring(done.stdout)
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("0", "0", "2")
    cases = {c.get("name"): c for c in root.iter("testcase")}
    for rule in ("secrets", "config"):
        (skipped,) = list(cases[rule])
        assert (skipped.tag, skipped.get("message")) == ("skipped", "known: in the baseline")
    assert list(cases["readme"]) == []
