"""The closure compiler must agree with jmespath's own interpreter, quirks included."""

from __future__ import annotations

from typing import Any

import jmespath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.jmespath_closures import compile_ast

EXPRESSIONS = [
    "a",
    "a.b",
    "a.b.c",
    "a[0]",
    "a[-1]",
    "a[1:3]",
    "a[::-1]",
    "a[*].b",
    "a[].b",
    "a[]",
    "a[*]",
    "a.*",
    "a.*.b",
    "*.b",
    "a[?b == `1`]",
    "a[?b > `1`].c",
    "a[?!b]",
    "a[?b && c]",
    "a || b",
    "a && b",
    "!a",
    "!(a.b)",
    "!a.b",
    "a == b",
    "a != b",
    "a < b",
    "a <= `2`",
    "a >= b",
    "a > `0`",
    "[a, b]",
    "{x: a, y: b.c}",
    "a | [0]",
    "a[].b | [0]",
    "@",
    "`null`",
    "'lit'",
    "`[1, 2]`",
    "length(a)",
    "length(@)",
    "keys(@)",
    "contains(a, `1`)",
    "sort_by(a, &b)",
    "max_by(a, &b)",
    "a[?contains(b, 'x')]",
    "not_null(a, b, `3`)",
    "to_number(a)",
    "type(a)",
    "a == `0`",
    "a == `false`",
    "a != `true`",
    "b == `1`",
    "starts_with(a, 'x')",
    "join(',', a)",
    "a[?b].c[0]",
    "a.b[*].c.d",
    "[a, b][]",
    "length([?kind == 'X']) > `0`",
    "[?kind == 'X'].metadata.name",
]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(-3, 3, allow_nan=False),
    st.sampled_from(["", "x", "ab", "X", "1"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["a", "b", "c", "d", "kind", "metadata", "name"]), inner, max_size=4
        ),
    ),
    max_leaves=12,
)


def outcome(function: Any, data: Any) -> tuple[str, Any]:
    try:
        return ("value", function(data))
    except Exception as exc:  # both sides must fail the same way
        return ("raises", type(exc).__name__)


@pytest.mark.parametrize("expression", EXPRESSIONS)
@settings(max_examples=60, deadline=None)
@given(data=json_values)
def test_closures_agree_with_the_interpreter(expression: str, data: Any) -> None:
    parsed = jmespath.compile(expression)
    compiled = compile_ast(parsed.parsed)
    assert outcome(compiled, data) == outcome(parsed.search, data)


def test_mixed_type_ordering_raises_like_jmespath() -> None:
    compiled = compile_ast(jmespath.compile("a > `1`").parsed)
    with pytest.raises(TypeError):
        compiled({"a": "2"})
