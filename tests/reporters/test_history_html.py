"""`policy history --format html` and `trend --format html`: one self-contained page whose
charts plotly.js draws in a real browser, with nothing fetched and nothing logged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.commands.test_history import PACK
from tests.commands.test_history import three_commits as three_commits  # a fixture

#: What plotly drew: each chart's traces (name, points with a value) and its axis labels.
MEASURE = """(() => [...document.querySelectorAll(".chart")].map(div => ({
  id: div.id,
  drawn: div.querySelectorAll(".main-svg").length > 0,
  traces: div.data.map(t => [t.name, t.y.filter(v => v !== null).length]),
  ticks: [...div.querySelectorAll(".ytick text")].map(t => t.textContent),
})))()"""


@pytest.fixture
def history_page(policy, three_commits, write_pack, tmp_path: Path) -> Path:
    repo, _ = three_commits
    page = tmp_path / "history.html"
    store = f"sqlite:///{tmp_path / 'r.db'}"
    done = policy(
        "history",
        repo,
        "--pack",
        write_pack(PACK),
        "--store",
        store,
        "--format",
        "html",
        "-o",
        page,
    )
    assert done.exit_code == 0, done.stderr
    return page


def test_the_page_fetches_nothing_and_runs_only_its_own_scripts(history_page: Path) -> None:
    text = history_page.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", text)  # all inline
    (csp,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)
    assert csp.startswith("default-src 'none'; style-src 'unsafe-inline'; img-src data:; ")
    assert len(re.findall(r"'sha256-[A-Za-z0-9+/=]+'", csp)) == 2  # plotly.js and the drawing
    assert "<td><code>" in text  # the commits' table reads without scripts


def test_the_browser_draws_the_score_and_level_charts(browser, history_page: Path) -> None:
    page = browser.open(history_page.as_uri())
    charts = page.evaluate(MEASURE)
    assert page.problems == []
    assert [(c["id"], c["drawn"]) for c in charts] == [("score", True), ("level", True)]
    score, level = charts
    assert score["traces"] == [["overall", 3], ["docs", 3], ["deploy", 3]]
    assert level["traces"] == [["team", 3]]
    assert level["ticks"] == ["none", "bronze", "silver"]


def test_trend_writes_the_same_page_from_the_store(policy, history_page, tmp_path) -> None:
    done = policy("trend", "--store", f"sqlite:///{tmp_path / 'r.db'}", "--format", "html")
    assert done.exit_code == 0, done.stderr
    assert 'id="score"' in done.stdout and 'id="level"' in done.stdout
    assert "<h1>History of service: 3 commits</h1>" in done.stdout
