"""Points of a history: one per commit, with the rules that changed since the one before."""

from __future__ import annotations

from datetime import datetime

from engine.history.model import Change, latest_per_commit, points_of
from engine.store.records import Repository, RuleRecord, RunRecord


def run(run_id: int, commit: str | None, day: int, statuses: dict[str, str]) -> RunRecord:
    return RunRecord(
        repository=Repository("r"),
        commit=commit,
        commit_date=datetime(2024, 1, day) if commit else None,
        snapshot_kind="ref",
        ref=None,
        tool_version="0",
        packs=(),
        summary={"score": float(day), "by_category": {"c": {"score": float(day)}}, "levels": {}},
        rules=tuple(RuleRecord("p", rule, "c", status, 0) for rule, status in statuses.items()),
        id=run_id,
    )


def test_changes_name_new_gone_and_changed_rules_against_the_commit_before() -> None:
    older = run(1, "a", 1, {"x": "fail", "y": "pass", "z": "skip"})
    newer = run(2, "b", 2, {"x": "pass", "y": "pass", "w": "fail"})
    points = points_of([older, newer], reused=[1])
    assert [p.commit for p in points] == ["b", "a"]  # newest first
    assert points[0].changes == (
        Change("p", "x", "fail", "pass"),
        Change("p", "w", None, "fail"),
        Change("p", "z", "skip", None),
    )
    assert points[1].changes == ()
    assert [p.reused for p in points] == [False, True]
    assert [p.categories for p in points] == [{"c": 2.0}, {"c": 1.0}]


def test_the_last_run_of_each_commit_counts_in_commit_date_order() -> None:
    runs = [
        run(1, "b", 2, {}),
        run(2, "a", 1, {}),
        run(3, "b", 2, {"x": "pass"}),
        run(4, None, 0, {}),
    ]
    assert [r.id for r in latest_per_commit(runs)] == [2, 3, 4]  # a run outside git goes last
