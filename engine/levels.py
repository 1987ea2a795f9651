"""The levels a run requires: `--min-level LEVEL` or the config's `min_level`, checked
against the evaluated packs' levels before any rule runs.

`--min-level LEVEL` applies to every evaluated pack that declares LEVEL and
replaces the config's `min_level` (pack -> level). A level that no evaluated
pack declares, or a `min_level` entry whose pack is not evaluated or lacks
that level, is an input error: a typo would otherwise never fail a run.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.config import RepoConfig
from engine.errors import InputError, Problem
from engine.model.packs import Pack


def _declared(pack: Pack) -> str:
    return ", ".join(level.id for level in pack.levels) or "none"


def required_levels(
    packs: Sequence[Pack], config: RepoConfig, option: str | None
) -> dict[str, str]:
    """Pack name -> the level it must reach; InputError for a level no pack declares."""
    if option is not None:
        required = {p.name: option for p in packs if option in {lv.id for lv in p.levels}}
        if not required:
            declared = "; ".join(f"{p.name}: {_declared(p)}" for p in packs)
            raise InputError(
                f"--min-level {option}: no evaluated pack declares this level (levels: {declared})"
            )
        return required
    by_name = {pack.name: pack for pack in packs}
    problems = []
    for name, level, key_at, value_at in config.min_level:
        pack = by_name.get(name)
        if pack is None:
            evaluated = ", ".join(by_name)
            problems.append(
                Problem(
                    f"min_level: pack {name!r} is not evaluated (evaluated: {evaluated})", key_at
                )
            )
        elif level not in {lv.id for lv in pack.levels}:
            problems.append(
                Problem(
                    f"min_level: pack {name!r} has no level {level!r} (levels: {_declared(pack)})",
                    value_at,
                )
            )
    if problems:
        raise InputError(problems)
    return {name: level for name, level, _, _ in config.min_level}
