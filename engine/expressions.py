"""JMESPath expressions as packs use them: compiled once, evaluated safely, explained.

jmespath.py raises plain TypeError when a comparison mixes types and
JMESPathTypeError when a function gets null; both become `ExpressionError`
so that a check can make its rule `error` instead of treating it as false.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # jmespath is imported when an expression is first compiled or run
    from engine.jmespath_closures import Closure

#: The longest expression a pack may write, in characters (jmespath.py reads long
#: literals in quadratic time: 4 s for one of 437 KB).
MAX_EXPRESSION_CHARS = 16_384
#: The longest literal (`` `[...]` `` or `'...'`) an expression may hold, in characters.
MAX_LITERAL_CHARS = 8_192
#: How deep an expression's parts may nest (`!`, parentheses, filters, functions...).
MAX_NESTING = 50

_COMPARATORS = {"eq": "==", "ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_KEYWORD_FIELDS = {"null", "true", "false"}


class ExpressionError(Exception):
    """An expression that failed on a particular document."""


class Expression:
    """A compiled JMESPath expression and the text it came from; equal by text.

    One read back from the loaded-pack cache holds only its text and compiles it
    on first use: a run on a small repository evaluates few of a pack's
    expressions, and compiling them all again would cost more than the run.
    """

    __slots__ = ("_parsed", "_run", "text")

    def __init__(self, text: str, parsed: Any = None, run: Closure | None = None) -> None:
        self.text = text
        self._parsed = parsed  # jmespath's ParsedResult (the AST)
        self._run = run  # the AST as closures (fast)

    @property
    def parsed(self) -> Any:
        if self._parsed is None:
            import jmespath

            # The text compiled once when the pack was built, so it cannot fail now.
            self._parsed = jmespath.compile(self.text)
        return self._parsed

    @property
    def run(self) -> Closure:
        if self._run is None:
            from engine.jmespath_closures import compile_ast

            self._run = compile_ast(cast(Any, self.parsed.parsed))
        return self._run

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"Expression(text={self.text!r})"

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Pickled as its text (the loaded-pack cache): closures do not pickle.
        return Expression, (self.text,)

    def search(self, data: Any) -> Any:
        """Evaluate against `data`; raises ExpressionError on a run-time type error."""
        try:
            return self.run(data)
        except Exception as exc:
            if not isinstance(exc, evaluation_errors()):
                raise
            raise ExpressionError(f"`{self.text}` cannot be evaluated here: {exc}") from None

    def focus(self) -> list[str]:
        """The fields the expression is about, for pointing a finding at a line:
        `spec.replicas >= `2`` -> ["spec", "replicas"]; [] when it is not that simple."""
        node = self.parsed.parsed
        while node["type"] in ("comparator", "not_expression"):
            node = node["children"][0]
        return field_path(node) or []

    def explain(self, data: Any) -> str:
        """Why the expression is not truthy for `data`, naming the values involved."""
        return explain(self.parsed.parsed, data) or f"`{self.text}` is {render(self.search(data))}"


@cache
def evaluation_errors() -> tuple[type[Exception], ...]:
    """What evaluating an expression raises when it cannot be evaluated on a document."""
    from jmespath.exceptions import JMESPathError

    return (JMESPathError, TypeError, ValueError)


def compile_expression(text: str) -> Expression:
    """Compile a JMESPath expression; raises ValueError naming the column at fault."""
    import jmespath
    from jmespath import exceptions as jmespath_errors

    from engine.jmespath_closures import compile_ast

    if len(text) > MAX_EXPRESSION_CHARS:
        raise ValueError(
            f"JMESPath `{text}` is {len(text):,} characters long; "
            f"an expression may have at most {MAX_EXPRESSION_CHARS:,}"
        )
    try:
        _check_literals(text)
        parsed = jmespath.compile(text)
    except RecursionError:
        raise ValueError(f"JMESPath `{text}` nests more than {MAX_NESTING} levels deep") from None
    except jmespath_errors.IncompleteExpressionError:
        raise ValueError(f"invalid JMESPath `{text}`: the expression ends too early") from None
    except jmespath_errors.LexerError as exc:
        column = (exc.lex_position or 0) + 1
        raise ValueError(f"invalid JMESPath `{text}` at column {column}: {exc.message}") from None
    except jmespath_errors.ParseError as exc:
        column = (exc.lex_position or 0) + 1
        token = f"{exc.token_value!r}" if exc.token_value not in (None, "") else "the end"
        raise ValueError(
            f"invalid JMESPath `{text}` at column {column}: unexpected {token}"
        ) from None
    except jmespath_errors.JMESPathError as exc:
        raise ValueError(f"invalid JMESPath `{text}`: {exc}") from None
    if _depth(cast(Any, parsed.parsed)) > MAX_NESTING:
        raise ValueError(f"JMESPath `{text}` nests more than {MAX_NESTING} levels deep")
    return Expression(text, parsed, compile_ast(cast(Any, parsed.parsed)))


def _check_literals(text: str) -> None:
    """Refuse a literal past MAX_LITERAL_CHARS before jmespath.py spends its time on it."""
    from jmespath.lexer import Lexer

    for token in Lexer().tokenize(text):
        if token["type"] != "literal":
            continue
        size = _literal_size(text, token["start"])
        if size > MAX_LITERAL_CHARS:
            raise ValueError(
                f"JMESPath `{text}` at column {token['start'] + 1}: a literal of {size:,} "
                f"characters; a literal may have at most {MAX_LITERAL_CHARS:,}"
            )


def _literal_size(text: str, start: int) -> int:
    """The characters between the quotes of the literal that starts at `start`."""
    quote, end = text[start], start + 1
    while end < len(text) and text[end] != quote:
        end += 2 if text[end] == "\\" else 1
    return end - start - 1


def _depth(root: dict[str, Any]) -> int:
    """How deep an AST nests (counted without recursion: the tree may be deep)."""
    deepest = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend(
            (child, depth + 1) for child in node.get("children", ()) if isinstance(child, dict)
        )
    return deepest


def truthy(value: Any) -> bool:
    """JMESPath truthiness: false, null, '', [] and {} are false; 0 is true."""
    if value is None or value is False:
        return False
    if isinstance(value, str | list | dict):
        return len(value) > 0
    return True


def render(value: Any) -> str:
    """A value as it appears in a message: JSON, shortened."""
    if value is None:
        return "missing"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def source_text(node: dict[str, Any]) -> str | None:
    """Write simple AST nodes back as JMESPath text (fields, paths, indexes, literals)."""
    kind = node["type"]
    if kind == "field":
        name = str(node["value"])
        return (
            name if name.replace("_", "a").isalnum() and not name[0].isdigit() else json.dumps(name)
        )
    if kind == "subexpression":
        parts = [source_text(child) for child in node["children"]]
        return None if None in parts else ".".join(p for p in parts if p)
    if kind == "index_expression":
        left, right = (source_text(child) for child in node["children"])
        return None if left is None or right is None else f"{left}{right}"
    if kind == "index":
        return f"[{node['value']}]"
    if kind == "literal":
        return json.dumps(node["value"])
    if kind == "current":
        return "@"
    return None


def field_path(node: dict[str, Any]) -> list[str] | None:
    """The field names of a plain path (`a.b."c-d"`), or None for anything else."""
    if node["type"] == "field":
        return [str(node["value"])]
    if node["type"] == "subexpression":
        parts = [field_path(child) for child in node["children"]]
        if any(part is None for part in parts):
            return None
        return [name for part in parts if part for name in part]
    return None


def explain(node: dict[str, Any], data: Any) -> str | None:
    """A sentence for a failed comparison or path, or None when there is no better one."""
    from engine.jmespath_closures import compile_ast

    try:
        if node["type"] == "comparator":
            left, right = node["children"]
            left_text = source_text(left)
            if left_text is None:
                return None
            left_value = compile_ast(left)(data)
            right_value = compile_ast(right)(data)
            expected = f"{_COMPARATORS.get(node['value'], node['value'])} {render(right_value)}"
            if right_value is None:
                expected = f"{_COMPARATORS.get(node['value'], node['value'])} null"
            return f"{left_text} is {render(left_value)}, expected {expected}"
        text = source_text(node)
        if text is not None:
            return f"{text} is {render(compile_ast(node)(data))}"
    except evaluation_errors():
        return None
    return None


def lint(expression: Expression) -> list[str]:
    """Warnings about expressions that parse but rarely mean what they say."""
    warnings: list[str] = []

    def visit(node: dict[str, Any]) -> None:
        children = node.get("children", [])
        if node["type"] in ("subexpression", "index_expression") and children:
            first = children[0]
            if first.get("type") == "not_expression":
                inner = source_text(first["children"][0]) or "a"
                rest = source_text(children[1]) or "b"
                warnings.append(
                    f"`!{inner}.{rest}` means `(!{inner}).{rest}`; write `!({inner}.{rest})`"
                )
        if node["type"] == "field" and node.get("value") in _KEYWORD_FIELDS:
            word = node["value"]
            warnings.append(
                f"`{word}` here is a field named {word!r}; the literal is `{word}` in backticks"
            )
        for child in children:
            if isinstance(child, dict):
                visit(child)

    visit(expression.parsed.parsed)
    return warnings
