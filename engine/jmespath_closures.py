"""JMESPath ASTs compiled into Python closures, for speed.

jmespath.py parses expressions well but interprets them by walking the AST
on every call, which dominates manifest rules on a large repository (the
same `kind == 'Deployment'` runs against every document). This module turns
the AST that `jmespath.compile` produced into nested closures once, with the
interpreter's semantics kept exactly, including its quirks: ordering
comparisons on a string and a number raise TypeError, `!0` is false, `0` is
truthy, and functions are jmespath's own (`Functions.call_function`).
Node types it does not know fall back to jmespath's TreeInterpreter, so the
result is always what jmespath itself would give; tests/test_jmespath_closures.py
checks that on generated expressions and data.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from numbers import Number
from typing import Any, cast

from jmespath import functions, visitor

Closure = Callable[[Any], Any]

_FUNCTIONS = functions.Functions()
_ORDERING = {"lt": operator.lt, "gt": operator.gt, "lte": operator.le, "gte": operator.ge}


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, Number)


def _equals(left: Any, right: Any) -> bool:
    # 0 and 1 equal False and True in Python, but not in JMESPath.
    if _is_number(left) and left in (0, 1):
        return not isinstance(right, bool) and bool(left == right)
    if _is_number(right) and right in (0, 1):
        return not isinstance(left, bool) and bool(left == right)
    return bool(left == right)


def _comparable(value: Any) -> bool:
    return _is_number(value) or isinstance(value, str)


def is_false(value: Any) -> bool:
    """JMESPath falsiness: '', [], {}, null and false."""
    return value == "" or value == [] or value == {} or value is None or value is False


def compile_ast(node: dict[str, Any]) -> Closure:
    """A function of one document that returns what the AST evaluates to."""
    builder = _BUILDERS.get(node["type"])
    if builder is None:
        interpreter = visitor.TreeInterpreter()
        return lambda value: interpreter.visit(cast(Any, node), value)
    return builder(node)


def _chain(node: dict[str, Any]) -> Closure:
    """subexpression, index_expression and pipe: each child on the previous result."""
    steps = [compile_ast(child) for child in node["children"]]
    if len(steps) == 2:
        first, second = steps

        return lambda value: second(first(value))

    def run(value: Any) -> Any:
        for step in steps:
            value = step(value)
        return value

    return run


def _field(node: dict[str, Any]) -> Closure:
    name = node["value"]

    def field(value: Any) -> Any:
        try:
            return value.get(name)
        except AttributeError:
            return None

    return field


def _comparator(node: dict[str, Any]) -> Closure:
    left, right = (compile_ast(child) for child in node["children"])
    kind = node["value"]
    if kind == "eq":
        return lambda value: _equals(left(value), right(value))
    if kind == "ne":
        return lambda value: not _equals(left(value), right(value))
    compare = _ORDERING[kind]

    def ordering(value: Any) -> Any:
        a, b = left(value), right(value)
        if not (_comparable(a) and _comparable(b)):
            return None
        return compare(a, b)  # a string and a number raise TypeError, as in jmespath

    return ordering


def _literal(node: dict[str, Any]) -> Closure:
    constant = node["value"]
    return lambda value: constant


def _identity(node: dict[str, Any]) -> Closure:
    return lambda value: value


def _index(node: dict[str, Any]) -> Closure:
    position = node["value"]

    def index(value: Any) -> Any:
        if not isinstance(value, list):
            return None
        try:
            return value[position]
        except IndexError:
            return None

    return index


def _slice(node: dict[str, Any]) -> Closure:
    bounds = slice(*node["children"])
    return lambda value: value[bounds] if isinstance(value, list) else None


def _projection(node: dict[str, Any]) -> Closure:
    left, right = (compile_ast(child) for child in node["children"])

    def projection(value: Any) -> Any:
        base = left(value)
        if not isinstance(base, list):
            return None
        return [r for r in map(right, base) if r is not None]

    return projection


def _value_projection(node: dict[str, Any]) -> Closure:
    left, right = (compile_ast(child) for child in node["children"])

    def projection(value: Any) -> Any:
        base = left(value)
        try:
            values = base.values()
        except AttributeError:
            return None
        return [r for r in map(right, values) if r is not None]

    return projection


def _filter_projection(node: dict[str, Any]) -> Closure:
    left, right, condition = (compile_ast(child) for child in node["children"])

    def projection(value: Any) -> Any:
        base = left(value)
        if not isinstance(base, list):
            return None
        collected = []
        for element in base:
            if not is_false(condition(element)):
                current = right(element)
                if current is not None:
                    collected.append(current)
        return collected

    return projection


def _flatten(node: dict[str, Any]) -> Closure:
    child = compile_ast(node["children"][0])

    def flatten(value: Any) -> Any:
        base = child(value)
        if not isinstance(base, list):
            return None
        merged: list[Any] = []
        for element in base:
            if isinstance(element, list):
                merged.extend(element)
            else:
                merged.append(element)
        return merged

    return flatten


def _or(node: dict[str, Any]) -> Closure:
    left, right = (compile_ast(child) for child in node["children"])

    def either(value: Any) -> Any:
        matched = left(value)
        return right(value) if is_false(matched) else matched

    return either


def _and(node: dict[str, Any]) -> Closure:
    left, right = (compile_ast(child) for child in node["children"])

    def both(value: Any) -> Any:
        matched = left(value)
        return matched if is_false(matched) else right(value)

    return both


def _not(node: dict[str, Any]) -> Closure:
    child = compile_ast(node["children"][0])

    def negate(value: Any) -> Any:
        result = child(value)
        if _is_number(result) and result == 0:  # !0 is false: 0 is truthy in JMESPath
            return False
        return not result

    return negate


def _multi_select_list(node: dict[str, Any]) -> Closure:
    children = [compile_ast(child) for child in node["children"]]
    return lambda value: None if value is None else [child(value) for child in children]


def _multi_select_dict(node: dict[str, Any]) -> Closure:
    pairs = [(child["value"], compile_ast(child["children"][0])) for child in node["children"]]
    return lambda value: None if value is None else {key: f(value) for key, f in pairs}


def _function(node: dict[str, Any]) -> Closure:
    name = node["value"]
    arguments = [compile_ast(child) for child in node["children"]]
    call = _FUNCTIONS.call_function
    return lambda value: call(name, [argument(value) for argument in arguments])


def _expref(node: dict[str, Any]) -> Closure:
    # sort_by, max_by and friends call back into an interpreter with the AST.
    reference = visitor._Expression(node["children"][0], visitor.TreeInterpreter())
    return lambda value: reference


_BUILDERS: dict[str, Callable[[dict[str, Any]], Closure]] = {
    "subexpression": _chain,
    "index_expression": _chain,
    "pipe": _chain,
    "field": _field,
    "comparator": _comparator,
    "literal": _literal,
    "current": _identity,
    "identity": _identity,
    "index": _index,
    "slice": _slice,
    "projection": _projection,
    "value_projection": _value_projection,
    "filter_projection": _filter_projection,
    "flatten": _flatten,
    "or_expression": _or,
    "and_expression": _and,
    "not_expression": _not,
    "multi_select_list": _multi_select_list,
    "multi_select_dict": _multi_select_dict,
    "function_expression": _function,
    "expref": _expref,
}
