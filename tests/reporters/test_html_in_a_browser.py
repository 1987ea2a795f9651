"""`--format html` in a real browser: headless Chromium loads the file as a reader would.

The page must load with nothing logged (no script error, nothing blocked by
its Content-Security-Policy, nothing fetched), draw both charts and every
category, take the window's width, and its filter box and links must work.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reporters.chromium import Page
from tests.reporters.conftest import WIDTH

#: What the page draws, measured by the browser after layout.
MEASURE = """(() => {
  const drawn = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const width = e => Math.round(e.getBoundingClientRect().width);
  return {
    ring: drawn(document.querySelector("svg.ring")),
    arcs: [...document.querySelectorAll("svg.ring circle[stroke-dasharray]")]
      .map(c => [c.getAttribute("stroke"), drawn(c)]),
    bars: [...document.querySelectorAll("svg.bars g")]
      .map(g => [g.querySelector("text").textContent, [...g.querySelectorAll("rect")].map(width)]),
    categories: [...document.querySelectorAll("details.category")]
      .map(d => [d.id, d.open, drawn(d.querySelector("summary"))]),
    cards: [...document.querySelectorAll(".rule")].filter(drawn).map(c => c.dataset.rule),
    search: drawn(document.querySelector("#search input")),
    width: width(document.querySelector("details.category")),
  };
})()"""

#: Types `query` into the filter box; then what is shown.
FILTER = """(query => {
  const box = document.querySelector("#search input");
  box.value = query;
  box.dispatchEvent(new Event("input"));
  const shown = e => e.getClientRects().length > 0;
  return {
    rules: [...document.querySelectorAll("[data-rule]")].filter(shown).map(e => e.dataset.rule),
    categories: [...document.querySelectorAll("details.category")].filter(shown).map(d => d.id),
    open: [...document.querySelectorAll("details")].filter(d => d.open).length,
    count: document.querySelector("#search output").textContent,
  };
})"""


@pytest.fixture
def open_report(policy, browser, tmp_path):
    """Write the HTML report of `policy eval ARGS` and open it in the browser."""

    def open_(*args: str | Path) -> Page:
        report = tmp_path / "report.html"
        done = policy("eval", "--format", "html", "-o", report, *args)
        assert done.exit_code in (0, 1), done.stderr
        return browser.open(report.as_uri())

    return open_


def test_the_page_loads_cleanly_and_draws_the_charts_and_every_category(
    open_report, sample
) -> None:
    page = open_report("--pack", sample.pack, sample.repo)
    assert page.problems == []
    drawn = page.evaluate(MEASURE)
    assert drawn["ring"] is True
    assert drawn["arcs"] == [  # passed, failed, errored, skipped: each has a share
        ["#1a7f37", True],
        ["#cf222e", True],
        ["#8250df", True],
        ["#8c959f", True],
    ]
    # each category's bar: its track and its rate (Deployment 33.33% of 320 px)
    assert drawn["bars"] == [
        ["Deployment", [320, 107]],
        ["Security & <secrets>", [320, 0]],
        ["Documentation", [320, 0]],
    ]
    assert drawn["categories"] == [
        ["category-deploy", True, True],
        ["category-security", True, True],
        ["category-docs", True, True],
    ]
    assert drawn["cards"] == [
        "deploy.service",
        "deploy.parses",
        "security.keys",
        "security.tokens",
        "docs.readme",
    ]
    assert drawn["search"] is True  # the script ran and showed the box
    assert drawn["width"] >= WIDTH - 80  # the window's width, less the margins


def test_a_narrow_window_scrolls_only_down(open_report, sample) -> None:
    page = open_report("--pack", sample.pack, sample.repo)
    page.resize(360, 800)
    # wide tables scroll inside themselves; long paths and messages wrap
    assert page.evaluate("[innerWidth, document.documentElement.scrollWidth <= innerWidth]") == [
        360,
        True,
    ]


def test_the_filter_box_keeps_what_matches_and_clearing_it_restores_the_page(
    open_report, sample
) -> None:
    page = open_report("--pack", sample.pack, sample.repo)
    before = page.evaluate(f"({FILTER})('')")
    assert before["count"] == "" and before["open"] == 3  # the categories; Passed and Skipped not

    keys = page.evaluate(f"({FILTER})('Key Files')")  # the fix of security.keys
    assert keys == {
        "rules": ["security.keys"],
        "categories": ["category-security"],
        "open": 1,
        "count": "1 of 7 rules",
    }
    by_path = page.evaluate(f"({FILTER})('broken.yaml')")
    assert by_path["rules"] == ["deploy.parses"]
    passed = page.evaluate(f"({FILTER})('manifests exist')")  # a passed rule, folded
    assert passed["rules"] == ["deploy.manifests"]
    assert passed["open"] == 2  # its category and the Passed fold

    assert page.evaluate(f"({FILTER})('')") == before
    assert page.problems == []


def test_a_summary_link_opens_its_folded_category(open_report, sample) -> None:
    page = open_report("--pack", sample.pack, "--rule", "deploy.manifests", sample.repo)
    folds = page.evaluate("[...document.querySelectorAll('details.category')].map(d => d.open)")
    assert folds == [False, False, False]  # nothing failed

    opened = page.evaluate(
        """new Promise(done => {
          addEventListener("hashchange", () => setTimeout(() => done(
            [...document.querySelectorAll("details.category")].map(d => d.open)), 0));
          document.querySelector('a[href="#category-docs"]').click();
        })"""
    )
    assert opened == [False, False, True]
    typed = page.evaluate(  # a link no section has, or not even a well-formed one
        """new Promise(done => {
          addEventListener("hashchange", () => setTimeout(() => done(location.hash), 0));
          location.hash = "%E0%A4%A";
        })"""
    )
    assert typed == "#%E0%A4%A"
    assert page.problems == []


def test_a_long_report_of_the_production_pack_draws_all_its_categories(
    open_report, make_repo
) -> None:
    repo = make_repo({"Cargo.toml": '[package]\nname = "svc"\nversion = "0.1.0"\n'})
    page = open_report("--pack", "production", "--no-commands", repo)
    assert page.problems == []
    drawn = page.evaluate(MEASURE)
    assert len(drawn["bars"]) == len(drawn["categories"]) == 11
    assert all(drawn_summary for _, _, drawn_summary in drawn["categories"])
    assert all(widths[0] == 320 for _, widths in drawn["bars"])  # each bar's track
