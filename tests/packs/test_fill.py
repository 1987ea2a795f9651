"""A parameter filled into a field stays a value: proven against jmespath, /bin/sh and re."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jmespath
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.expressions import compile_expression
from engine.packs import fill

HOSTILE = [
    "`",
    "\\`",
    "\\",
    "'",
    "\\'",
    '"',
    '\\"',
    "` || `true",
    "5` || `true",
    "' || 'x",
    '" || "x',
    "||",
    "&&",
    "]",
    "[",
    "{",
    "}}",
    ")",
    "\n",
    "é",
    "☃",
    "{{ v }}",
    "$(touch MARKER)",
    "; touch MARKER",
    "`touch MARKER`",
    "\ntouch MARKER\n",
    "'; touch MARKER; '",
    '"; touch MARKER; "',
    "${IFS}",
    "*",
]

# Text as YAML or the command line can carry it (no lone surrogates, no NUL).
_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\0")
TEXTS = st.lists(st.sampled_from(HOSTILE) | st.text(_CHARS, max_size=6), max_size=5).map("".join)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXTS
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXTS, inner, max_size=3),
    max_leaves=6,
)


# -- JMESPath ------------------------------------------------------------------------------


def _leaves(node: Any) -> list[Any]:
    """The values of literal and field nodes, in order: what a parameter could become."""
    found = [node["value"]] if node.get("type") in ("literal", "field") else []
    for child in node.get("children", []):
        if isinstance(child, dict):
            found += _leaves(child)
    return found


def _shape(node: Any) -> Any:
    """The AST with the values of literals and fields left out."""
    if not isinstance(node, dict):
        return node
    return {
        key: ([_shape(c) for c in value] if key == "children" else value)
        for key, value in node.items()
        if not (key == "value" and node.get("type") in ("literal", "field"))
    }


text = fill.as_text

#: A template, and the literal and field values its AST holds for parameter value `v`.
TEMPLATES: list[tuple[str, Callable[[Any], list[Any]]]] = [
    ("spec.replicas >= `{{ v }}`", lambda v: ["spec", "replicas", v]),
    ("a == {{ v }}", lambda v: ["a", v]),
    ("{{ v }}", lambda v: [v]),
    ("[?name == '{{ v }}'].x", lambda v: ["x", "name", text(v)]),
    ("'a\\'b {{ v }}!'", lambda v: [f"a'b {text(v)}!"]),
    ('"{{ v }}".x', lambda v: [text(v), "x"]),
    ('a."x-{{ v }}"', lambda v: ["a", f"x-{text(v)}"]),
    ("contains(tags, `{{ v }}`) || b", lambda v: ["tags", v, "b"]),
    ("`[{{ v }}, 1]`", lambda v: [[v, 1]]),
    ('`"pre-{{ v }}-post"`', lambda v: [f"pre-{text(v)}-post"]),
    ('`{"k": {{ v }}, "t": "{{ v }}"}`', lambda v: [{"k": v, "t": text(v)}]),
    ("!({{ v }} && x)", lambda v: [v, "x"]),
    ("{a: `{{ v }}`, b: '{{ v }}'}", lambda v: [v, text(v)]),
    ("items[?`{{ v }}` == '{{ v }}' || \"{{ v }}\"]", lambda v: ["items", v, text(v), text(v)]),
]
SENTINEL = "sentinel"


@settings(max_examples=100, deadline=None)
@given(value=VALUES)
def test_a_value_in_jmespath_keeps_the_expression_s_shape_and_is_itself(value: Any) -> None:
    for template, expected in TEMPLATES:
        filled = fill.jmespath(template, {"v": value})
        reference = jmespath.compile(fill.jmespath(template, {"v": SENTINEL})).parsed
        parsed = jmespath.compile(filled).parsed
        assert _shape(parsed) == _shape(reference), template
        assert _leaves(parsed) == expected(value), template
        compile_expression(filled)  # the engine reads it as jmespath does


@settings(max_examples=100, deadline=None)
@given(value=VALUES)
def test_a_literal_evaluates_to_exactly_the_value(value: Any) -> None:
    data = {text(value): "the field"}
    assert jmespath.search(fill.jmespath("`{{ v }}`", {"v": value}), {}) == value
    assert jmespath.search(fill.jmespath("{{ v }}", {"v": value}), {}) == value
    assert jmespath.search(fill.jmespath("'{{ v }}'", {"v": value}), {}) == text(value)
    assert jmespath.search(fill.jmespath('"{{ v }}"', {"v": value}), data) == "the field"
    expression = compile_expression(fill.jmespath("[`{{ v }}`, '{{ v }}']", {"v": value}))
    assert expression.search({}) == [value, text(value)]


def test_the_issue_s_value_stays_one_literal() -> None:
    filled = fill.jmespath("spec.replicas >= `{{ n }}`", {"n": "5` || `true"})
    assert filled == 'spec.replicas >= `"5\\` || \\`true"`'
    assert jmespath.compile(filled).parsed["children"][1] == {
        "type": "literal",
        "value": "5` || `true",
        "children": [],
    }


def test_a_number_in_a_longer_literal_is_its_json() -> None:
    # the testing pack's coverage threshold: `80e-2`
    assert fill.jmespath("x >= `{{ n }}e-2`", {"n": 80}) == "x >= `80e-2`"


@pytest.mark.parametrize("template", ['"a\\{{ v }}"', '`"a\\{{ v }}"`'])
def test_a_backslash_right_before_a_placeholder_is_refused(template: str) -> None:
    with pytest.raises(fill.FillError, match=r"a `\\` right before \{\{ v \}\}"):
        fill.jmespath(template, {"v": '"'})


def test_an_unclosed_token_is_left_unfilled() -> None:
    # jmespath rejects it; filled, a quote in the value could close it
    assert fill.jmespath("a == 'x {{ v }}", {"v": "' || `true`"}) == "a == 'x {{ v }}"


# -- shell ---------------------------------------------------------------------------------


def words(value: Any) -> list[str]:
    """The words a value is outside quotes: one per item of a list."""
    return [text(v) for v in value] if isinstance(value, list) else [text(value)]


def _joined(value: Any) -> str:
    return "".join(words(value)).rstrip("\n")  # $(...) drops the trailing newlines


def _glued(value: Any) -> list[str]:
    first, *rest = words(value) or [""]
    return [f"--x={first}", *rest]


#: A template (printing each argument followed by NUL) and the arguments for value `v`.
SHELL_TEMPLATES: list[tuple[str, Callable[[Any], list[str]]]] = [
    ("printf '%s\\0' start {{ v }} end", lambda v: ["start", *words(v), "end"]),
    ("printf '%s\\0' --x={{ v }}", _glued),
    ("printf '%s\\0' \"a {{ v }} b\"", lambda v: [f"a {text(v)} b"]),
    ("printf '%s\\0' 'a {{ v }} b'", lambda v: [f"a {text(v)} b"]),
    ("printf '%s\\0' \"$(printf '%s' {{ v }})\"", lambda v: [_joined(v)]),
    (
        "printf '%s\\0' \"x$(printf '%s' \"{{ v }}\")y\"",
        lambda v: ["x" + text(v).rstrip("\n") + "y"],
    ),
    ("printf '%s\\0' $(true) '(' {{ v }}  # {{ v }}", lambda v: ["(", *words(v)]),
]


def _run_shell(script: str, variables: dict[str, str], cwd: Path) -> list[str]:
    done = subprocess.run(
        ["/bin/sh", "-c", script],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", **variables},
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8").split("\0")[:-1]


@pytest.mark.parametrize(
    ("template", "expected"), SHELL_TEMPLATES, ids=[t for t, _ in SHELL_TEMPLATES]
)
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.lists(TEXTS, max_size=3) | SCALARS)
def test_a_value_in_shell_is_received_exactly_and_runs_nothing(
    template: str, expected: Callable[[Any], list[str]], value: Any, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    value = _aimed(value, marker)
    script, variables = fill.shell(template, {"v": value})
    assert _run_shell(script, variables, tmp_path) == expected(value)
    assert not marker.exists()


def _aimed(value: Any, marker: Path) -> Any:
    """`value` with its MARKER aimed at `marker`."""
    if isinstance(value, str):
        return value.replace("MARKER", str(marker))
    if isinstance(value, list):
        return [_aimed(v, marker) for v in value]
    return value


def test_inside_a_here_document_a_value_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    script, variables = fill.shell("cat <<EOF\n{{ v }}\nEOF", {"v": f"$(touch {marker})"})
    received = subprocess.run(
        ["/bin/sh", "-c", script], env=variables, capture_output=True, text=True, check=True
    )
    assert received.stdout == f'"$(touch {marker})"\n'  # quotes are text in a here-document
    assert not marker.exists()


def test_a_shell_line_names_its_variables() -> None:
    assert fill.shell("grep -q {{ word }} README.md", {"word": "x y"}) == (
        'grep -q "${RULEPACK_PARAM_word}" README.md',
        {"RULEPACK_PARAM_word": "x y"},
    )
    assert fill.shell("ls {{ dirs }}", {"dirs": ["a", "b c"]}) == (
        'ls "${RULEPACK_PARAM_dirs_1}" "${RULEPACK_PARAM_dirs_2}"',
        {"RULEPACK_PARAM_dirs_1": "a", "RULEPACK_PARAM_dirs_2": "b c"},
    )


def test_two_parameters_that_would_share_a_variable_are_refused() -> None:
    with pytest.raises(fill.FillError, match=r"RULEPACK_PARAM_a_1; rename one"):
        fill.shell("echo {{ a }} '{{ a_1 }}'", {"a": ["x"], "a_1": "y"})


# -- regex and argv ------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(value=TEXTS, other=TEXTS)
def test_a_value_in_a_regex_matches_only_its_own_text(value: str, other: str) -> None:
    pattern = re.compile(fill.regex("(?m)^## {{ heading }}$", {"heading": value}))
    assert pattern.search(f"intro\n## {value}\nmore") is not None
    if other != value and "\n" not in other and "\n" not in value:
        assert pattern.search(f"## {other}") is None


def test_a_regex_param_is_no_pattern() -> None:
    assert fill.regex("^{{ x }}$", {"x": "a|.*"}) == "^a\\|\\.\\*$"
    with pytest.raises(fill.FillError):
        fill.regex("a\\{{ x }}", {"x": "|"})


def test_argv_items_take_values_and_lists_splice() -> None:
    params = {"one": "$(touch m)", "many": ["a b", 2, True], "n": 5}
    assert fill.argv(["tool", "{{ one }}", "{{ many }}", "--n={{ n }}", "{{ n }}"], params) == [
        "tool",
        "$(touch m)",
        "a b",
        "2",
        "true",
        "--n=5",
        "5",
    ]


def test_a_whole_text_placeholder_keeps_its_type() -> None:
    assert fill.text("{{ n }}", {"n": 5}) == 5
    assert fill.text("at least {{ n }}", {"n": [1, 2]}) == "at least [1, 2]"
    assert fill.text("{{ label }} has {{ n }}", {"n": 5}, frozenset({"label"})) == (
        "{{ label }} has 5"
    )
