"""`policy eval --format markdown`: the report for a pull-request comment."""

from __future__ import annotations

import re
from pathlib import Path

from engine.reporters.markdown import code, link, text

EXPECTED = """\
## rulepack report: ❌ fails

Packs: `sample 1.2.0` · snapshot: worktree at `COMMIT` · fail on: `error`

**Success rate: 16.67%** · 7 rules: 1 passed, 4 failed (1 error, 2 warning, 1 info), \
1 skipped, 1 errored

| Category | Rules | Passed | Failed | Skipped | Errored | Success rate |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
| Deployment | 3 | 1 | 1 | 0 | 1 | 33.33% |
| Security \\& \\<secrets\\> | 2 | 0 | 2 | 0 | 0 | 0.00% |
| Documentation | 2 | 0 | 1 | 1 | 0 | 0.00% |
| **Total** | 7 | 1 | 4 | 1 | 1 | 16.67% |

### Rules

| Status | Rule | Category | Severity | Title |
| --- | --- | --- | --- | --- |
| ✅ pass | `deploy.manifests` | Deployment | error | Manifests exist |
| ❌ fail | `deploy.service` | Deployment | error | Services are named \\| web |
| ❌ fail | `security.keys` | Security \\& \\<secrets\\> | warning | No private keys |
| ❌ fail | `security.tokens` | Security \\& \\<secrets\\> | info | No tokens |
| ❌ fail | `docs.readme` | Documentation | warning | A README |
| ⚠️ error | `deploy.parses` | Deployment | error | Manifests parse |

### Failures (4)

#### `deploy.service` Services are named \\| web

Severity **error** · Deployment

- `deploy/service.yaml:3` Service/a\\|b<br>\\<i\\>\\&%,:: metadata.name is \
"a\\|b\\\\n\\<i\\>\\&%,:", expected == "web"

**Fix:** Rename the Service \\| use web.<br>See \\<docs\\> \\& 100% of it.

**Docs:** [https://example.com/naming?a=1\\&b=2](https://example.com/naming?a=1&b=2)

#### `security.keys` No private keys

Severity **warning** · Security \\& \\<secrets\\>

- `notes/odd name|50%,x:y.pem` should not exist

**Fix:** Remove key files.

**Docs:** see the wiki

#### `docs.readme` A README

Severity **warning** · Documentation

- none of README.md exists

**Fix:** Write a README.md.

#### `security.tokens` No tokens

Severity **info** · Security \\& \\<secrets\\>

- `secrets.txt:2` matches /token/

### Errors (1)

#### `deploy.parses` Manifests parse

Could not be evaluated · Deployment

**Cause:** deploy/broken.yaml:2: does not parse: while parsing a flow node, \
did not find expected node content

<details>
<summary>Skipped (1)</summary>

| Rule | Category | Reason |
| --- | --- | --- |
| `docs.changelog` | Documentation | not applicable: none of CHANGELOG.md exists |

</details>
"""


def test_markdown_report_of_every_status(policy, sample) -> None:
    result = policy("eval", "--pack", sample.pack, "--format", "markdown", sample.repo)
    assert result.exit_code == 1
    assert result.stdout == EXPECTED.replace("COMMIT", sample.commit[:12])


def test_markdown_says_the_run_holds_at_the_fail_on_level(policy, sample) -> None:
    args = ("eval", "--pack", sample.pack, "--format", "markdown", "--fail-on", "never")
    result = policy(*args, sample.repo)
    assert result.exit_code == 0
    assert result.stdout.startswith("## rulepack report: ✅ holds\n")
    assert "fail on: `never`" in result.stdout


def test_markdown_folds_filtered_out_rules_into_a_count(policy, sample) -> None:
    args = ("eval", "--pack", sample.pack, "--format", "markdown", "--rule", "docs.readme")
    result = policy(*args, sample.repo)
    assert result.exit_code == 0  # a warning does not fail at the default --fail-on error
    lines = result.stdout.splitlines()
    rules = lines[lines.index("### Rules") + 4 : lines.index("### Failures (1)") - 1]
    assert rules == ["| ❌ fail | `docs.readme` | Documentation | warning | A README |"]
    skipped = lines[lines.index("<details>") :]
    assert skipped == [
        "<details>",
        "<summary>Skipped (6)</summary>",
        "",
        "6 rule(s) filtered out by `--category`, `--rule` or `--tag`.",
        "",
        "</details>",
    ]


