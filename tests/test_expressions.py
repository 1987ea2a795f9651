"""JMESPath as packs use it: truthiness, explanations that name values, lint warnings."""

from __future__ import annotations

import pytest

from engine.expressions import ExpressionError, compile_expression, lint, render, truthy


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), (False, False), ("", False), ([], False), ({}, False),
     (0, True), (0.0, True), ("0", True), ([0], True), ({"a": None}, True), (True, True)],
)  # fmt: skip
def test_jmespath_truthiness(value: object, expected: bool) -> None:
    assert truthy(value) is expected


@pytest.mark.parametrize(
    ("text", "data", "why"),
    [
        ("spec.replicas >= `2`", {"spec": {"replicas": 1}}, "spec.replicas is 1, expected >= 2"),
        ("spec.replicas >= `2`", {}, "spec.replicas is missing, expected >= 2"),
        ("image != 'latest'", {"image": "latest"}, 'image is "latest", expected != "latest"'),
        ("a.b == c", {"a": {"b": 1}}, "a.b is 1, expected == null"),
        ('"rust-version"', {}, '"rust-version" is missing'),
        ("items[0].name", {"items": [{"name": ""}]}, 'items[0].name is ""'),
        ("length(@) > `1`", [1], "`length(@) > `1`` is false"),
        ("!enabled", {"enabled": True}, "`!enabled` is false"),
    ],
)
def test_explanations_name_the_values(text: str, data: object, why: str) -> None:
    expression = compile_expression(text)
    assert not truthy(expression.search(data))
    assert expression.explain(data) == why


def test_long_values_are_shortened() -> None:
    assert render("x" * 200) == '"' + "x" * 76 + "..."
    assert render({"b": 1, "a": [1, 2]}) == '{"a": [1, 2], "b": 1}'


@pytest.mark.parametrize(
    ("text", "data"),
    [("a > `1`", {"a": "x"}), ("length(a)", {}), ("contains(a, `1`)", {"a": 3})],
)
def test_type_errors_are_expression_errors(text: str, data: object) -> None:
    with pytest.raises(ExpressionError, match=r"cannot be evaluated here"):
        compile_expression(text).search(data)


@pytest.mark.parametrize(
    ("text", "warnings"),
    [
        ("!a.b", ["`!a.b` means `(!a).b`; write `!(a.b)`"]),
        ("!(a.b)", []),
        ("!metadata.labels[0]", ["`!metadata.labels[0]` means `(!metadata).labels[0]`; "
                                 "write `!(metadata.labels[0])`"]),
        ("enabled == true", ["`true` here is a field named 'true'; "
                             "the literal is `true` in backticks"]),
        ("enabled == `true`", []),
        ("a == null", ["`null` here is a field named 'null'; the literal is `null` in backticks"]),
    ],
)  # fmt: skip
def test_lint_warnings(text: str, warnings: list[str]) -> None:
    assert lint(compile_expression(text)) == warnings


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a ==", "invalid JMESPath `a ==`: the expression ends too early"),
        ("a[", "invalid JMESPath `a[`: the expression ends too early"),
        ("a == == b", "invalid JMESPath `a == == b` at column 6: unexpected '=='"),
        ("a ~ b", "invalid JMESPath `a ~ b` at column 3: Unknown token ~"),
    ],
)
def test_compile_errors_name_the_column(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        compile_expression(text)
    assert str(caught.value) == message


def test_an_expression_read_back_from_the_pack_cache_answers_as_the_original() -> None:
    import pickle

    original = compile_expression("spec.replicas >= `2` && kind == 'Deployment'")
    kept = pickle.loads(pickle.dumps(original))
    assert kept == original and hash(kept) == hash(original)
    assert repr(kept) == "Expression(text=\"spec.replicas >= `2` && kind == 'Deployment'\")"
    document = {"kind": "Deployment", "spec": {"replicas": 1}}
    assert kept.search(document) is original.search(document) is False
    assert kept.explain(document) == original.explain(document)
    assert kept.focus() == original.focus()
