"""A repository's run for the results store, as plain data that crosses to the client.

The worker builds the store's `RunRecord` of its report (engine/store/records.py)
and sends it as builtins (`record_to_data`); the client, which alone writes the
store, turns it back (`record_from_data`) and records it. One store writer
per fleet run: SQLite's one write lock is never fought over by the workers,
and a cluster's workers need no access to the store.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from engine.store.records import PackDigest, Repository, RuleRecord, RunRecord


def record_to_data(record: RunRecord) -> dict[str, Any]:
    data = asdict(record)
    data["commit_date"] = record.commit_date.isoformat() if record.commit_date else None
    data.pop("recorded_at")
    data.pop("id")
    return data


def record_from_data(data: dict[str, Any]) -> RunRecord:
    when = data["commit_date"]
    return RunRecord(
        **{
            **data,
            "repository": Repository(**data["repository"]),
            "commit_date": datetime.fromisoformat(when) if when else None,
            "packs": tuple(PackDigest(**p) for p in data["packs"]),
            "rules": tuple(RuleRecord(**r) for r in data["rules"]),
        }
    )
