"""What `policy history` and `policy trend` show: one point per commit, built from runs."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from engine.store.records import Repository, RunRecord

#: The counts each point carries, in the order reports show them.
COUNTS = ("total", "passed", "failed", "skipped", "errored", "waived")


@dataclass(frozen=True)
class Change:
    """A rule whose status differs from the commit before (None: it was not there)."""

    pack: str
    rule: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Point:
    """One commit's run."""

    commit: str | None
    date: datetime | None
    score: float | None
    success_rate: float | None
    counts: dict[str, int]
    levels: dict[str, str | None]  # pack -> the level it achieved (only packs with levels)
    categories: dict[str, float | None]  # category id -> its score
    changes: tuple[Change, ...]  # against the point before it (the older one)
    reused: bool = False  # its run was in the store already


@dataclass(frozen=True)
class History:
    repository: Repository
    branch: str | None  # what `history --branch` followed; None for `trend`
    points: tuple[Point, ...]  # newest first
    level_ids: dict[str, tuple[str, ...]] = field(default_factory=dict)  # pack -> lowest first
    notes: tuple[str, ...] = ()  # said on stderr and in the report (a shallow end, one commit)

    @property
    def categories(self) -> tuple[str, ...]:
        """Every category of any point, in the order they first appear (oldest first)."""
        seen: dict[str, None] = {}
        for point in reversed(self.points):
            seen.update(dict.fromkeys(point.categories))
        return tuple(seen)


def points_of(runs: Sequence[RunRecord], reused: Collection[int] = ()) -> tuple[Point, ...]:
    """The points of `runs` (oldest first, one per commit), newest first; `reused` are the
    ids of runs that were in the store before."""
    points = []
    previous: dict[tuple[str, str], str] | None = None
    for run in runs:
        statuses = {(r.pack, r.rule): r.status for r in run.rules}
        summary = run.summary
        points.append(
            Point(
                commit=run.commit,
                date=run.commit_date,
                score=summary.get("score"),
                success_rate=summary.get("success_rate"),
                counts={name: int(summary.get(name, 0)) for name in COUNTS},
                levels={pack: s.get("achieved") for pack, s in summary.get("levels", {}).items()},
                categories={
                    cid: c.get("score") for cid, c in summary.get("by_category", {}).items()
                },
                changes=() if previous is None else _changes(previous, statuses),
                reused=run.id in reused,
            )
        )
        previous = statuses
    return tuple(reversed(points))


def _changes(
    before: dict[tuple[str, str], str], after: dict[tuple[str, str], str]
) -> tuple[Change, ...]:
    keys = list(after) + [key for key in before if key not in after]
    return tuple(
        Change(pack, rule, before.get((pack, rule)), after.get((pack, rule)))
        for pack, rule in keys
        if before.get((pack, rule)) != after.get((pack, rule))
    )


def level_ids_of(runs: Sequence[RunRecord]) -> dict[str, tuple[str, ...]]:
    """Each pack's levels, lowest first, as its newest run says them."""
    found: dict[str, tuple[str, ...]] = {}
    for run in runs:
        found.update({p.name: p.levels for p in run.packs if p.levels})
    return found


def latest_per_commit(runs: Sequence[RunRecord]) -> list[RunRecord]:
    """The last recorded run of each commit, oldest commit first (runs without a commit,
    outside git, each count as one)."""
    latest: dict[object, RunRecord] = {}
    for run in runs:
        key: object = run.commit if run.commit is not None else ("run", run.id)
        latest.pop(key, None)  # moved to the end: commits keep the order of their last run
        latest[key] = run
    return sorted(latest.values(), key=lambda r: (r.commit_date is None, _time(r), r.id or 0))


def _time(run: RunRecord) -> float:
    return run.commit_date.timestamp() if run.commit_date is not None else 0.0
