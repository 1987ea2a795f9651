"""What a check kind provides to the registry in engine/checks/__init__.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.checks.reader import PackReader
from engine.context import EvaluationContext
from engine.model.documents import KeyPath
from engine.model.packs import Check
from engine.model.results import Outcome


@dataclass(frozen=True)
class CheckKind:
    """A key a pack can use in `check:` and `when:`, with its parser and evaluator.

    `parse(raw, path, reader)` receives the value under the key; `evaluate(check,
    context)` receives the object `parse` built. `facts` names what the kind's
    findings tell a `message:` template (engine/messages.py), beside the common ones.
    """

    key: str
    parse: Callable[[Any, KeyPath, PackReader], Check]
    evaluate: Callable[[Any, EvaluationContext], Outcome]
    facts: tuple[str, ...] = ()
