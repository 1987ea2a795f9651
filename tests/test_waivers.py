"""Waivers in `.rulepack.yaml` (and a `waivers_file`), through the real `policy eval`."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from engine.schemas import validator

PACK = """\
apiVersion: rulepack/v1
name: team
version: 1.0.0
categories:
  - {id: sec, title: Security}
rules:
  - {id: no-keys, title: No keys, category: sec, check: {file: {absent: ["**/*.pem"]}}}
  - {id: license, title: Licence, category: sec, check: {file: {exists: [LICENSE]}}}
  - {id: readme, title: Readme, category: sec, check: {file: {exists: [README.md]}}}
"""
FILES = {
    "packs/team.yaml": PACK,
    "README.md": "x",
    "tests/fixtures/a.pem": "k",
    "tests/fixtures/b.pem": "k",
    "deploy/c.pem": "k",
}
TODAY = "2026-12-01"


def repo_with(make_repo, config: str, files: dict[str, str] | None = None) -> Path:
    config = "packs: [packs/team.yaml]\n" + textwrap.dedent(config)
    return make_repo({**FILES, ".rulepack.yaml": config, **(files or {})})


def run(policy, repo: Path, *args: str, today: str = TODAY):
    done = policy("eval", "--format", "json", *args, cwd=repo, env={"RULEPACK_TODAY": today})
    report = json.loads(done.stdout) if done.exit_code in (0, 1) else None
    return done, report


def result(report, rule: str):
    return next(r for r in report["results"] if r["rule"] == rule)


MARK = {"reason": "Test keys", "owner": "@sec", "expires": "2027-01-31", "ticket": "SEC-1"}


def test_a_waiver_without_paths_waives_a_rule_without_findings(policy, make_repo) -> None:
    repo = repo_with(
        make_repo,
        """\
        waivers:
          - rule: license
            reason: Licence chosen by legal
            owner: "@legal"
            expires: 2027-01-31
        """,
    )
    done, report = run(policy, repo, "--rule", "license")
    assert done.exit_code == 0, done.stderr
    found = result(report, "license")
    assert found["status"] == "waived"
    assert found["waived"] == {
        "reason": "Licence chosen by legal",
        "owner": "@legal",
        "expires": "2027-01-31",
        "ticket": None,
    }
    assert report["summary"]["waived"] == 1
    assert (report["summary"]["failed"], report["summary"]["passed"]) == (0, 0)
    assert report["summary"]["by_category"]["sec"]["waived"] == 1
    assert report["summary"]["success_rate"] is None  # a waived rule is not judged
    assert report["waivers"] == [
        {
            "rule": "license",
            "paths": [],
            "reason": "Licence chosen by legal",
            "owner": "@legal",
            "expires": "2027-01-31",
            "ticket": None,
            "source": ".rulepack.yaml:3",
            "state": "active",
        }
    ]


def test_a_path_waiver_covering_every_finding_waives_the_rule(policy, make_repo) -> None:
    repo = repo_with(
        make_repo,
        """\
        waivers:
          - {rule: no-keys, paths: ["tests/fixtures/**", "deploy/*"], reason: Test keys,
             owner: "@sec", expires: 2027-01-31, ticket: SEC-1}
        """,
    )
    done, report = run(policy, repo, "--rule", "no-keys")
    assert done.exit_code == 0, done.stderr
    found = result(report, "no-keys")
    assert found["status"] == "waived"
    assert [f["waived"] for f in found["findings"]] == [MARK, MARK, MARK]


def test_a_path_waiver_covering_some_findings_keeps_the_rule_failing(policy, make_repo) -> None:
    repo = repo_with(
        make_repo,
        """\
        waivers:
          - {rule: no-keys, paths: ["tests/fixtures/**"], reason: Test keys, owner: "@sec",
             expires: 2027-01-31, ticket: SEC-1}
        """,
    )
    done, report = run(policy, repo, "--rule", "no-keys")
    assert done.exit_code == 1
    found = result(report, "no-keys")
    assert found["status"] == "fail"
    assert "waived" not in found
    marks = {f["path"]: f.get("waived") for f in found["findings"]}
    assert marks == {
        "deploy/c.pem": None,
        "tests/fixtures/a.pem": MARK,
        "tests/fixtures/b.pem": MARK,
    }
    assert report["summary"]["failed"] == 1 and report["summary"]["waived"] == 0
    assert report["waivers"][0]["state"] == "active"


def test_an_expired_waiver_stops_applying_and_says_so(policy, make_repo) -> None:
    repo = repo_with(
        make_repo,
        """\
        waivers:
          - {rule: license, reason: Legal is on it, owner: "@legal", expires: 2026-11-30}
        """,
    )
    done, report = run(policy, repo, "--rule", "license")
    assert done.exit_code == 1
    found = result(report, "license")
    assert found["status"] == "fail"
    assert found["notes"] == [
        {
            "path": ".rulepack.yaml",
            "message": "waiver expired on 2026-11-30 (@legal, Legal is on it)",
        }
    ]
    assert report["waivers"][0]["state"] == "expired"


def test_a_waiver_holds_through_its_expiry_day_and_says_it_expires_soon(policy, make_repo) -> None:
    repo = repo_with(
        make_repo,
        """\
        waivers:
          - {rule: license, reason: r, owner: o, expires: 2026-12-15}
          - {rule: no-keys, reason: r, owner: o, expires: 2026-12-16}
        """,
    )
    _, report = run(policy, repo)
    assert result(report, "license")["notes"] == [
        {"path": ".rulepack.yaml", "message": "waiver expires in 14 days"}
    ]
    assert result(report, "no-keys")["notes"] == []  # 15 days: not soon
    _, report = run(policy, repo, today="2026-12-14")
    assert result(report, "license")["notes"][0]["message"] == "waiver expires in 1 day"
    _, report = run(policy, repo, today="2026-12-15")
    assert result(report, "license")["status"] == "waived"
    assert result(report, "license")["notes"][0]["message"] == "waiver expires in 0 days"


def test_a_waiver_that_covers_nothing_is_unused(policy, make_repo) -> None:
    repo = repo_with(
        make_repo,
        """\
        waivers:
          - {rule: readme, reason: r, owner: o, expires: 2027-01-31}
          - {rule: no-keys, paths: [docs/**], reason: r, owner: o, expires: 2027-01-31}
        """,
    )
    done, report = run(policy, repo)
    assert done.exit_code == 1  # no-keys and license fail
    assert [w["state"] for w in report["waivers"]] == ["unused", "unused"]
    assert result(report, "readme")["status"] == "pass"


@pytest.mark.parametrize(
    ("entry", "state", "strict_exit"),
    [
        ("{rule: license, reason: r, owner: o, expires: 2027-01-31}", "active", 0),
        ("{rule: readme, reason: r, owner: o, expires: 2027-01-31}", "unused", 1),
        ("{rule: readme, reason: r, owner: o, expires: 2020-01-31}", "expired", 1),
    ],
)
def test_strict_waivers_fails_the_run_on_unused_and_expired_waivers(
    policy, make_repo, entry: str, state: str, strict_exit: int
) -> None:
    repo = repo_with(make_repo, f"waivers:\n  - {entry}\n")
    rule = "license" if "license" in entry else "readme"
    done, _ = run(policy, repo, "--rule", rule)
    assert done.exit_code == 0, done.stderr
    done, report = run(policy, repo, "--rule", rule, "--strict-waivers")
    assert done.exit_code == strict_exit, done.stderr
    assert report["waivers"][0]["state"] == state
    env = {"RULEPACK_TODAY": TODAY, "RULEPACK_STRICT_WAIVERS": "1"}
    assert policy("eval", "--rule", rule, cwd=repo, env=env).exit_code == strict_exit


def test_waivers_come_from_a_waivers_file_too(policy, make_repo) -> None:
    repo = repo_with(
        make_repo,
        """\
        waivers_file: policy/waivers.yaml
        waivers:
          - {rule: license, reason: r, owner: o, expires: 2027-01-31}
        """,
        {
            "policy/waivers.yaml": """\
            # reviewed by @sec
            - rule: no-keys
              reason: Test keys
              owner: "@sec"
              expires: 2027-01-31
              ticket: SEC-1
            """
        },
    )
    done, report = run(policy, repo)
    assert done.exit_code == 0, done.stderr
    assert [(w["rule"], w["source"], w["state"]) for w in report["waivers"]] == [
        ("license", ".rulepack.yaml:4", "active"),
        ("no-keys", "policy/waivers.yaml:2", "active"),
    ]


def test_the_day_comes_from_today_option_over_rulepack_today(policy, make_repo) -> None:
    repo = repo_with(
        make_repo, "waivers:\n  - {rule: license, reason: r, owner: o, expires: 2027-01-31}\n"
    )
    done, report = run(policy, repo, "--today", "2027-02-01")
    assert result(report, "license")["status"] == "fail"
    done = policy("eval", "--today", "2027-02-30", cwd=repo)
    assert done.exit_code == 2
    assert "'2027-02-30' is not a date (YYYY-MM-DD)" in done.stderr


def test_the_same_run_writes_the_same_waivers_json(policy, make_repo) -> None:
    repo = repo_with(
        make_repo,
        "waivers:\n  - {rule: no-keys, paths: [tests/**], reason: r, owner: o,"
        " expires: 2027-01-31}\n",
    )
    first, second = (run(policy, repo)[1] for _ in range(2))
    for report in (first, second):
        for item in report["results"]:
            item["duration_ms"] = 0
    assert first == second


# -- bad input: exit 2, located, never a traceback -----------------------------------


def bad(policy, make_repo, config: str, files: dict[str, str] | None = None) -> list[str]:
    done, _ = run(policy, repo_with(make_repo, config, files))
    assert done.exit_code == 2, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr.splitlines()


def test_an_unknown_rule_id_is_located(policy, make_repo) -> None:
    config = "waivers:\n  - {rule: licence, reason: r, owner: o, expires: 2027-01-31}\n"
    assert bad(policy, make_repo, config) == [
        "policy: .rulepack.yaml:3:12: error: unknown rule 'licence' in waivers: no evaluated "
        "pack has it (did you mean 'license'?)"
    ]


@pytest.mark.parametrize("key", ["reason", "owner"])
def test_a_missing_or_blank_reason_or_owner_is_located(policy, make_repo, key: str) -> None:
    entry = {"rule": "license", "reason": "r", "owner": "o", "expires": "2027-01-31"}
    missing = ", ".join(f"{k}: {v}" for k, v in entry.items() if k != key)
    assert bad(policy, make_repo, f"waivers:\n  - {{{missing}}}\n") == [
        f"policy: .rulepack.yaml:3:5: error: waivers[0]: '{key}' is a required property"
    ]
    blank = ", ".join(f"{k}: {v if k != key else repr('  ')}" for k, v in entry.items())
    assert bad(policy, make_repo, f"waivers:\n  - {{{blank}}}\n")[0].startswith(
        "policy: .rulepack.yaml:3:"
    )
    assert bad(policy, make_repo, f"waivers:\n  - {{{blank}}}\n")[0].endswith(
        f"error: waiver {key} may not be blank"
    )


@pytest.mark.parametrize("value", ["2027-02-30", "2027-3-1", "next week", "'20270301'"])
def test_a_bad_date_is_located(policy, make_repo, value: str) -> None:
    config = f"waivers:\n  - rule: license\n    reason: r\n    owner: o\n    expires: {value}\n"
    shown = value.strip("'")
    assert bad(policy, make_repo, config) == [
        f"policy: .rulepack.yaml:6:14: error: expires {shown!r} is not a date (YYYY-MM-DD)"
    ]


def test_an_expiry_beyond_the_limit_is_located(policy, make_repo) -> None:
    config = "waivers:\n  - {rule: license, reason: r, owner: o, expires: 2027-12-02}\n"
    assert bad(policy, make_repo, config) == [
        "policy: .rulepack.yaml:3:51: error: waiver of license expires 2027-12-02, 366 days "
        "from today (2026-12-01); max_waiver_days is 365"
    ]
    run_ok, _ = run(
        policy, repo_with(make_repo, config.replace("12-02", "12-01")), "--rule", "license"
    )
    assert run_ok.exit_code == 0, run_ok.stderr
    limited = "max_waiver_days: 30\n" + config.replace("2027-12-02", "2027-01-01")
    assert bad(policy, make_repo, limited)[0].endswith(
        "waiver of license expires 2027-01-01, 31 days from today (2026-12-01); "
        "max_waiver_days is 30"
    )


def test_a_past_date_is_not_an_input_error(policy, make_repo) -> None:
    config = "waivers:\n  - {rule: license, reason: r, owner: o, expires: 1999-01-01}\n"
    done, report = run(policy, repo_with(make_repo, config))
    assert done.exit_code == 1, done.stderr
    assert report["waivers"][0]["state"] == "expired"


def test_a_paths_glob_that_leaves_the_root_is_located(policy, make_repo) -> None:
    entry = "{rule: no-keys, paths: [../x/**], reason: r, owner: o, expires: 2027-01-31}"
    config = f"waivers:\n  - {entry}\n"
    assert bad(policy, make_repo, config) == [
        "policy: .rulepack.yaml:3:29: error: glob '../x/**' leaves the snapshot root "
        "('..' is not allowed)"
    ]


def test_a_missing_waivers_file_is_located(policy, make_repo) -> None:
    assert bad(policy, make_repo, "waivers_file: policy/waivers.yaml\n") == [
        "policy: .rulepack.yaml:2:15: error: waivers_file 'policy/waivers.yaml': "
        "there is no such file"
    ]
    assert bad(policy, make_repo, "waivers_file: ../waivers.yaml\n") == [
        "policy: .rulepack.yaml:2:15: error: waivers_file '../waivers.yaml' leaves the "
        "repository root ('..' is not allowed)"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "rule: license\n",
            "1:1: error: a waivers file holds a YAML list of waivers (found a mapping)",
        ),
        ("", "1:1: error: a waivers file holds a YAML list of waivers (found nothing)"),
        (
            "- {rule: license, reason: r, owner: o, expires: 2027-01-31, tiket: T}\n",
            "1:61: error: unknown key 'tiket' in waivers[0] (did you mean 'ticket'?)",
        ),
        (
            "- {rule: license, reason: r, owner: o, expires: 2027-13-01}\n",
            "1:49: error: expires '2027-13-01' is not a date (YYYY-MM-DD)",
        ),
    ],
)
def test_a_waivers_file_that_is_not_a_list_of_waivers_is_located(
    policy, make_repo, text: str, message: str
) -> None:
    lines = bad(policy, make_repo, "waivers_file: w.yaml\n", {"w.yaml": text})
    assert lines == [f"policy: w.yaml:{message}"]


def test_an_unknown_rule_in_a_waivers_file_is_located_there(policy, make_repo) -> None:
    text = "# exceptions\n- rule: readm\n  reason: r\n  owner: o\n  expires: 2027-01-31\n"
    assert bad(policy, make_repo, "waivers_file: w.yaml\n", {"w.yaml": text}) == [
        "policy: w.yaml:2:9: error: unknown rule 'readm' in waivers: no evaluated pack has it "
        "(did you mean 'readme'?)"
    ]


# -- against a base: `policy diff` and `eval --new-since` -----------------------------

BASE_CONFIG = """\
waivers:
  - {rule: license, reason: Legal, owner: "@legal", expires: 2027-01-01}
  - {rule: readme, reason: Docs, owner: "@docs", expires: 2027-01-01}
"""
HEAD_CONFIG = """\
packs: [packs/team.yaml]
waivers:
  - {rule: license, reason: Legal, owner: "@legal", expires: 2027-02-01}
  - {rule: readme, reason: Docs, owner: "@docs", expires: 2027-01-01}
  - {rule: no-keys, paths: [tests/**], reason: Test keys, owner: "@sec", expires: 2027-01-01}
"""


def changed_repo(make_repo) -> Path:
    """Committed with BASE_CONFIG; the working tree has HEAD_CONFIG."""
    repo = repo_with(make_repo, BASE_CONFIG)
    (repo / ".rulepack.yaml").write_text(HEAD_CONFIG, encoding="utf-8")
    return repo


def test_diff_lists_the_waivers_added_or_extended_since_the_base(policy, make_repo) -> None:
    repo = changed_repo(make_repo)
    done = policy("diff", "HEAD", "--format", "json", cwd=repo, env={"RULEPACK_TODAY": TODAY})
    assert done.exit_code == 0, done.stderr  # new exceptions are listed, not a regression
    assert list(validator("diff").iter_errors(json.loads(done.stdout))) == []
    waivers = json.loads(done.stdout)["waivers"]
    assert [(w["rule"], w["paths"], w["state"]) for w in waivers["added"]] == [
        ("no-keys", ["tests/**"], "active")
    ]
    assert [(w["rule"], w["expires"], w["previous_expires"]) for w in waivers["extended"]] == [
        ("license", "2027-02-01", "2027-01-01")
    ]
    done = policy("diff", "HEAD", cwd=repo, env={"RULEPACK_TODAY": TODAY})
    text = done.stdout[done.stdout.index("Waivers added or extended:") :].splitlines()
    assert text[1:3] == [
        "  license: active, extended, until 2027-02-01 by @legal: Legal (was 2027-01-01)",
        "  no-keys (tests/**): active, added, until 2027-01-01 by @sec: Test keys",
    ]


def test_diff_without_new_waivers_lists_none(policy, make_repo) -> None:
    repo = repo_with(make_repo, BASE_CONFIG)
    done = policy("diff", "HEAD", "--format", "json", cwd=repo, env={"RULEPACK_TODAY": TODAY})
    assert json.loads(done.stdout)["waivers"] == {"added": [], "extended": []}
    assert "Waivers" not in policy("diff", "HEAD", cwd=repo, env={"RULEPACK_TODAY": TODAY}).stdout


def test_new_since_marks_each_waiver_added_extended_or_unchanged(policy, make_repo) -> None:
    repo = changed_repo(make_repo)
    done, report = run(policy, repo, "--new-since", "HEAD")
    assert done.exit_code == 0, done.stderr  # no-keys fails on deploy/c.pem, as in the base
    assert list(validator("report").iter_errors(report)) == []
    assert [(w["rule"], w["change"], w.get("previous_expires")) for w in report["waivers"]] == [
        ("license", "extended", "2027-01-01"),
        ("readme", "unchanged", None),
        ("no-keys", "added", None),
    ]
    done = policy(
        "eval",
        "--new-since",
        "HEAD",
        "--format",
        "markdown",
        cwd=repo,
        env={"RULEPACK_TODAY": TODAY},
    )
    assert (
        "| `no-keys` | `tests/**` | active, added | 2027-01-01 | @sec | Test keys |  |"
        in done.stdout
    )


def test_a_base_whose_config_cannot_be_read_shows_every_waiver_added(policy, make_repo) -> None:
    repo = repo_with(make_repo, "waivers: [oops\n")
    (repo / ".rulepack.yaml").write_text(HEAD_CONFIG, encoding="utf-8")
    done = policy("diff", "HEAD", "--format", "json", cwd=repo, env={"RULEPACK_TODAY": TODAY})
    assert done.exit_code == 0, done.stderr
    assert [w["rule"] for w in json.loads(done.stdout)["waivers"]["added"]] == [
        "license",
        "readme",
        "no-keys",
    ]


def test_a_report_with_waivers_is_a_valid_baseline(policy, make_repo, tmp_path) -> None:
    repo = repo_with(
        make_repo,
        "waivers:\n  - {rule: no-keys, paths: [tests/**], reason: r, owner: o,"
        " expires: 2027-01-01}\n  - {rule: license, reason: r, owner: o, expires: 2027-01-01}\n",
    )
    done = policy(
        "eval",
        "--format",
        "json",
        "-o",
        tmp_path / "base.json",
        cwd=repo,
        env={"RULEPACK_TODAY": TODAY},
    )
    assert done.exit_code == 1, done.stderr  # no-keys fails on deploy/c.pem
    done, report = run(policy, repo, "--baseline", str(tmp_path / "base.json"))
    assert done.exit_code == 0, done.stderr  # that failure is known
    assert (result(report, "no-keys")["baseline"], result(report, "license")["status"]) == (
        "known",
        "waived",
    )
