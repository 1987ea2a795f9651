"""`policy fleet --format html`: the dashboard, loaded in headless Chromium as a reader would.

The page must load with nothing logged (nothing blocked by its
Content-Security-Policy, nothing fetched), draw a bar per owner in the level
chart with segments as wide as their counts and a score bar per owner, and
show every repository with its outcome; names are text, never markup.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from engine.reporters import ReportOptions, fleet_reporter
from tests.fleet.fixtures import FLEET_PACK, sample_fleet_report
from tests.reporters.chromium import Browser, started_browser

WIDTH, HEIGHT = 1400, 900

MEASURE = """(() => {
  const width = e => Math.round(e.getBoundingClientRect().width);
  return {
    levels: [...document.querySelectorAll("svg.level-chart g.levels")].map(g =>
      [g.dataset.group, [...g.querySelectorAll("rect")].map(r =>
        [r.querySelector("title").textContent, width(r)])]),
    scores: [...document.querySelectorAll("svg.score-chart g.score")].map(g =>
      [g.dataset.group, width(g.querySelector("rect"))]),
    repositories: [...document.querySelectorAll("table.repositories tr[data-repository]")]
      .map(tr => [tr.dataset.repository, tr.querySelector(".badge").textContent,
                  getComputedStyle(tr.querySelector(".badge")).backgroundColor]),
    owners: [...document.querySelectorAll("table.owners tr td:first-child")]
      .map(td => td.textContent),
    markup: document.querySelectorAll("body b").length,
  };
})()"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[Browser]:
    yield from started_browser(tmp_path_factory.mktemp("profile"), WIDTH, HEIGHT)


def test_the_dashboard_loads_cleanly_and_draws_levels_and_scores_per_owner(
    browser, make_repo, write_pack, tmp_path
) -> None:
    report = sample_fleet_report(make_repo, write_pack(FLEET_PACK))
    out = io.StringIO()
    fleet_reporter("html")(report, out, ReportOptions())
    page_file = tmp_path / "fleet.html"
    page_file.write_text(out.getvalue(), encoding="utf-8")
    page = browser.open(page_file.as_uri())
    assert page.problems == []
    drawn = page.evaluate(MEASURE)
    # Bars are as wide as their counts: 420 px for the owner with the most repositories (2).
    assert drawn["levels"] == [
        ["(no owner)", []],
        ["@ops", [["none: 1", 210]]],
        ["@team|<b>", [["silver: 1", 210], ["bronze: 1", 210]]],
    ]
    assert drawn["scores"] == [["(no owner)", 0], ["@ops", 0], ["@team|<b>", 252]]  # 60%
    assert drawn["repositories"] == [
        ["web", "pass", "rgb(26, 127, 55)"],
        ["api", "fail", "rgb(207, 34, 46)"],
        ["job", "fail", "rgb(207, 34, 46)"],
        ["gone", "error", "rgb(130, 80, 223)"],
    ]
    assert drawn["owners"] == ["(no owner)", "@ops", "@team|<b>"]
    assert drawn["markup"] == 0
