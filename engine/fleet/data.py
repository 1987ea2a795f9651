"""The fleet report as plain JSON data (schemas/fleet-report.schema.json).

Keys come in a fixed order, repositories in the order of REPOS.yaml, groups
by name: the same fleet gives the same data apart from `duration_ms` and
`fleet_run` (the id this run's repositories carry in the results store).
"""

from __future__ import annotations

from typing import Any

from engine.fleet.rollup import FleetReport, RepositoryOutcome, Rollup

FLEET_SCHEMA_ID = "rulepack/fleet-report/v1"


def fleet_to_data(report: FleetReport) -> dict[str, Any]:
    return {
        "schema": FLEET_SCHEMA_ID,
        "tool": {"name": "rulepack", "version": report.tool_version},
        "fleet_run": report.fleet_run,
        "levels": {pack: list(ids) for pack, ids in report.level_order},
        "summary": rollup_to_data(report.overall),
        "owners": [rollup_to_data(r) for r in report.owners],
        "tags": [rollup_to_data(r) for r in report.tags],
        "repositories": [_repository(o) for o in report.repositories],
    }


def rollup_to_data(rollup: Rollup) -> dict[str, Any]:
    return {
        "group": rollup.group,
        "repositories": rollup.repositories,
        "failing": rollup.failing,
        "errors": rollup.errors,
        "mean_score": rollup.mean_score,
        "levels": {pack: dict(counts) for pack, counts in rollup.levels},
        "failing_rules": [
            {"pack": r.pack, "rule": r.rule, "repositories": r.repositories}
            for r in rollup.failing_rules
        ],
        "worst": [{"name": name, "score": score} for name, score in rollup.worst],
    }


def _repository(outcome: RepositoryOutcome) -> dict[str, Any]:
    return {
        "name": outcome.name,
        "source": outcome.source,
        "ref": outcome.ref,
        "commit": outcome.commit,
        "owner": outcome.owner,
        "tags": list(outcome.tags),
        "outcome": outcome.outcome,
        "error": outcome.error,
        "score": outcome.score,
        "levels": dict(outcome.levels),
        "counts": {
            "passed": outcome.passed,
            "failed": outcome.failed,
            "errored": outcome.errored,
            "skipped": outcome.skipped,
        },
        "failing_rules": [{"pack": pack, "rule": rule} for pack, rule in outcome.failing],
        "duration_ms": outcome.duration_ms,
    }
