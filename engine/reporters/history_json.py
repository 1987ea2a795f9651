"""`policy history --format json` (and `trend`): schemas/history.schema.json describes it."""

from __future__ import annotations

import json
from typing import Any, TextIO

from engine import __version__
from engine.history.model import History, Point
from engine.reporters import ReportOptions

HISTORY_SCHEMA_ID = "rulepack/history/v1"


def history_to_data(history: History) -> dict[str, Any]:
    return {
        "schema": HISTORY_SCHEMA_ID,
        "tool": {"name": "rulepack", "version": __version__},
        "repository": {"name": history.repository.name, "url": history.repository.url},
        "branch": history.branch,
        "levels": {pack: list(ids) for pack, ids in history.level_ids.items()},
        "notes": list(history.notes),
        "commits": [_point(p) for p in history.points],
    }


def _point(point: Point) -> dict[str, Any]:
    return {
        "commit": point.commit,
        "date": point.date.isoformat() if point.date else None,
        "score": point.score,
        "success_rate": point.success_rate,
        "counts": dict(point.counts),
        "levels": dict(point.levels),
        "by_category": {cid: {"score": score} for cid, score in point.categories.items()},
        "changed": [
            {"pack": c.pack, "rule": c.rule, "from": c.before, "to": c.after} for c in point.changes
        ],
        "reused": point.reused,
    }


def render_history(history: History, out: TextIO, options: ReportOptions) -> None:
    json.dump(history_to_data(history), out, indent=2, ensure_ascii=False)
    out.write("\n")
