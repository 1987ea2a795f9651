"""How every format shows waivers: the sample repository with a repo config that waives
`security.keys` (the whole rule), whose `docs.readme` waiver has expired, and whose
`security.tokens` waiver covers nothing."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from engine.schemas import validator
from tests.reporters.test_sarif import assert_valid

CONFIG = """\
waivers:
  - rule: security.keys
    reason: Test keys, never deployed
    owner: "@sec"
    expires: 2027-01-31
    ticket: SEC-1
  - {rule: docs.readme, reason: Docs later, owner: "@docs", expires: 2026-11-30}
  - {rule: security.tokens, paths: [other/**], reason: Elsewhere, owner: "@sec",
     expires: 2026-12-10}
"""
ENV = {"RULEPACK_TODAY": "2026-12-01"}


@pytest.fixture
def waived(sample):
    (sample.repo / ".rulepack.yaml").write_text(CONFIG, encoding="utf-8")
    return sample


def render(policy, sample, format_name: str, *args: str):
    done = policy(
        "eval", sample.repo, "--pack", sample.pack, "--format", format_name, *args, env=ENV
    )
    assert done.exit_code == 1, done.stderr  # deploy.service and others still fail
    return done.stdout


def test_json_has_the_waived_rule_the_expired_note_and_every_waiver_state(policy, waived):
    report = json.loads(render(policy, waived, "json"))
    assert list(validator("report").iter_errors(report)) == []
    results = {r["rule"]: r for r in report["results"]}
    keys = results["security.keys"]
    mark = {
        "reason": "Test keys, never deployed",
        "owner": "@sec",
        "expires": "2027-01-31",
        "ticket": "SEC-1",
    }
    assert (keys["status"], keys["waived"]) == ("waived", mark)
    assert [f["waived"] for f in keys["findings"]] == [mark]
    assert results["docs.readme"]["status"] == "fail"
    assert results["docs.readme"]["notes"] == [
        {"path": ".rulepack.yaml", "message": "waiver expired on 2026-11-30 (@docs, Docs later)"}
    ]
    assert [(w["rule"], w["state"]) for w in report["waivers"]] == [
        ("security.keys", "active"),
        ("docs.readme", "expired"),
        ("security.tokens", "unused"),
    ]
    assert (report["summary"]["waived"], report["summary"]["failed"]) == (1, 3)
    assert report["summary"]["by_category"]["security"]["waived"] == 1


def test_sarif_keeps_waived_findings_as_suppressed_results(policy, waived):
    log = json.loads(render(policy, waived, "sarif"))
    assert_valid(log)
    results = log["runs"][0]["results"]
    keys = [r for r in results if r["ruleId"] == "security.keys"]
    assert [r["suppressions"] for r in keys] == [
        [{"kind": "external", "status": "accepted", "justification": "Test keys, never deployed"}]
    ]
    assert all("suppressions" not in r for r in results if r["ruleId"] != "security.keys")


def test_junit_marks_a_waived_rule_skipped_with_reason_owner_and_date(policy, waived):
    root = ET.fromstring(render(policy, waived, "junit"))
    case = next(c for c in root.iter("testcase") if c.get("name") == "security.keys")
    (skipped,) = list(case)
    assert (skipped.tag, skipped.get("message")) == (
        "skipped",
        "waived: Test keys, never deployed (@sec, until 2027-01-31)",
    )
    security = next(s for s in root.iter("testsuite") if s.get("name") == "Security & <secrets>")
    # the other failure is a warning: below --fail-on error it does not fail the suite
    assert (security.get("failures"), security.get("skipped")) == ("0", "1")


def test_github_annotates_no_waived_finding(policy, waived):
    lines = render(policy, waived, "github").splitlines()
    assert not [line for line in lines if "security.keys" in line]
    assert [line for line in lines if "docs.readme" in line]  # expired: annotated again
    assert lines[-1].endswith("1 waived; success rate 20.00%")


def test_table_says_why_a_rule_is_waived_and_lists_the_waivers(policy, waived):
    text = render(policy, waived, "table")
    assert "~ waive  security.keys  No private keys\n" in text
    assert "           waived: Test keys, never deployed (@sec, until 2027-01-31)\n" in text
    assert "           waiver expired on 2026-11-30 (@docs, Docs later)\n" in text
    section = text[text.index("\nWaivers\n") + 1 :].splitlines()[1:4]
    assert section == [
        "  security.keys: active, until 2027-01-31 by @sec: Test keys, never deployed (SEC-1)",
        "  docs.readme: expired, until 2026-11-30 by @docs: Docs later",
        "  security.tokens (other/**): unused, until 2026-12-10 by @sec: Elsewhere",
    ]


def test_markdown_lists_the_waivers_in_a_table(policy, waived):
    text = render(policy, waived, "markdown")
    assert "| 🏳️ waived | `security.keys` | Security \\& \\<secrets\\> | warning |" in text
    section = text[text.index("### Waivers (3)") :].splitlines()
    assert section[2:6] == [
        "| Rule | Paths | State | Expires | Owner | Reason | Ticket |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        "| `security.keys` | all | active | 2027-01-31 | @sec | Test keys, never deployed "
        "| SEC-1 |",
        "| `docs.readme` | all | expired | 2026-11-30 | @docs | Docs later |  |",
    ]


def test_html_has_a_waivers_section(policy, waived):
    page = render(policy, waived, "html")
    assert "<p>waived: Test keys, never deployed (@sec, until 2027-01-31)</p>" in page
    assert (
        "<tr><td><code>security.tokens</code></td><td>other/**</td><td>unused</td>"
        "<td>2026-12-10</td><td>@sec</td><td>Elsewhere</td><td></td></tr>"
    ) in page


def test_without_waivers_no_format_has_a_waivers_section(policy, sample):
    for format_name in ("table", "markdown", "html"):
        text = render(policy, sample, format_name)
        assert "Waivers" not in text and "waived:" not in text and "waived</" not in text
    assert json.loads(render(policy, sample, "json"))["waivers"] == []
