"""What a check kind provides to the registry in engine/checks/__init__.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from engine.checks.reader import PackReader
from engine.context import EvaluationContext
from engine.model.documents import KeyPath
from engine.model.packs import Check
from engine.model.results import Outcome


@dataclass(frozen=True)
class CheckKind:
    """A key a pack can use in `check:` and `when:`, with its parser and evaluator.

    The key is the check class's `kind`. `parse(raw, path, reader)` receives the
    value under the key (already valid against the kind's schema, for packs the
    loader validates, and proven valid by the test suite for the built-in ones);
    `evaluate(check, context)` receives the object `parse` built. `facts` names
    what the kind's findings tell a `message:` template, beside the common ones.
    The kind's JSON Schema is engine/checks/<key>.schema.json, which
    `python -m engine.schemagen` writes into schemas/rulepack.schema.json.
    """

    check_type: type[Check]
    parse: Callable[[Any, KeyPath, PackReader], Check]
    evaluate: Callable[[Any, EvaluationContext], Outcome]
    facts: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.check_type.kind

    @cached_property
    def schema(self) -> dict[str, Any]:
        """The JSON Schema of the value under the key."""
        path = Path(__file__).with_name(f"{self.key}.schema.json")
        fragment: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return fragment
