"""Whether a document meets one of rulepack's own schemas, answered without jsonschema.

Importing jsonschema (with referencing, attrs, rpds and the meta-schemas it
loads) takes longer than judging a small repository, and nearly every file it
is asked about is valid: a pack being edited, a config, a waiver file. This
module answers "valid or not" for the JSON Schema 2020-12 keywords the
schemas in schemas/ use, over JSON's own values (dicts with string keys,
lists, strings, ints, finite or not floats, booleans, None), with the same
meaning jsonschema gives them, including the engine's rule that NaN and the
infinities are not numbers (engine/schemas.py). It answers None when it cannot
be sure: a schema with a keyword it does not read, or a value of another type
where a keyword would look at it. engine/schemas.py then asks jsonschema,
which also words the problems of a file that is not valid.

Held to jsonschema by tests/test_schema_subset.py: a differential over
documents generated from each schema and mutated, both answers compared.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

#: Keywords that do not change whether a document is valid. `format` is one: the
#: engine's validators are built without a format checker, so formats only annotate.
ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "format",
    }
)

_PLAIN = (dict, list, str, int, float, bool, type(None))


class _Unsure(Exception):
    """A value this module does not judge (a tuple, a date, a Decimal, a key that
    is not a string): jsonschema's type checks and equality are its to answer."""


def supported(schema: Any) -> bool:
    """Whether every keyword of `schema` and its sub-schemas is one this module reads."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict) or not set(schema) <= ASSERTIONS | ANNOTATIONS:
        return False
    nested: list[Any] = [
        *schema.get("properties", {}).values(),
        *schema.get("$defs", {}).values(),
        *schema.get("allOf", ()),
        *schema.get("anyOf", ()),
        *schema.get("oneOf", ()),
    ]
    nested += [schema[key] for key in ("items", "propertyNames", "not") if key in schema]
    if not isinstance(schema.get("additionalProperties", False), bool):
        nested.append(schema["additionalProperties"])
    ref = schema.get("$ref")
    if ref is not None and not (isinstance(ref, str) and ref.startswith("#/")):
        return False  # only pointers into the same document
    return all(supported(sub) for sub in nested)


def conforms(instance: Any, schema: Mapping[str, Any]) -> bool | None:
    """Whether `instance` is valid against `schema` (a root schema), as jsonschema's
    2020-12 validator with finite numbers says; None when this module cannot say."""
    if not supported(schema):
        return None
    try:
        return _valid(instance, schema, schema)
    except _Unsure:
        return None


def _valid(instance: Any, schema: Any, root: Mapping[str, Any]) -> bool:
    if schema is True:
        return True
    if schema is False:
        return False
    if type(instance) not in _PLAIN:
        raise _Unsure
    return all(
        _KEYWORDS[key](instance, value, schema, root)
        for key, value in schema.items()
        if key in _KEYWORDS
    )


def is_type(instance: Any, kind: str) -> bool:
    """jsonschema's 2020-12 type check, with NaN and the infinities not numbers."""
    if kind == "object":
        return isinstance(instance, dict)
    if kind == "array":
        return isinstance(instance, list)
    if kind == "string":
        return isinstance(instance, str)
    if kind == "boolean":
        return isinstance(instance, bool)
    if kind == "null":
        return instance is None
    if isinstance(instance, bool):
        return False
    if isinstance(instance, float):
        return math.isfinite(instance) and (kind == "number" or instance.is_integer())
    return isinstance(instance, int) and kind in ("number", "integer")


def equal(one: Any, two: Any) -> bool:
    """jsonschema's equality of JSON values: `True` is not `1`, `1` is `1.0`, and
    containers compare item by item by the same rule."""
    if one is two:
        return True
    if type(one) not in _PLAIN or type(two) not in _PLAIN:
        raise _Unsure
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(k in two and equal(v, two[k]) for k, v in one.items())
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    return bool(one == two)


def _keys(instance: dict[Any, Any]) -> dict[Any, Any]:
    if not all(type(key) is str for key in instance):
        raise _Unsure
    return instance


def _pointer(ref: str, root: Mapping[str, Any]) -> Any:
    target: Any = root
    try:
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
    except (KeyError, TypeError, IndexError):
        raise _Unsure from None  # jsonschema's to report
    return target


def _ref(instance: Any, ref: str, schema: Any, root: Mapping[str, Any]) -> bool:
    return _valid(instance, _pointer(ref, root), root)


def _type(instance: Any, kind: str | list[str], schema: Any, root: Mapping[str, Any]) -> bool:
    kinds = [kind] if isinstance(kind, str) else kind
    return any(is_type(instance, each) for each in kinds)


