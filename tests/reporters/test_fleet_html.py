"""`policy fleet --format html`: the dashboard, loaded in headless Chromium as a reader would.

The page must load with nothing logged (no script blocked by its
Content-Security-Policy, nothing fetched), draw with plotly a stacked bar per
owner in the level chart (one trace per level, segments as wide as their
counts) and a score bar per owner, and show every repository with its
outcome; names are text, never markup.
"""

from __future__ import annotations

import io

from engine.reporters import ReportOptions, fleet_reporter
from tests.fleet.fixtures import FLEET_PACK, sample_fleet_report

MEASURE = """(() => {
  const width = e => Math.round(e.getBoundingClientRect().width);
  const bars = id => [...document.querySelectorAll(`#${id} g.trace.bars`)].map(trace =>
    [...trace.querySelectorAll("g.point path")].map(width));
  const data = id => document.getElementById(id).data.map(t => [t.name, t.y, t.x]);
  return {
    levels: data("levels-0"), levelBars: bars("levels-0"),
    scores: data("scores"), scoreBars: bars("scores"),
    repositories: [...document.querySelectorAll("table.repositories tr[data-repository]")]
      .map(tr => [tr.dataset.repository, tr.querySelector(".badge").textContent,
                  getComputedStyle(tr.querySelector(".badge")).backgroundColor]),
    owners: [...document.querySelectorAll("table.owners tr td:first-child")]
      .map(td => td.textContent),
    markup: document.querySelectorAll("body b").length,
  };
})()"""


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
    owners = ["(no owner)", "@ops", "@team|<b>"]
    assert drawn["levels"] == [
        ["silver", owners, [0, 0, 1]],
        ["bronze", owners, [0, 0, 1]],
        ["none", owners, [0, 1, 0]],
    ]
    # Each non-zero count is a drawn bar, and one repository is as wide in every trace.
    silver, bronze, none = drawn["levelBars"]
    assert [w > 0 for w in silver + bronze + none] == [False, False, True] * 2 + [
        False,
        True,
        False,
    ]
    assert silver[2] == bronze[2] == none[1]
    assert drawn["scores"] == [["mean score", owners, [0, 0, 60.0]]]
    assert drawn["scoreBars"][0][2] > 0
    assert drawn["repositories"] == [
        ["web", "pass", "rgb(26, 127, 55)"],
        ["api", "fail", "rgb(207, 34, 46)"],
        ["job", "fail", "rgb(207, 34, 46)"],
        ["gone", "error", "rgb(130, 80, 223)"],
    ]
    assert drawn["owners"] == ["(no owner)", "@ops", "@team|<b>"]
    assert drawn["markup"] == 0
