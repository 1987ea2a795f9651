"""The fleet report: each repository's outcome, and rollups per owner and per tag.

Rows come back from the workers as plain data (engine/fleet/task.py); here
they become `RepositoryOutcome`s, and groups of them `Rollup`s: how many
repositories reached each level of each pack, their mean score, the rules
failing in the most repositories, and the worst repositories. Everything is
sorted by value then name, so the same rows give the same report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

#: A repository's outcome: its run holds, it fails, or it could not be evaluated.
Outcome = Literal["pass", "fail", "error"]
#: The group of repositories without an owner.
NO_OWNER = "(no owner)"
#: The level count key of repositories below a pack's lowest level.
NO_LEVEL = "none"
#: How many failing rules and worst repositories a rollup lists.
TOP_RULES = 10
TOP_WORST = 5


@dataclass(frozen=True)
class RepositoryOutcome:
    name: str
    source: str  # the path or the URL of REPOS.yaml
    ref: str
    commit: str | None
    owner: str | None
    tags: tuple[str, ...]
    outcome: Outcome
    error: str | None  # why it could not be evaluated
    score: float | None  # the report's score; None when nothing was judged (or an error)
    levels: tuple[tuple[str, str | None], ...]  # (pack, achieved level) per pack with levels
    failing: tuple[tuple[str, str], ...]  # (pack, rule) of each rule that failed or errored
    passed: int = 0
    failed: int = 0
    errored: int = 0
    skipped: int = 0
    duration_ms: float | None = None


@dataclass(frozen=True)
class RuleCount:
    pack: str
    rule: str
    repositories: int  # in how many repositories it failed or errored


@dataclass(frozen=True)
class Rollup:
    group: str  # an owner, a tag, or `all`
    repositories: int
    failing: int  # repositories whose run fails
    errors: int  # repositories that could not be evaluated
    mean_score: float | None
    levels: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]  # pack -> (level, count)
    failing_rules: tuple[RuleCount, ...]
    worst: tuple[tuple[str, float], ...]  # (repository, score), lowest first


@dataclass(frozen=True)
class FleetReport:
    fleet_run: str  # the id its runs carry in the results store
    tool_version: str
    level_order: tuple[tuple[str, tuple[str, ...]], ...]  # pack -> its levels, lowest first
    repositories: tuple[RepositoryOutcome, ...]
    overall: Rollup
    owners: tuple[Rollup, ...]
    tags: tuple[Rollup, ...]

    @property
    def fails(self) -> bool:
        """A repository fails its run, or could not be evaluated."""
        return self.overall.failing > 0 or self.overall.errors > 0


def outcome_of(row: Mapping[str, Any]) -> RepositoryOutcome:
    """A worker's row as an outcome."""
    report = row.get("report")
    summary = report["summary"] if report else {}
    failing = tuple(
        (result["pack"], result["rule"])
        for result in (report["results"] if report else ())
        if result["status"] in ("fail", "error")
    )
    outcome: Outcome = "error" if row["status"] == "error" else "fail" if row["fails"] else "pass"
    return RepositoryOutcome(
        name=row["name"],
        source=row["source"],
        ref=row["ref"],
        commit=row["commit"],
        owner=row["owner"],
        tags=tuple(row["tags"]),
        outcome=outcome,
        error=row["error"],
        score=summary.get("score"),
        levels=tuple((pack, s["achieved"]) for pack, s in summary.get("levels", {}).items()),
        failing=failing,
        passed=summary.get("passed", 0),
        failed=summary.get("failed", 0),
        errored=summary.get("errored", 0),
        skipped=summary.get("skipped", 0),
        duration_ms=row.get("duration_ms"),
    )


def level_order(rows: Iterable[Mapping[str, Any]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each pack that declares levels, with its levels lowest first, by pack name."""
    found: dict[str, tuple[str, ...]] = {}
    for row in rows:
        for pack in (row.get("report") or {}).get("packs", ()):
            if pack.get("levels"):
                found.setdefault(pack["name"], tuple(lv["id"] for lv in pack["levels"]))
    return tuple(sorted(found.items()))


def build_report(rows: Sequence[Mapping[str, Any]], fleet_run: str) -> FleetReport:
    """The fleet report of the rows, in the order of REPOS.yaml."""
    from engine import __version__

    outcomes = tuple(outcome_of(row) for row in rows)
    order = level_order(rows)
    by_owner: dict[str, list[RepositoryOutcome]] = {}
    by_tag: dict[str, list[RepositoryOutcome]] = {}
    for outcome in outcomes:
        by_owner.setdefault(outcome.owner or NO_OWNER, []).append(outcome)
        for tag in outcome.tags:
            by_tag.setdefault(tag, []).append(outcome)
    return FleetReport(
        fleet_run=fleet_run,
        tool_version=__version__,
        level_order=order,
        repositories=outcomes,
        overall=rollup("all", outcomes, order),
        owners=tuple(rollup(name, group, order) for name, group in sorted(by_owner.items())),
        tags=tuple(rollup(name, group, order) for name, group in sorted(by_tag.items())),
    )


def rollup(
    group: str,
    outcomes: Sequence[RepositoryOutcome],
    order: Sequence[tuple[str, tuple[str, ...]]],
) -> Rollup:
    """What a group of repositories adds up to."""
    scores = [o.score for o in outcomes if o.score is not None]
    rules = Counter(rule for o in outcomes for rule in set(o.failing))
    ranked = sorted(rules.items(), key=lambda item: (-item[1], item[0]))[:TOP_RULES]
    worst = sorted(((o.name, o.score) for o in outcomes if o.score is not None), key=_by_score)
    return Rollup(
        group=group,
        repositories=len(outcomes),
        failing=sum(o.outcome == "fail" for o in outcomes),
        errors=sum(o.outcome == "error" for o in outcomes),
        mean_score=round(sum(scores) / len(scores), 2) if scores else None,
        levels=tuple((pack, _level_counts(pack, ids, outcomes)) for pack, ids in order),
        failing_rules=tuple(RuleCount(pack, rule, n) for (pack, rule), n in ranked),
        worst=tuple(worst[:TOP_WORST]),
    )


def _by_score(item: tuple[str, float]) -> tuple[float, str]:
    return (item[1], item[0])


def _level_counts(
    pack: str, ids: tuple[str, ...], outcomes: Sequence[RepositoryOutcome]
) -> tuple[tuple[str, int], ...]:
    """Repositories per achieved level of `pack` (highest first, then `none`); those that
    did not evaluate the pack, or errored, are not counted."""
    achieved = Counter(
        level or NO_LEVEL for o in outcomes for name, level in o.levels if name == pack
    )
    return tuple((level, achieved[level]) for level in (*reversed(ids), NO_LEVEL))
