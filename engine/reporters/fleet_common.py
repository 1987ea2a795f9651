"""What the fleet's table, Markdown and HTML reports say alike: the headline, the
levels of a group in words, scores as text."""

from __future__ import annotations

from engine.fleet.rollup import FleetReport, Rollup


def score_text(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.2f}%"


def headline(report: FleetReport) -> str:
    """`12 repositories: 7 hold, 4 fail, 1 could not be evaluated; mean score 81.20%`."""
    overall = report.overall
    holding = overall.repositories - overall.failing - overall.errors
    return (
        f"{overall.repositories} repositories: {holding} hold, {overall.failing} fail, "
        f"{overall.errors} could not be evaluated; mean score {score_text(overall.mean_score)}"
    )


def levels_text(rollup: Rollup) -> str:
    """`production: gold 1, silver 2, none 1`, one pack after another (counts that are 0
    left out)."""
    parts = []
    for pack, counts in rollup.levels:
        shown = ", ".join(f"{level} {n}" for level, n in counts if n)
        if shown:
            parts.append(f"{pack}: {shown}")
    return "; ".join(parts) or "-"


def rules_text(rollup: Rollup, limit: int = 3) -> str:
    """The rules failing in the most repositories: `ha.replicas (3), sec.keys (2)`."""
    return ", ".join(f"{r.rule} ({r.repositories})" for r in rollup.failing_rules[:limit]) or "-"


def worst_text(rollup: Rollup, limit: int = 3) -> str:
    return ", ".join(f"{name} ({score_text(score)})" for name, score in rollup.worst[:limit]) or "-"


#: The columns of a rollup table, in every format.
ROLLUP_COLUMNS = (
    "Group",
    "Repositories",
    "Failing",
    "Errors",
    "Mean score",
    "Levels",
    "Failing in the most",
    "Worst",
)


def rollup_cells(rollup: Rollup) -> list[str]:
    """A rollup's row as plain text, one cell per ROLLUP_COLUMNS, for each format to escape."""
    return [
        rollup.group,
        str(rollup.repositories),
        str(rollup.failing),
        str(rollup.errors),
        score_text(rollup.mean_score),
        levels_text(rollup),
        rules_text(rollup),
        worst_text(rollup),
    ]
