"""`policy explain RULE`: one rule in full."""

from __future__ import annotations

from collections.abc import Sequence

import click
import yaml

from engine.commands.rules import load_one
from engine.errors import InputError


def run(rule_id: str, spec: str, params: Sequence[str]) -> int:
    pack = load_one(spec, params)
    rule = next((r for r in pack.rules if r.id == rule_id), None)
    if rule is None:
        import difflib

        close = difflib.get_close_matches(rule_id, [r.id for r in pack.rules], n=3)
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        raise InputError(f"pack {pack.name} has no rule {rule_id!r}{hint}")
    category = pack.category(rule.category)
    click.echo(f"{rule.id}: {rule.title}")
    click.echo(f"  pack:      {pack.name} {pack.version} ({rule.location})")
    click.echo(f"  category:  {category.title if category else rule.category} ({rule.category})")
    click.echo(
        f"  severity:  {rule.severity}" + ("" if rule.enabled else f"  (off: {rule.disabled_by})")
    )
    if rule.tags:
        click.echo(f"  tags:      {', '.join(rule.tags)}")
    if rule.description:
        click.echo(f"\n{rule.description.strip()}")
    for key in ("when", "check"):
        if key in rule.source:
            click.echo(f"\n{key}:")
            text = yaml.safe_dump(rule.source[key], sort_keys=False, allow_unicode=True, width=100)
            click.echo("".join(f"  {line}\n" for line in text.splitlines()), nl=False)
    if rule.remediation:
        click.echo(f"\nremediation:\n  {rule.remediation.strip()}")
    if rule.docs:
        click.echo(f"\ndocs: {rule.docs}")
    return 0