def test_markdown_file_output_is_the_same_bytes_as_stdout(policy, sample, tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    to_file = policy("eval", "--pack", sample.pack, "--format", "markdown", "-o", out, sample.repo)
    to_stdout = policy("eval", "--pack", sample.pack, "--format", "markdown", sample.repo)
    assert to_file.exit_code == 1
    assert to_file.stdout == ""
    assert out.read_text(encoding="utf-8") == to_stdout.stdout


def test_text_escapes_what_markdown_would_interpret() -> None:
    assert text("a | b") == "a \\| b"
    assert text("<script>x</script>") == "\\<script\\>x\\</script\\>"
    assert text("*bold* _it_ `code` [link](x) ~~s~~ &amp; #h") == (
        "\\*bold\\* \\_it\\_ \\`code\\` \\[link\\](x) \\~\\~s\\~\\~ \\&amp; \\#h"
    )
    assert text("back\\slash") == "back\\\\slash"
    assert text("one\ntwo\r\nthree\rfour") == "one<br>two<br>three<br>four"
    # what would open a nested list at the start of a list item
    assert text("- item") == "\\- item"
    assert text("+ item") == "\\+ item"
    assert text("1. item") == "1\\. item"
    assert text("2) item") == "2\\) item"
    assert text("a - b 1. c") == "a - b 1. c"


def test_code_spans_survive_backticks_and_table_pipes() -> None:
    assert code("a.yaml:3") == "`a.yaml:3`"
    assert code("a`b") == "``a`b``"
    assert code("`x`") == "`` `x` ``"
    assert code("a|b") == "`a|b`"
    assert code("a|b", in_table=True) == "`a\\|b`"
    assert code("two\nlines") == "`two\\nlines`"  # shown, on one line
    assert code(" a ") == "`  a  `"  # CommonMark takes one space of each side for the fence's


def test_code_spans_in_rule_text_stay_code_and_the_rest_is_escaped(
    policy, make_repo, code_pack
) -> None:
    done = policy("eval", "--pack", code_pack, "--format", "markdown", make_repo({"a.txt": "x"}))
    assert done.exit_code == 1
    lines = done.stdout.splitlines()
    assert "| ❌ fail | `r` | General | error | Has `README.md` |" in lines
    assert "#### `r` Has `README.md`" in lines
    assert "- no `README.md` (see `docs/`)" in lines
    assert (
        "**Fix:** Run `policy init <dir>` then ``a `b` c``; keep \\`x \\<b\\>bold\\</b\\> \\*y\\*"
    ) in lines


def test_only_http_links_are_clickable() -> None:
    assert link("https://x.example/a_(b)", "docs") == "[docs](https://x.example/a_%28b%29)"
    assert link("javascript:alert(1)", "docs") == "javascript:alert(1)"
    assert link("see the wiki", "docs") == "see the wiki"


def test_a_commonmark_renderer_with_gfm_tables_reads_it_as_intended(policy, sample) -> None:
    # markdown-it-py comes with rich; with tables on, it parses cells as GitHub does
    from markdown_it import MarkdownIt

    result = policy("eval", "--pack", sample.pack, "--format", "markdown", sample.repo)
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(result.stdout)
    rows = [
        re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", rendered, re.S)
    ]
    # every row keeps its column count: no pipe or newline from a message split a cell
    assert [len(cells) for cells in rows] == [7] * 5 + [5] * 7 + [3] * 2
    assert rows[2][0] == "Security &amp; &lt;secrets&gt;"
    assert rows[7][4] == "Services are named | web"
    assert re.findall(r"<li>(.*?)</li>", rendered)[0] == (
        "<code>deploy/service.yaml:3</code> Service/a|b<br>&lt;i&gt;&amp;%,:: "
        "metadata.name is &quot;a|b\\n&lt;i&gt;&amp;%,:&quot;, expected == &quot;web&quot;"
    )
    assert "<p><strong>Fix:</strong> Rename the Service | use web.<br>See &lt;docs&gt; &amp; " in (
        rendered
    )
    assert '<a href="https://example.com/naming?a=1&amp;b=2">' in rendered
    assert rendered.count("<a ") == 1  # "see the wiki" stays text


def test_a_large_repository_stays_within_the_budget_and_says_what_it_left_out(
    large_run,
) -> None:
    from tests.reporters.conftest import EARLIER_SUMMARY, LARGE_LABEL_RULES, LARGE_MANIFESTS

    assert large_run.exit_code == 1
    report = large_run.read(".md")
    assert len(report) <= 65_000
    lines = report.splitlines()
    assert lines[0] == "## rulepack report: ❌ fails"
    assert lines[4].endswith(
        f"{LARGE_LABEL_RULES + 2} rules: 0 passed, 14 failed (4 error, 5 warning, 5 info), "
        "0 skipped, 0 errored"
    )
    # the summary table first, then the failures, every one of them
    assert lines.index(
        "| Category | Rules | Passed | Failed | Skipped | Errored | Success rate |"
    ) < lines.index("### Failures (14)")
    assert "### Rules" not in lines  # the table of rules was left out to fit
    sections = [line for line in lines if line.startswith("#### ")]
    assert len(sections) == 14
    assert sections[0].startswith("#### `c0.label0`")  # most severe first
    # each rule lists the same number of findings and counts the rest
    listed = sum(1 for line in lines if line.startswith("- `deploy/"))
    per_rule = listed // 13
    assert listed == per_rule * 13 and 0 < per_rule < 20
    more = [line for line in lines if line.startswith("- … and ")]
    assert more == [f"- … and {LARGE_MANIFESTS - per_rule} more"] * 13
    left_out = (LARGE_MANIFESTS - per_rule) * 13
    assert lines[-1] == (
        f"**Left out:** {left_out:,} findings (at most {per_rule} per rule), the table of "
        "rules, to stay within 65,000 characters. The full report: the same `policy eval` "
        "with `--format json` (every finding) or a larger `--max-chars`."
    )
    assert lines[-3] == "---"
    # the job summary got the same report, after what the earlier step wrote
    assert large_run.summary.read_text() == EARLIER_SUMMARY + "\n" + report


def test_a_small_budget_keeps_the_verdict_and_the_failures_that_fail_the_run(
    policy, sample
) -> None:
    args = ("eval", "--pack", sample.pack, "--format", "markdown", sample.repo)
    full = policy(*args).stdout
    for budget in (len(full), 2_500, 1_800, 1_000):
        report = policy(*args, "--max-chars", budget).stdout
        assert len(report) <= budget
        assert report.startswith("## rulepack report: ❌ fails\n")
        assert "| **Total** | 7 | 1 | 4 | 1 | 1 | 16.67% |" in report
    assert policy(*args, "--max-chars", len(full)).stdout == full  # nothing to leave out
    # the optional sections go first
    report = policy(*args, "--max-chars", 1_800).stdout
    assert re.findall(r"^#### `([^`]+)`", report, re.M) == [
        "deploy.service",
        "security.keys",
        "docs.readme",
        "security.tokens",
        "deploy.parses",
    ]
    assert report.endswith(
        "**Left out:** the table of rules, the skipped rules, to stay within 1,800 "
        "characters. The full report: the same `policy eval` with `--format json` (every "
        "finding) or a larger `--max-chars`.\n"
    )
    # then findings, then sections: what fails the run last, the failure before the error
    report = policy(*args, "--max-chars", 1_200).stdout
    assert re.findall(r"^#### `([^`]+)`", report, re.M) == ["deploy.service"]
    assert "### Failures (4)" in report and "### Errors (1)" in report  # still counted
    assert report.endswith(
        "**Left out:** 1 finding (only counted), the sections of 4 rules (1 error, 2 warning, "
        "1 info), the table of rules, the skipped rules, to stay within 1,200 characters. "
        "The full report: the same `policy eval` with `--format json` (every finding) or a "
        "larger `--max-chars`.\n"
    )
    result = policy(*args, "--max-chars", 999)
    assert result.exit_code == 2
    assert "999 is not in the range x>=1000" in result.stderr
