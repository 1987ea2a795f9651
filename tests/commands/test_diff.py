"""`policy diff BASE [HEAD]`: what got better or worse between two snapshots."""

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
- id: readme
  title: A README
  category: general
  severity: error
  check: {file: {exists: [README.md]}}
- id: todos
  title: No TODO
  category: general
  severity: warning
  check: {file: {paths: ["src/**"], not_contains: TODO}}
"""


@pytest.fixture
def repo(make_repo, pack_text) -> Path:
    """BASE (the commit `base`): one secret in src/a.txt, no README, one TODO."""
    root = make_repo(
        {
            "policy.yaml": pack_text(RULES),
            ".rulepack.yaml": "packs: [./policy.yaml]\n",
            "src/a.txt": "SECRET\n",
            "src/b.txt": "TODO\n",
        }
    )
    git(root, "tag", "base")
    return root


def diff_json(policy, repo: Path, *args: str) -> tuple[int, dict]:
    done = policy("diff", *args, "-C", repo, "--format", "json")
    assert done.exit_code in (0, 1), done.stderr
    report = json.loads(done.stdout)
    Draft202012Validator(json.loads(schema_path("diff").read_text())).validate(report)
    return done.exit_code, report


def rule(report: dict, rule_id: str) -> dict:
    (found,) = [r for r in report["rules"] if r["rule"] == rule_id]
    return found


def places(findings: list[dict]) -> list[tuple[str | None, int | None]]:
    return [(f["path"], f["line"]) for f in findings]


def test_new_fixed_and_unchanged_findings_against_the_working_tree(repo, policy) -> None:
    (repo / "src/a.txt").write_text("moved down\nSECRET\n")  # same finding, another line
    (repo / "src/c.txt").write_text("SECRET\n")  # a new one
    (repo / "README.md").write_text("# r\n")  # readme fixed

    code, report = diff_json(policy, repo, "base")

    assert code == 1
    assert report["base"]["kind"] == "ref" and report["head"]["kind"] == "worktree"
    secrets = rule(report, "secrets")
    assert (secrets["before"], secrets["after"], secrets["change"]) == ("fail", "fail", "same")
    assert places(secrets["new"]) == [("src/c.txt", 1)]
    assert places(secrets["unchanged"]) == [("src/a.txt", 2)]
    assert (secrets["fixed"], secrets["got_worse"]) == ([], True)
    readme = rule(report, "readme")
    assert (readme["before"], readme["after"], readme["change"]) == ("fail", "pass", "better")
    assert places(readme["fixed"]) == [(None, None)]
    assert report["summary"] == {
        "new_findings": 1,
        "fixed_findings": 1,
        "unchanged_findings": 2,
        "worse": 0,
        "better": 1,
        "changed": 0,
        "got_worse": True,
    }


def test_the_text_output(repo, policy) -> None:
    (repo / "src/c.txt").write_text("SECRET\n")
    (repo / "README.md").write_text("# r\n")
    commit = git(repo, "rev-parse", "base").strip()

    done = policy("diff", "base", "-C", repo)

    assert done.exit_code == 1
    assert done.stdout.splitlines()[0].endswith(f"diff · base ({commit[:12]}) → the working tree")
    assert done.stdout.splitlines()[1:] == [
        "",
        "Got worse (+ new findings):",
        "  secrets  No secrets  [error]  fail",
        "      + src/c.txt:1: matches /SECRET/",
        "",
        "Got better (- fixed findings):",
        "  readme  A README  [error]  fail → pass",
        "      - none of README.md exists",
        "",
        "Summary: findings 1 new, 1 fixed, 2 unchanged · rules 1 worse, 1 better, "
        "0 otherwise changed",
        "Verdict: worse at --fail-on error",
    ]


def test_show_also_lists_the_rules_that_did_not_change(repo, policy) -> None:
    (repo / "README.md").write_text("# r\n")

    failed = policy("diff", "base", "-C", repo, "--show", "failed")
    every = policy("diff", "base", "-C", repo, "-v")

    assert failed.exit_code == every.exit_code == 0
    assert failed.stdout.splitlines()[6:10] == [
        "Unchanged (= findings in both):",
        "  secrets  No secrets  [error]  fail",
        "      = src/a.txt:1: matches /SECRET/",
        "  todos  No TODO  [warning]  fail",
    ]
    assert every.stdout == failed.stdout  # the rule that passed changed: it is listed anyway
    assert "Unchanged" not in policy("diff", "base", "-C", repo).stdout


def test_only_what_got_worse_at_the_fail_on_level_fails(repo, policy) -> None:
    (repo / "src/b.txt").write_text("TODO\nTODO again\n")  # a new warning finding

    assert diff_json(policy, repo, "base")[0] == 0
    assert diff_json(policy, repo, "base", "--fail-on", "warning")[0] == 1
    assert diff_json(policy, repo, "base", "--fail-on", "never")[0] == 0


def test_improvements_only_exit_zero(repo, policy) -> None:
    (repo / "src/a.txt").write_text("clean\n")

    code, report = diff_json(policy, repo, "base")

    assert code == 0
    secrets = rule(report, "secrets")
    assert (secrets["change"], places(secrets["fixed"])) == ("better", [("src/a.txt", 1)])


def test_two_refs_and_the_index(repo, policy) -> None:
    (repo / "src/c.txt").write_text("SECRET\n")
    git(repo, "add", "src/c.txt")
    (repo / "src/d.txt").write_text("SECRET\n")  # unstaged: not in the index

    staged_code, staged = diff_json(policy, repo, "base", "--staged")
    git(repo, "commit", "-q", "-m", "c")
    refs_code, refs = diff_json(policy, repo, "base", "HEAD")

    assert (staged_code, refs_code) == (1, 1)
    assert staged["head"]["kind"] == "staged"
    assert refs["head"]["kind"] == "ref"
    assert places(rule(staged, "secrets")["new"]) == [("src/c.txt", 1)]
    assert places(rule(refs, "secrets")["new"]) == [("src/c.txt", 1)]


def test_both_sides_are_judged_by_heads_rules(repo, policy, pack_text) -> None:
    # HEAD adds a rule that the old code already breaks: nothing new, nothing worse.
    stricter = pack_text(
        RULES + "- {id: no-b, title: No b, category: general, check: {file: {absent: [src/b.txt]}}}"
    )
    (repo / "policy.yaml").write_text(stricter)

    code, report = diff_json(policy, repo, "base")

    assert code == 0
    no_b = rule(report, "no-b")
    assert (no_b["before"], no_b["after"], no_b["new"]) == ("fail", "fail", [])
    assert places(no_b["unchanged"]) == [("src/b.txt", None)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "policy: error: BASE nope: unknown ref in {repo}\n"),
        (["base", "HEAD", "--staged"], "policy: error: diff: give HEAD or --staged, not both\n"),
    ],
)
def test_bad_input(repo, policy, args, message) -> None:
    done = policy("diff", *args, "-C", repo)

    assert (done.exit_code, done.stderr) == (2, message.format(repo=repo.resolve()))


def test_jobs_out_of_range_is_a_usage_error(repo, policy) -> None:
    done = policy("diff", "base", "--jobs", "0", "-C", repo)

    assert done.exit_code == 2
    assert done.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--jobs': 0 is not in the range 1<=x<=64."
    )


def test_outside_git_is_bad_input(tmp_path, policy) -> None:
    done = policy("diff", "HEAD", "-C", tmp_path)

    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: BASE: {tmp_path} is not inside a git repository\n",
    )


def test_output_never_overwrites_a_pack_it_reads(repo, policy) -> None:
    before = (repo / "policy.yaml").read_bytes()

    done = policy("diff", "base", "-C", repo, "-o", repo / "policy.yaml")

    assert done.exit_code == 2
    assert done.stderr == (
        f"policy: error: -o {repo / 'policy.yaml'} names a pack file this run reads; "
        "write the output to another file\n"
    )
    assert (repo / "policy.yaml").read_bytes() == before


MANIFEST_RULE = """\
- id: replicas
  title: replicas
  category: general
  check: {manifest: {files: ["k8s/*.yaml"], assert: "spec.replicas >= `2`"}}
