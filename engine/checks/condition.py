"""`condition`: a named condition of the pack, evaluated once per run.

conditions:
  rust: {file: {exists: ["Cargo.toml"]}}
rules:
  - when: {condition: rust}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from engine.checks.kind import CheckKind
from engine.checks.reader import PackReader
from engine.context import EvaluationContext
from engine.model.documents import KeyPath
from engine.model.packs import Check
from engine.model.results import Outcome


@dataclass(frozen=True)
class ConditionCheck(Check):
    """`condition`: a named condition of the pack, evaluated once per run."""

    kind: ClassVar[str] = "condition"
    name: str
    check: Check

    def children(self) -> tuple[Check, ...]:
        return (self.check,)


def parse(raw: Any, path: KeyPath, reader: PackReader) -> Check:
    name = str(raw)
    found = reader.conditions.get(name)
    if found is None:
        known = ", ".join(sorted(reader.conditions)) or "none defined"
        reader.problem(path, f"unknown condition {name!r} (known: {known})")
        from engine.checks.combinators import AllCheck

        return AllCheck(())
    return ConditionCheck(name, found)


def evaluate(check: ConditionCheck, context: EvaluationContext) -> Outcome:
    # The check object itself is the key: two packs may use the same name differently.
    return context.memo(("condition", check.check), lambda: context.evaluate(check.check))


KIND = CheckKind(ConditionCheck, parse, evaluate)
