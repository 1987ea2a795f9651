"""`policy explain RULE`: one rule in full."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

from engine.commands.rules import load_one
from engine.config import load_repo_config
from engine.errors import InputError
from engine.model.packs import Pack, Rule
from engine.packs.finder import PackFinder
from engine.printable import echo
from engine.snapshots import open_snapshot
from engine.workspace import DEFAULT_PACK


def packs_to_search() -> list[str]:
    """Without --pack: the repository's configured packs, then every pack on the pack path."""
    snapshot = open_snapshot(Path("."))
    try:
        config = load_repo_config(snapshot)
        names = [request.spec for request in config.packs] or [DEFAULT_PACK]
        for pack_file in PackFinder.standard(snapshot, config.pack_path).all_files():
            names.append(pack_file.name)
    finally:
        snapshot.close()
    return list(dict.fromkeys(names))


def run(rule_id: str, spec: str | None, params: Sequence[str]) -> int:
    searched = []
    for name in [spec] if spec else packs_to_search():
        try:
            pack = load_one(name, params)
        except InputError:
            if spec:
                raise
            continue  # a broken pack elsewhere on the path does not hide the rule
        searched.append(pack)
        rule = next((r for r in pack.rules if r.id == rule_id), None)
        if rule is not None:
            show(pack, rule)
            return 0
    import difflib

    known = [r.id for pack in searched for r in pack.rules]
    close = difflib.get_close_matches(rule_id, known, n=3)
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    if spec and searched:
        raise InputError(f"pack {searched[0].name} has no rule {rule_id!r}{hint}")
    raise InputError(f"no pack on the pack path has a rule {rule_id!r}{hint}")


def show(pack: Pack, rule: Rule) -> None:
    """Print one rule in full."""
    category = pack.category(rule.category)
    echo(f"{rule.id}: {rule.title}")
    echo(f"  pack:      {pack.name} {pack.version} ({rule.location})")
    echo(f"  category:  {category.title if category else rule.category} ({rule.category})")
    echo(f"  severity:  {rule.severity}" + ("" if rule.enabled else f"  (off: {rule.disabled_by})"))
    if rule.tags:
        echo(f"  tags:      {', '.join(rule.tags)}")
    if rule.description:
        echo(f"\n{rule.description.strip()}")
    for key in ("when", "check"):
        if key in rule.source:
            echo(f"\n{key}:")
            text = yaml.safe_dump(rule.source[key], sort_keys=False, allow_unicode=True, width=100)
            echo("".join(f"  {line}\n" for line in text.splitlines()), nl=False)
    if rule.remediation:
        echo(f"\nremediation:\n  {rule.remediation.strip()}")
    if rule.docs:
        echo(f"\ndocs: {rule.docs}")
