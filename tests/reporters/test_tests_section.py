"""The test table and failure analysis of `tests` rules in the table, Markdown and HTML
reports: exact rows, failures grouped by message (most common first), the slowest tests,
text from a report escaped, and nothing at all when no rule read a test report."""

from __future__ import annotations

import html
import json

import pytest

from engine.reporters.tests_section import seconds_text

CASE = '<testcase classname="{cls}" name="{name}" time="{time}">{result}</testcase>'
FAIL = '<failure message="{}">x</failure>'


def junit(*cases: tuple[str, str, float, str]) -> str:
    body = "".join(
        CASE.format(
            cls=cls, name=name, time=time, result=FAIL.format(html.escape(msg)) if msg else ""
        )
        for cls, name, time, msg in cases
    )
    return f'<testsuites><testsuite name="s">{body}</testsuite></testsuites>'


REPORT = junit(
    ("api.auth", "test_login", 0.5, ""),
    ("api.auth", "test_tls", 2.25, "timeout after 2s"),
    ("api.auth", "test_token", 0.1, "KeyError: 'sub'"),
    ("api.db", "test_pool", 75.0, "timeout after 2s"),
    ("api.db", "test_ok", 0.01, ""),
    ("api.ui", "test_page", 0.2, "a|b <b>bold</b>"),
)
#: libtest JSON can carry what XML cannot: an escape sequence in a panic message.
EVENTS = "\n".join(
    json.dumps(event)
    for event in (
        {"type": "suite", "event": "started", "test_count": 1},
        {
            "type": "test",
            "event": "failed",
            "name": "ui::paints",
            "exec_time": 0.02,
            "stdout": "thread 'ui::paints' panicked at src/ui.rs:3:5:\n\x1b[31mred\n",
        },
    )
)

PACK = """\
apiVersion: rulepack/v1
name: t
version: 1.0.0
categories:
  - {id: security, title: Security testing}
  - {id: basics, title: Basics}
rules:
  - id: sec
    title: Security tests pass
    category: security
    check: {tests: {reports: ["results/*"], select: {classname: "auth"}}}
  - id: all
    title: Every test passes
    category: basics
    check: {tests: {reports: ["results/*"]}}
  - id: plain
    title: A README
    category: basics
    check: {file: {exists: [README.md]}}
"""


@pytest.fixture
def run(policy, make_repo, write_pack):
    repo = make_repo({"results/junit.xml": REPORT, "results/ui.json": EVENTS, "README.md": "x"})
    pack = write_pack(PACK)

    def render(format_name: str) -> str:
        done = policy("eval", repo, "--pack", pack, "--format", format_name)
        assert done.exit_code == 1, done.stderr
        return done.stdout

    return render


def test_the_table_shows_a_row_per_tests_rule_and_each_ones_failures(run) -> None:
    out = run("table")
    section = out[out.index("\nTests\n") : out.index("\nSuccess rate:")]
    assert section == (
        "\nTests\n"
        "category          tests  passed  failed  errored  skipped  flaky  success        time\n"
        "Security testing      3       1       2        0        0      0   33.33%      2.85 s\n"
        "Basics                7       2       5        0        0      0   28.57%  1 min 18 s\n"
        "\n"
        "Failures of sec, by message:\n"
        "  1× KeyError: 'sub': api.auth::test_token\n"
        "  1× timeout after 2s: api.auth::test_tls\n"
        "  slowest: api.auth::test_tls (2.25 s), api.auth::test_login (0.5 s), "
        "api.auth::test_token (0.1 s)\n"
        "\n"
        "Failures of all, by message:\n"
        "  2× timeout after 2s: api.auth::test_tls, api.db::test_pool\n"
        "  1× \\x1b[31mred: ui::paints\n"
        "  1× KeyError: 'sub': api.auth::test_token\n"
        "  1× a|b <b>bold</b>: api.ui::test_page\n"
        "  slowest: api.db::test_pool (1 min 15 s), api.auth::test_tls (2.25 s), "
        "api.auth::test_login (0.5 s), api.ui::test_page (0.2 s), api.auth::test_token (0.1 s)\n"
    )


