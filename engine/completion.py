"""What the shell completes: pack names, and the rules, categories and tags of packs.

cli.py asks these functions while the user presses Tab, so they load only
what the answer needs, and the packs and config they read are found exactly
as `policy eval` finds them. A broken pack or config raises as it would in a
run; cli.py turns any error into no completion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.model.packs import Pack


@dataclass(frozen=True)
class Choice:
    """One word the shell may complete, with what it means (shown by zsh and fish)."""

    value: str
    help: str | None = None


def pack_names(root: Path) -> list[Choice]:
    """Packs `--pack NAME` finds from `root`: the repository's, RULEPACK_PATH's, the built-in."""
    from engine.config import load_repo_config
    from engine.packs.finder import PackFinder
    from engine.snapshots import open_snapshot

    snapshot = open_snapshot(root)
    try:
        config = load_repo_config(snapshot)
        files = PackFinder.standard(snapshot, config.pack_path).all_files()
        names = [pack_file.name for pack_file in files]
    finally:
        snapshot.close()
    return [Choice(name) for name in dict.fromkeys(names)]


def evaluated_packs(root: Path, packs: Sequence[str], config: Path | None) -> list[Pack]:
    """The packs `policy eval ROOT` runs with these `--pack` and `--config` options."""
    from engine.snapshots import open_snapshot
    from engine.workspace import open_workspace

    snapshot = open_snapshot(root)
    try:
        # Tab never waits for the network: remote packs only from the lock and the cache
        return open_workspace(snapshot, packs, config_file=config, fetch=False).packs
    finally:
        snapshot.close()


def explained_packs(pack: str | None) -> list[Pack]:
    """The packs `policy explain RULE` looks in: `--pack`, else every pack it searches."""
    from engine.commands.explain import packs_to_search
    from engine.commands.rules import load_one
    from engine.errors import InputError

    if pack is not None:
        return [load_one(pack)]
    found = []
    for name in packs_to_search():
        try:
            found.append(load_one(name))
        except InputError:  # as `explain` does: a broken pack does not hide the others
            continue
    return found


def rule_ids(packs: Sequence[Pack]) -> list[Choice]:
    """Every rule id of `packs`, in pack order, with its title."""
    rules = {rule.id: rule.title for pack in packs for rule in pack.rules}
    return [Choice(rule_id, title) for rule_id, title in rules.items()]


def category_ids(packs: Sequence[Pack]) -> list[Choice]:
    """Every category id of `packs` that holds a rule, with its title."""
    used = {rule.category for pack in packs for rule in pack.rules}
    categories = {c.id: c.title for pack in packs for c in pack.categories if c.id in used}
    return [Choice(category_id, title) for category_id, title in categories.items()]


def level_ids(packs: Sequence[Pack]) -> list[Choice]:
    """Every level id of `packs`, lowest first, with its title."""
    levels = {level.id: level.title for pack in packs for level in pack.levels}
    return [Choice(level_id, title) for level_id, title in levels.items()]


def tags(packs: Sequence[Pack]) -> list[Choice]:
    """Every tag `--tag` selects a rule of `packs` by (`static` included), sorted."""
    found = {t for pack in packs for r in pack.rules for t in r.selection_tags}
    return [Choice(tag) for tag in sorted(found)]
