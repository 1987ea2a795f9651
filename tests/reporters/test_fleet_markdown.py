"""`policy fleet --format markdown`: the headline, the rollups and every repository, escaped."""

from __future__ import annotations

import io

from engine.reporters import ReportOptions, fleet_reporter
from tests.fleet.fixtures import FLEET_PACK, sample_fleet_report


def test_the_rollups_and_each_repository_are_tables_with_names_escaped(
    make_repo, write_pack
) -> None:
    report = sample_fleet_report(make_repo, write_pack(FLEET_PACK))
    out = io.StringIO()
    fleet_reporter("markdown")(report, out, ReportOptions())
    lines = out.getvalue().splitlines()
    assert lines[:3] == [
        "## rulepack fleet `run-1`",
        "",
        "**4 repositories: 1 hold, 2 fail, 1 could not be evaluated; mean score 40.00%**",
    ]
    owners = lines[lines.index("### Per owner") + 4 : lines.index("### Per tag") - 1]
    assert owners == [
        "| (no owner) | 1 | 0 | 1 | n/a | \\- | \\- | \\- |",
        "| @ops | 1 | 1 | 0 | 0\\.00% | fleet: none 1 | ci (1), license (1), readme (1) "
        "| job (0.00%) |",
        "| @team\\|\\<b\\> | 2 | 1 | 0 | 60\\.00% | fleet: silver 1, bronze 1 "
        "| ci (1), license (1) | api (20.00%), web (100.00%) |",
    ]
    repositories = lines[lines.index("### Repositories") + 4 :]
    assert repositories == [
        "| web | ✅ holds | @team\\|\\<b\\> | 100.00% | fleet silver | \\- |",
        "| api | ❌ fails | @team\\|\\<b\\> | 20.00% | fleet bronze | license, ci |",
        "| job | ❌ fails | @ops | 0.00% | fleet none | readme, license, ci |",
        "| gone | ⚠️ error | \\- | n/a | \\- | /no/such/folder: no such folder |",
    ]
