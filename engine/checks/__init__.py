"""Check kinds, registered in one place.

Each module defines its check class, `parse` and `evaluate`, and a `KIND`
(or several) that this registry maps from the key a pack writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.checks import combinators, command, condition, file, manifest, version
from engine.checks.kind import CheckKind
from engine.packs.model import Check

if TYPE_CHECKING:
    from engine.context import EvaluationContext
    from engine.packs.reader import PackReader
    from engine.results import Outcome
    from engine.yaml12 import Path

KINDS: dict[str, CheckKind] = {
    kind.key: kind
    for kind in (
        file.KIND,
        manifest.KIND,
        command.KIND,
        version.KIND,
        combinators.ALL,
        combinators.ANY,
        combinators.NOT,
        condition.KIND,
    )
}


def parse_check(raw: Any, path: Path, reader: PackReader) -> Check:
    """Build the check a pack wrote as `{kind: {...}}`."""
    if not isinstance(raw, Mapping) or len(raw) != 1:
        reader.problem(path, f"a check is one of: {', '.join(KINDS)}")
        return combinators.AllCheck(())
    key, value = next(iter(raw.items()))
    kind = KINDS.get(str(key))
    if kind is None:
        reader.problem(
            (*path, key), f"unknown check kind {key!r} (one of: {', '.join(KINDS)})", key=True
        )
        return combinators.AllCheck(())
    return kind.parse(value, (*path, key), reader)


def evaluate_check(check: Check, context: EvaluationContext) -> Outcome:
    """Evaluate a check built by `parse_check`."""
    return KINDS[check.kind].evaluate(check, context)