def _enum(instance: Any, values: list[Any], schema: Any, root: Mapping[str, Any]) -> bool:
    return any(equal(each, instance) for each in values)


def _const(instance: Any, value: Any, schema: Any, root: Mapping[str, Any]) -> bool:
    return equal(instance, value)


def _properties(instance: Any, properties: dict[str, Any], schema: Any, root: Any) -> bool:
    if not isinstance(instance, dict):
        return True
    instance = _keys(instance)
    return all(_valid(instance[k], sub, root) for k, sub in properties.items() if k in instance)


def _additional(instance: Any, additional: Any, schema: Any, root: Mapping[str, Any]) -> bool:
    if not isinstance(instance, dict):
        return True
    known = schema.get("properties", {})
    extra = [key for key in _keys(instance) if key not in known]
    return all(_valid(instance[key], additional, root) for key in extra)


def _required(instance: Any, names: list[str], schema: Any, root: Mapping[str, Any]) -> bool:
    return not isinstance(instance, dict) or all(name in _keys(instance) for name in names)


def _dependent(instance: Any, needs: dict[str, list[str]], schema: Any, root: Any) -> bool:
    if not isinstance(instance, dict):
        return True
    instance = _keys(instance)
    return all(
        all(each in instance for each in needed)
        for name, needed in needs.items()
        if name in instance
    )


def _names(instance: Any, names: Any, schema: Any, root: Mapping[str, Any]) -> bool:
    return not isinstance(instance, dict) or all(_valid(k, names, root) for k in _keys(instance))


def _items(instance: Any, items: Any, schema: Any, root: Mapping[str, Any]) -> bool:
    return not isinstance(instance, list) or all(_valid(item, items, root) for item in instance)


def _unique(instance: Any, unique: bool, schema: Any, root: Mapping[str, Any]) -> bool:
    if not unique or not isinstance(instance, list):
        return True
    if not all(type(item) is str for item in instance):
        raise _Unsure  # jsonschema sorts mixed values before comparing neighbours
    return len(set(instance)) == len(instance)


def _pattern(instance: Any, pattern: str, schema: Any, root: Mapping[str, Any]) -> bool:
    # jsonschema searches with Python's re, unanchored: so does this
    return not isinstance(instance, str) or re.search(pattern, instance) is not None


#: A keyword's judge: (instance, the keyword's value, the schema, the root) -> valid.
Judge = Callable[[Any, Any, Any, Mapping[str, Any]], bool]


def _bound(kind: str, measure: Callable[[Any], Any], holds: Callable[[Any, Any], bool]) -> Judge:
    """The judge of a bound keyword (`minItems`, `maximum`, ...): whether `measure` of an
    instance of JSON type `kind` `holds` against the keyword's value; others pass."""

    def judge(instance: Any, bound: Any, schema: Any, root: Mapping[str, Any]) -> bool:
        return not is_type(instance, kind) or holds(measure(instance), bound)

    return judge


def _itself(value: Any) -> Any:
    return value


def _all_of(instance: Any, schemas: list[Any], schema: Any, root: Mapping[str, Any]) -> bool:
    return all(_valid(instance, sub, root) for sub in schemas)


def _any_of(instance: Any, schemas: list[Any], schema: Any, root: Mapping[str, Any]) -> bool:
    return any(_valid(instance, sub, root) for sub in schemas)


def _one_of(instance: Any, schemas: list[Any], schema: Any, root: Mapping[str, Any]) -> bool:
    return sum(_valid(instance, sub, root) for sub in schemas) == 1


def _not(instance: Any, sub: Any, schema: Any, root: Mapping[str, Any]) -> bool:
    return not _valid(instance, sub, root)


_KEYWORDS: dict[str, Judge] = {
    "$ref": _ref,
    "type": _type,
    "enum": _enum,
    "const": _const,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "dependentRequired": _dependent,
    "propertyNames": _names,
    "minProperties": _bound("object", len, operator.ge),
    "maxProperties": _bound("object", len, operator.le),
    "items": _items,
    "minItems": _bound("array", len, operator.ge),
    "maxItems": _bound("array", len, operator.le),
    "uniqueItems": _unique,
    "minLength": _bound("string", len, operator.ge),
    "maxLength": _bound("string", len, operator.le),
    "pattern": _pattern,
    "minimum": _bound("number", _itself, operator.ge),
    "maximum": _bound("number", _itself, operator.le),
    "exclusiveMinimum": _bound("number", _itself, operator.gt),
    "exclusiveMaximum": _bound("number", _itself, operator.lt),
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
}
#: Keywords this module judges by.
ASSERTIONS = frozenset(_KEYWORDS)
