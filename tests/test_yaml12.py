"""YAML 1.2 reading: types, documents, positions, duplicate keys, alias bombs."""

from __future__ import annotations

import time

import pytest

from engine.yaml12 import YamlError, load_documents, load_located, parse_scalar


def test_yaml12_scalars_are_not_yaml11() -> None:
    [doc] = load_documents("on: push\nmode: 0444\nyes: no\nhex: 0x1F\noct: 0o17\nday: 2024-01-01\n")
    assert doc.data == {
        "on": "push",
        "mode": 444,
        "yes": "no",
        "hex": 31,
        "oct": 15,
        "day": "2024-01-01",
    }


def test_booleans_and_nulls_of_the_core_schema() -> None:
    [doc] = load_documents("a: true\nb: False\nc: ~\nd: null\ne:\nf: 1.5\n")
    assert doc.data == {"a": True, "b": False, "c": None, "d": None, "e": None, "f": 1.5}


def test_documents_keep_index_and_first_line_and_drop_empty_ones() -> None:
    docs = load_documents("a: 1\n---\n---\n# c\nb: 2\n")
    assert [(d.index, d.line, d.data) for d in docs] == [(1, 1, {"a": 1}), (3, 5, {"b": 2})]


def test_syntax_error_has_line_and_column() -> None:
    with pytest.raises(YamlError) as caught:
        load_documents("a: [1\nb: 2\n")
    assert (caught.value.line, caught.value.column) == (2, 2)


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(8):
        prev, cur = chr(ord("a") + i), chr(ord("b") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    with pytest.raises(YamlError, match="expands to more than"):
        load_documents("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 5


def test_located_data_records_positions_and_duplicate_keys() -> None:
    located = load_located("a: 1\nb:\n  c: [x, y]\n  c: 3\n", "f.yaml")
    assert located.data == {"a": 1, "b": {"c": 3}}
    assert located.position(("b", "c", 1)) == (3, 10)
    assert located.position(("b", "c"), key=True) == (4, 3)
    assert located.duplicates == [(("b", "c"), 4, 3)]


def test_position_falls_back_to_the_nearest_parent() -> None:
    located = load_located("a:\n  b: 1\n", "f.yaml")
    assert located.position(("a", "missing", 3)) == (2, 3)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3", 3),
        ("true", True),
        ("1.5", 1.5),
        ("a:b", "a:b"),
        ("x: y", "x: y"),
        ("", ""),
        ("- a", "- a"),
        ("[README.md, README.rst]", ["README.md", "README.rst"]),
        ("{a: 1}", {"a": 1}),
        ("[unclosed", "[unclosed"),
    ],
)
def test_command_line_values_are_typed_like_yaml(text: str, value: object) -> None:
    assert parse_scalar(text) == value