"""


@pytest.mark.parametrize(
    "command", [["diff", "HEAD", "-C", "{repo}"], ["eval", "{repo}", "--new-since", "HEAD"]]
)
def test_both_snapshots_share_their_parses(
    make_repo, policy, pack_text, count_parses, command: list[str]
) -> None:
    files = {f"k8s/app{i}.yaml": f"spec: {{replicas: {i}}}\n" for i in range(5)}
    repo = make_repo({**files, "policy.yaml": pack_text(MANIFEST_RULE)})
    (repo / "k8s/app0.yaml").write_text("spec: {replicas: 3}\n")  # the one file that differs
    args = [word.format(repo=repo) for word in command]
    done = policy(*args, "--pack", repo / "policy.yaml", env={"RULEPACK_PARSE_CACHE_MIB": "0"})
    assert done.exit_code == 0, done.stderr  # app0 got better; app1 fails in both
    assert count_parses == ["yaml"] * 6  # five files, and the base's other app0.yaml


def test_a_file_edited_while_the_working_tree_reads_it_is_not_judged_so_in_the_base(
    make_repo, policy, check_pack, write_pack, monkeypatch
) -> None:
    # What checks make of a file is shared by its path and blob id between the two
    # snapshots; a.md, vouched for by git's index, is saved with a TODO just as the
    # working tree reads it: HEAD's a.md still holds no TODO.
    import engine.snapshots.worktree

    repo = make_repo({"a.md": "ok\n"})
    pack = write_pack(check_pack('{file: {paths: [a.md], not_contains: "TODO"}}'))
    snapshot_class = engine.snapshots.worktree.WorktreeSnapshot
    real = snapshot_class.read_capped

    def edited(self, path: str, max_bytes: int) -> bytes | int:
        (repo / "a.md").write_text("TODO\n")
        return real(self, path, max_bytes)

    monkeypatch.setattr(snapshot_class, "read_capped", edited)
    done = policy("diff", "-C", repo, "HEAD", "--pack", pack, "--format", "json")
    (rule,) = json.loads(done.stdout)["rules"]
    assert (rule["before"], rule["after"]) == ("pass", "fail")
