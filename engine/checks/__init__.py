"""Check kinds, registered in one place.

Each module defines its check class, `parse` and `evaluate`, and a `KIND`
(or several) that this registry maps from the key a pack writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from engine.checks import combinators, command, condition, file, manifest, tests, version
from engine.checks.kind import CheckKind
from engine.checks.reader import PackReader
from engine.context import EvaluationContext
from engine.model.documents import KeyPath
from engine.model.messages import COMMON_FACTS, MessageTemplate, reword
from engine.model.packs import Check, walk
from engine.model.results import Outcome

KINDS: dict[str, CheckKind] = {
    kind.key: kind
    for kind in (
        file.KIND,
        manifest.KIND,
        command.KIND,
        version.KIND,
        tests.KIND,
        combinators.ALL,
        combinators.ANY,
        combinators.NOT,
        condition.KIND,
    )
}


#: Every name a `message:` template may use, whatever the kind (the loader leaves them).
ALL_FACTS: frozenset[str] = frozenset(
    (*COMMON_FACTS, *(fact for kind in KINDS.values() for fact in kind.facts))
)


def parse_check(raw: Any, path: KeyPath, reader: PackReader) -> Check:
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
    check = kind.parse(value, (*path, key), reader)
    if isinstance(value, Mapping) and "message" in value:
        check = replace(
            check, message=message_template(value["message"], (*path, key), reader, check)
        )
    return check


def message_template(raw: Any, path: KeyPath, reader: PackReader, check: Check) -> MessageTemplate:
    """A `message:` (of a check, or of the rule whose check is `check`), its facts checked."""
    template = MessageTemplate(str(raw))
    problem = template.problem(facts_of(check))
    if problem:
        reader.problem((*path, "message"), problem)
    return template


def facts_of(check: Check) -> tuple[str, ...]:
    """The facts that findings of a check (and of every check inside it) may carry."""
    return tuple(dict.fromkeys(f for c in walk(check) for f in KINDS[c.kind].facts))


def evaluate_check(check: Check, context: EvaluationContext) -> Outcome:
    """Evaluate a check built by `parse_check`; its `message:` rewords what it found."""
    outcome = KINDS[check.kind].evaluate(check, context)
    return reword(outcome, check.message) if check.message is not None else outcome