def test_markdown_has_a_tests_table_and_the_failure_analysis(run) -> None:
    out = run("markdown")
    section = out[out.index("### Tests") : out.index("### Rules")]
    assert section == (
        "### Tests\n\n"
        "| Category | Rule | Tests | Passed | Failed | Errored | Skipped | Flaky | Success rate "
        "| Duration |\n"
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        "| Security testing | `sec` | 3 | 1 | 2 | 0 | 0 | 0 | 33.33% | 2.85 s |\n"
        "| Basics | `all` | 7 | 2 | 5 | 0 | 0 | 0 | 28.57% | 1 min 18 s |\n"
        "\nFailures of `sec`, by message:\n\n"
        "- 1× KeyError: 'sub': api.auth::test\\_token\n"
        "- 1× timeout after 2s: api.auth::test\\_tls\n"
        "\nSlowest: api.auth::test\\_tls (2.25 s), api.auth::test\\_login (0.5 s), "
        "api.auth::test\\_token (0.1 s)\n"
        "\nFailures of `all`, by message:\n\n"
        "- 2× timeout after 2s: api.auth::test\\_tls, api.db::test\\_pool\n"
        "- 1× \\\\x1b\\[31mred: ui::paints\n"
        "- 1× KeyError: 'sub': api.auth::test\\_token\n"
        "- 1× a\\|b \\<b\\>bold\\</b\\>: api.ui::test\\_page\n"
        "\nSlowest: api.db::test\\_pool (1 min 15 s), api.auth::test\\_tls (2.25 s), "
        "api.auth::test\\_login (0.5 s), api.ui::test\\_page (0.2 s), "
        "api.auth::test\\_token (0.1 s)\n\n"
    )


def test_html_has_a_tests_table_and_the_failure_analysis(run) -> None:
    out = run("html")
    section = out[out.index("<h2>Tests</h2>") : out.index("<details", out.index("<h2>Tests</h2>"))]
    assert '<tr><td>Security testing</td><td><code>sec</code></td><td class="n">3</td>' in section
    assert (
        "<p>Failures of <code>all</code>, by message:</p><ul>"
        "<li>2× timeout after 2s: api.auth::test_tls, api.db::test_pool</li>"
        "<li>1× \\x1b[31mred: ui::paints</li>"
        "<li>1× KeyError: &#x27;sub&#x27;: api.auth::test_token</li>"
        "<li>1× a|b &lt;b&gt;bold&lt;/b&gt;: api.ui::test_page</li></ul>"
    ) in section
    assert "<p>Slowest: api.db::test_pool (1 min 15 s), api.auth::test_tls (2.25 s)," in section


def test_a_report_without_tests_rules_has_no_tests_section(policy, make_repo, write_pack) -> None:
    pack = write_pack(PACK[: PACK.index("  - id: sec")] + PACK[PACK.index("  - id: plain") :])
    repo = make_repo({"README.md": "x"})
    headings = {"table": "\nTests\n", "markdown": "### Tests", "html": "<h2>Tests</h2>"}
    for format_name, heading in headings.items():
        done = policy("eval", repo, "--pack", pack, "--format", format_name)
        assert done.exit_code == 0
        assert "Failures of" not in done.stdout
        assert heading not in done.stdout


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.0, "0 s"), (0.25, "0.25 s"), (3.14159, "3.14 s"), (42.0, "42.0 s"), (125.4, "2 min 5 s")],
)
def test_durations_read_in_seconds_or_minutes(seconds: float, text: str) -> None:
    assert seconds_text(seconds) == text


def test_the_table_names_the_rule_where_a_category_has_several(policy, make_repo, write_pack):
    pack = write_pack(
        PACK[: PACK.index("  - id: plain")].replace("category: security", "category: basics")
    )
    done = policy("eval", make_repo({"results/junit.xml": REPORT}), "--pack", pack)
    rows = done.stdout[done.stdout.index("\nTests\n") :].splitlines()[3:5]
    assert [row.split("  ")[0] for row in rows] == ["Basics (sec)", "Basics (all)"]
