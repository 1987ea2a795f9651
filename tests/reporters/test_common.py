"""The level line every text report leads with (engine/reporters/common.py: levels_lines),
through the real CLI in the table, Markdown and HTML formats."""

from __future__ import annotations

import pytest

from tests.model.test_levels import HEADER, rules
from tests.test_results import ERROR, FAIL, FILES, PASS

PACK = HEADER.replace("title: Silver}", "title: Silver & <b>}") + rules(
    ("b", "alpha", "bronze", "error", PASS, 3),
    ("s1", "alpha", "silver", "info", FAIL, 1),
    ("s2", "beta", "silver", "warning", ERROR, 1),
    ("s3", "beta", "silver", "error", FAIL, 1),
    ("g", "beta", "gold", "error", FAIL, 1),
)


@pytest.fixture
def report(policy, make_repo, write_pack):
    """`policy eval --format FORMAT` of PACK (or `pack`) over the sample files: stdout."""

    def run(format_name: str, *args: str, pack: str = PACK) -> str:
        path = write_pack(pack)
        done = policy("eval", make_repo(FILES), "--pack", path, "--format", format_name, *args)
        assert done.exit_code in (0, 1), done.stderr
        return done.stdout

    return run


def test_the_table_leads_with_the_level_and_what_the_next_needs(report) -> None:
    lines = report("table").splitlines()
    assert lines[1] == (
        "test: level Bronze · score 42.86% · Silver & <b> needs 3 rules: "
        "s3 (error), s2 (warning, errored), s1 (info)"
    )


def test_a_required_level_not_reached_is_said(report) -> None:
    lines = report("table", "--min-level", "gold").splitlines()
    assert lines[1].endswith(" · below the required Gold")


def test_at_the_top_level_nothing_is_needed(report) -> None:
    top = HEADER + rules(("b", "alpha", "bronze", "error", PASS, 1))
    assert report("table", pack=top).splitlines()[1] == (
        "test: level Gold · score 100.00% · the top level"
    )


def test_no_level_reached(report) -> None:
    none = HEADER + rules(("b", "alpha", "bronze", "warning", FAIL, 1))
    assert report("table", pack=none).splitlines()[1] == (
        "test: level none · score 0.00% · Bronze needs 1 rule: b (warning)"
    )


def test_at_most_ten_blocking_rules_are_named(report) -> None:
    many = HEADER + rules(*((f"r{i:02}", "alpha", "bronze", "error", FAIL, 1) for i in range(12)))
    line = report("table", pack=many).splitlines()[1]
    assert line.endswith("r08 (error), r09 (error), … and 2 more")
    assert "Bronze needs 12 rules: r00 (error)," in line


def test_markdown_lists_the_level_after_the_header(report) -> None:
    text = report("markdown")
    assert (
        "\n\n- test: level Bronze · score 42.86% · Silver \\& \\<b\\> needs 3 rules: "
        "`s3` (error), `s2` (warning, errored), `s1` (info)\n"
    ) in text
    assert text.index("- test: level") < text.index("| Category |")


def test_html_says_the_level_near_the_top(report) -> None:
    page = report("html")
    assert (
        '<p class="level">test: level Bronze · score 42.86% · Silver &amp; &lt;b&gt; needs '
        "3 rules: <code>s3</code> (error), <code>s2</code> (warning, errored), "
        "<code>s1</code> (info)</p>"
    ) in page
    assert page.index('class="level"') < page.index("<h2>Summary</h2>")


def test_a_pack_without_levels_has_no_level_line(report) -> None:
    plain = HEADER.replace(HEADER[HEADER.index("levels:") : HEADER.index("rules:")], "")
    lines = report(
        "table", pack=plain + "- {id: r, title: T, category: alpha, check: " + PASS + "}\n"
    )
    assert lines.splitlines()[1].startswith("1 rules · ")  # the verdict, then the counts
    assert ": level " not in lines
