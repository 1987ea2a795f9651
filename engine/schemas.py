"""Validating packs and config files against the JSON Schemas in schemas/.

jsonschema is imported here only, and only for a file that is not valid:
engine/schema_subset.py answers for valid files, which are nearly all of them,
and jsonschema then words the problems (and has the last word on validity).
Built-in packs are validated by the test suite, not on every run.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from functools import cache
from typing import Any

from engine.errors import Location, Problem
from engine.model.documents import KeyPath
from engine.model.located import LocatedData
from engine.resources import schema_path
from engine.schema_subset import conforms


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema called `name` (rulepack, config or report)."""
    schema: dict[str, Any] = json.loads(schema_path(name).read_text(encoding="utf-8"))
    return schema


@cache
def validator(name: str) -> Any:
    """A validator of schema `name` for which numbers are JSON's: NaN and the infinities,
    which YAML (`.nan`, `.inf`) and Python's json module read, are not numbers."""
    import math

    from jsonschema import Draft202012Validator, validators

    checker = Draft202012Validator.TYPE_CHECKER

    def finite(kind: str) -> Callable[[Any, Any], bool]:
        def check(types: Any, instance: Any) -> bool:
            if isinstance(instance, float) and not math.isfinite(instance):
                return False
            return bool(checker.is_type(instance, kind))

        return check

    numbers = checker.redefine_many({"number": finite("number"), "integer": finite("integer")})
    kind = validators.extend(Draft202012Validator, type_checker=numbers)  # type: ignore[no-untyped-call]
    return kind(load_schema(name))


def _allowed_keys(schema: dict[str, Any], root: dict[str, Any]) -> list[str]:
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return _allowed_keys(target, root)
    return list(schema.get("properties", {}))


def validation_errors(data: Any, name: str) -> list[Any]:
    """jsonschema's errors of `data` against schema `name` (ValidationError), in its
    order; none, without importing jsonschema, when schema_subset finds it valid."""
    if conforms(data, load_schema(name)):
        return []
    return list(validator(name).iter_errors(data))


def schema_problems(
    located: LocatedData,
    name: str,
    rule_at: Callable[[KeyPath], tuple[str | None, KeyPath]] | None = None,
) -> list[tuple[KeyPath, Problem]]:
    """Every place where `located.data` breaks schema `name`: its path and the problem.

    `rule_at(path)` names the rule a path is in and the path within that rule,
    so messages read `rule r1: severity: ...` rather than `rules.3.severity`.
    """
    errors = validation_errors(located.data, name)
    if not errors:
        return []
    from jsonschema.exceptions import best_match

    root = load_schema(name)
    problems: list[tuple[KeyPath, Problem]] = []
    for error in errors:
        if error.validator in ("anyOf", "oneOf") and error.context:
            error = best_match(error.context) or error
        path: KeyPath = tuple(error.absolute_path)
        rule, shown = rule_at(path) if rule_at else (None, path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = _allowed_keys(error.schema, root)
            for key in sorted(set(error.instance) - set(allowed), key=str):
                position = located.position((*path, key), key=True)
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
                where = f" in {_dotted(shown)}" if shown else ""
                message = f"unknown key {key!r}{where}{suggestion}"
                problems.append((path, Problem(message, _location(located.file, position), rule)))
            continue
        position = located.position(path)
        where = _dotted(shown) or ("" if rule is not None else "(top level)")
        said = error.message
        if error.validator == "type" and _not_finite(error.instance):
            said = f"{error.instance!r} is not a number (NaN and infinities are not)"
        message = f"{where}: {said}" if where else said  # `rule r: ...`
        problems.append((path, Problem(message, _location(located.file, position), rule)))
    problems.sort(key=lambda item: _sort_key(item[1]))
    return problems


def _not_finite(value: Any) -> bool:
    import math

    return isinstance(value, float) and not math.isfinite(value)


def _dotted(path: KeyPath) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _sort_key(problem: Problem) -> tuple[int, int]:
    if problem.location is None:
        return (0, 0)
    return (problem.location.line or 0, problem.location.column or 0)


def _location(file: str, position: tuple[int, int] | None) -> Location:
    return Location(file, *position) if position else Location(file)
