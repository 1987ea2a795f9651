"""`policy fleet --format table`: the headline, every repository, then the rollups."""

from __future__ import annotations

import io

from engine.reporters import ReportOptions, fleet_reporter
from tests.fleet.fixtures import FLEET_PACK, sample_fleet_report


def test_each_repository_and_each_group_has_a_row(make_repo, write_pack) -> None:
    report = sample_fleet_report(make_repo, write_pack(FLEET_PACK))
    out = io.StringIO()
    fleet_reporter("table")(report, out, ReportOptions(width=160))
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "fleet run run-1: 4 repositories: 1 hold, 2 fail, 1 could not be evaluated; "
        "mean score 40.00%"
    )
    cells = [[c.strip() for c in line.strip("│").split("│")] for line in lines if "│" in line]
    assert cells[:4] == [
        ["web", "pass", "@team|<b>", "100.00%", "fleet silver", "-"],
        ["api", "fail", "@team|<b>", "20.00%", "fleet bronze", "license, ci"],
        ["job", "fail", "@ops", "0.00%", "fleet none", "readme, license, ci"],
        ["gone", "error", "-", "n/a", "-", "/no/such/folder: no such folder"],
    ]
    assert cells[4:7] == [
        ["(no owner)", "1", "0", "1", "n/a", "-", "-", "-"],
        [
            "@ops",
            "1",
            "1",
            "0",
            "0.00%",
            "fleet: none 1",
            "ci (1), license (1), readme (1)",
            "job (0.00%)",
        ],
        [
            "@team|<b>",
            "2",
            "1",
            "0",
            "60.00%",
            "fleet: silver 1, bronze 1",
            "ci (1), license (1)",
            "api (20.00%), web (100.00%)",
        ],
    ]
    assert lines[lines.index("Per tag") + 4].startswith("│ public")
