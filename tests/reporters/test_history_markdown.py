"""`policy history --format markdown`: the commits as a table, then each category's line."""

from __future__ import annotations

from pathlib import Path

from tests.commands.test_history import PACK
from tests.commands.test_history import three_commits as three_commits  # a fixture


def test_the_markdown_table_has_a_row_per_commit_and_a_sparkline_per_category(
    policy, three_commits, write_pack, tmp_path: Path
) -> None:
    repo, ids = three_commits
    store = f"sqlite:///{tmp_path / 'r.db'}"
    done = policy(
        "history", repo, "--pack", write_pack(PACK), "--store", store, "--format", "markdown"
    )
    assert done.exit_code == 0, done.stderr
    assert done.stdout.splitlines() == [
        "## History of service (HEAD): 3 commits",
        "",
        "| Date | Commit | Score | Level | Passed | Failed | Changed |",
        "| --- | --- | ---: | --- | ---: | ---: | --- |",
        f"| 2024-03-03 12:00 | `{ids[2][:12]}` | 100.00 | silver | 3 | 0 | docker fail→pass |",
        f"| 2024-03-02 12:00 | `{ids[1][:12]}` | 66.67 | none | 2 | 1 | license fail→pass |",
        f"| 2024-03-01 12:00 | `{ids[0][:12]}` | 33.33 | none | 1 | 2 | (first) |",
        "",
        "| Category | Score, oldest to newest | Latest |",
        "| --- | --- | ---: |",
        "| docs | ▅██ | 100.00 |",
        "| deploy | ▁▁█ | 100.00 |",
    ]
