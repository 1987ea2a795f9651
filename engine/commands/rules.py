"""`policy rules --pack P`: the rules of a pack."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from engine.config import RepoConfig
from engine.model.packs import Pack
from engine.printable import echo
from engine.snapshots import open_snapshot
from engine.workspace import load_packs, parse_params


def load_one(spec: str, params: Sequence[str] = ()) -> Pack:
    """One pack by name or file, found from the current folder's pack path."""
    return load_one_reading(spec, params)[0]


def load_one_reading(spec: str, params: Sequence[str] = ()) -> tuple[Pack, tuple[Path, ...]]:
    """`load_one`, and the pack files it read from disk."""
    snapshot = open_snapshot(Path("."))
    try:
        packs, _, files = load_packs(snapshot, RepoConfig(), [spec], parse_params(params))
    finally:
        snapshot.close()
    return packs[0], files


def run(spec: str, params: Sequence[str], format_name: str) -> int:
    pack = load_one(spec, params)
    if format_name == "json":
        echo(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "title": r.title,
                        "category": r.category,
                        "severity": r.severity,
                        "level": r.level,
                        "weight": r.weight,
                        "tags": list(r.tags),
                        "enabled": r.enabled,
                    }
                    for r in pack.rules
                ],
                indent=2,
            )
        )
        return 0
    echo(f"{pack.name} {pack.version} ({pack.source}: {pack.path}), {len(pack.rules)} rules")
    if pack.levels:
        echo("levels: " + " < ".join(f"{level.title} ({level.id})" for level in pack.levels))
    width = max((len(r.id) for r in pack.rules), default=2)
    level_width = max((len(level.id) for level in pack.levels), default=0)
    for category in pack.categories:
        rules = [r for r in pack.rules if r.category == category.id]
        if not rules:
            continue
        echo(f"\n{category.title} ({category.id})")
        for rule in rules:
            off = "  (disabled)" if not rule.enabled else ""
            tags = f"  [{', '.join(rule.tags)}]" if rule.tags else ""
            placed = f"{rule.level or '':<{level_width}}  x{rule.weight:<2} " if pack.levels else ""
            echo(f"  {rule.id:<{width}}  {rule.severity:<7}  {placed}{rule.title}{tags}{off}")
    return 0
