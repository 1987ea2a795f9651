"""YAML 1.2 reading: types, documents, positions, duplicate keys, merges, alias bombs.

Every loader is proven against a reference: PyYAML's pure-Python SafeLoader
with the YAML 1.2 core schema's implicit resolvers (`Core12` below), on
generated multi-document streams with anchors, aliases, merge keys, comments
and `&` in strings.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine import yaml12, yaml_located
from engine.yaml12 import YamlError, load_documents, parse_scalar
from engine.yaml_located import load_lined_documents, load_located

# -- the reference ----------------------------------------------------------------------


class Core12(yaml.SafeLoader):
    """PyYAML with the YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution):
    only true/false booleans, decimal/0o/0x integers, 1.2 floats with .inf/.nan,
    null/~/empty, no timestamps, no `=`; `<<` merge keys as PyYAML does them.
    Unknown `!tags` keep their text, as rulepack's loader does."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's own class table

    def flatten_mapping(self, node: MappingNode) -> None:
        """PyYAML 6.0.3's merge, which keeps the merge spec's precedence: own keys win,
        then the first merged mapping (6.0.4 lost that by accident for keys of two or
        more characters: https://github.com/yaml/pyyaml/issues/953)."""
        merge: list[tuple[Node, Node]] = []
        index = 0
        while index < len(node.value):
            key_node, value_node = node.value[index]
            if key_node.tag != "tag:yaml.org,2002:merge":
                index += 1
                continue
            del node.value[index]
            if isinstance(value_node, MappingNode):
                self.flatten_mapping(value_node)
                merge.extend(value_node.value)
            elif isinstance(value_node, SequenceNode):
                submerge = []
                for subnode in value_node.value:
                    if not isinstance(subnode, MappingNode):
                        raise yaml.constructor.ConstructorError("merges a non-mapping")
                    self.flatten_mapping(subnode)
                    submerge.append(subnode.value)
                for value in reversed(submerge):
                    merge.extend(value)
            else:
                raise yaml.constructor.ConstructorError("merges a non-mapping")
        node.value = merge + node.value


for _tag, _pattern, _first in [
    ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("bool", r"true|True|TRUE|false|False|FALSE", list("tTfF")),
    ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", list("-+0123456789")),
    (
        "float",
        r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)",
        list("-+0123456789."),
    ),
    ("merge", r"<<", ["<"]),
]:
    Core12.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(f"^(?:{_pattern})$"), _first
    )


def _core_int(loader: Core12, node: ScalarNode) -> int:
    text = node.value
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


def _core_float(loader: Core12, node: ScalarNode) -> float:
    text = node.value.lower()
    if text.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    return math.nan if text == ".nan" else float(text)


def _unknown_tag(loader: Core12, suffix: str, node: Node) -> Any:
    if isinstance(node, ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


Core12.add_constructor("tag:yaml.org,2002:int", _core_int)
Core12.add_constructor("tag:yaml.org,2002:float", _core_float)
Core12.add_constructor("tag:yaml.org,2002:bool", lambda loader, node: node.value.lower() == "true")
Core12.add_multi_constructor("!", _unknown_tag)


def reference(text: str) -> list[tuple[int, Node, Any]]:
    """Every document of a stream as (index from 1, root node, data), empty ones included.

    Constructing flattens the nodes' mappings: merged pairs first, own pairs after.
    """
    loader = Core12(text)
    try:
        found = []
        while loader.check_node():
            node = loader.get_node()
            found.append((len(found) + 1, node, loader.construct_document(node)))
        return found
    finally:
        loader.dispose()


Positions = dict[tuple[Any, ...], tuple[int, int]]


def reference_positions(node: Node, data: Any) -> tuple[Positions, Positions]:
    """Line and column (1-based) of the node at every path of `data`, and of every key.

    Of a key given more than once (merged, then own) the last wins, as in the data.
    """
    values: Positions = {}
    keys: Positions = {}
    loader = Core12("")

    def walk(node: Node, data: Any, path: tuple[Any, ...]) -> None:
        values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, SequenceNode):
            for i, child in enumerate(node.value):
                walk(child, data[i], (*path, i))
        elif isinstance(node, MappingNode):
            chosen: dict[Any, tuple[Node, Node]] = {}
            for key_node, value_node in node.value:
                chosen[loader.construct_object(key_node, deep=True)] = (key_node, value_node)
            assert list(chosen) == list(data)
            for key, (key_node, value_node) in chosen.items():
                child = (*path, key if isinstance(key, str | int) else str(key))
                keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                walk(value_node, data[key], child)

    walk(node, data, ())
    return values, keys


def same(ours: Any, theirs: Any) -> bool:
    """Equal data of the same types (bool is not int), dict keys in the same order,
    floats by spelling (NaN is NaN, -0.0 is not 0.0)."""
    if type(ours) is not type(theirs):
        return False
    if isinstance(ours, float):
        return repr(ours) == repr(theirs)
    if isinstance(ours, list):
        return len(ours) == len(theirs) and all(map(same, ours, theirs))
    if isinstance(ours, dict):
        return len(ours) == len(theirs) and all(
            same(a, b) and same(x, y)
            for (a, x), (b, y) in zip(ours.items(), theirs.items(), strict=True)
        )
    return bool(ours == theirs)


# -- generated streams ------------------------------------------------------------------

# Plain scalars valid in block and flow context, for each type of the two schemas.
PLAIN = [
    *("true", "True", "TRUE", "false", "FALSE", "yes", "no", "on", "off", "y", "n"),
    *("null", "Null", "NULL", "~", "=", "0", "7", "-3", "+4", "017", "0o17", "0x1F", "-0x1F"),
    *("0b101", "1_000", "0o8", "1.5", "-.5", "+1.", "1e3", "1E-2", "6.02e+23", ".5e3", "0."),
    *("-0", "-0.0", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "NaN", "inf", "e3"),
    *("2024-01-01", "2024-01-01T10:00:00Z", "12:30:00", "1:30", "nginx", "web-1", "v1.2.3"),
    *("a && b", "cmd && cat /x", "a&b", "C#", "a#b", "a*b", "é ü"),
]
# Only in block context: PyYAML's pure scanner refuses `?` inside flow scalars.
BLOCK_PLAIN = [*PLAIN, "x?a=1&b=2", "https://h/p?q=1&r=2", "echo a && echo b # not"]
KEYS = ["name", "kind", "spec", "a", "b", "image", "7", "2.5", "true", "null", "0x1F"]
KEYS += ["'quoted'", '"q k"', "a&b", "C#"]
COMMENTS = ["# note", "# a && b", "# see https://x/?a=1&b=2", "#&x", "# *a", "#"]
LINES = ["text", "a && b", "# not a comment", "x: y", "&a *b", "  indented"]  # last: not first
ANCHORS = ["a", "b", "c", "base", "x1", "x2"]
TAGS = ["!!str 12", '!!int "7"', "!!int 0x1F", "!!float 3", "!!bool true", "!!null ''"]
TAGS += ["!Ref name", '!Sub "${x}"']
BLOCK_TAGS = [*TAGS, "!!str"]  # an empty tagged scalar: in flow, `!!str]` would be the tag
TEXT = st.text(  # what YAML may hold on one line (no line or paragraph separators)
    st.characters(
        exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters="\ufeff\ufffe\uffff"
    ),
    max_size=8,
)


class _Writer:
    """Writes one random YAML document while drawing its choices.

    It keeps the anchors an alias may name: those of nodes already finished,
    so that no alias loops. Anchor names are used again in the next document.
    """

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.anchors: dict[str, str] = {}  # name -> "map" or "other", of finished nodes
        self.used: set[str] = set()

    def pick(self, items: list[str]) -> str:
        return self.draw(st.sampled_from(items))

    def chance(self, tenths: int) -> bool:
        return self.draw(st.integers(0, 9)) < tenths

    def anchor(self) -> str | None:
        """A new anchor's name (none twice in a document: PyYAML refuses that)."""
        free = [name for name in ANCHORS if name not in self.used]
        if not free or not self.chance(3):
            return None
        name = self.pick(free)
        self.used.add(name)
        return name

    def finish(self, name: str | None, kind: str) -> None:
        if name is not None:
            self.anchors[name] = kind

    def comment(self) -> str:
        return "  " + self.pick(COMMENTS) if self.chance(2) else ""

    def document(self) -> str:
        self.anchors, self.used = {}, set()
        kind = self.pick(["map", "map", "map", "seq", "flow", "scalar", "empty"])
        if kind == "empty":
            return ""
        if kind == "scalar":
            return self.scalar(block=True) + "\n"
        if kind == "flow":
            return self.flow(0) + "\n"
        lines = self.block_map(0, 0) if kind == "map" else self.block_seq(0, 0)
        return "\n".join(lines) + "\n"

    def scalar(self, *, block: bool) -> str:
        form = self.pick(["plain", "plain", "plain", "double", "single", "tagged"])
        if form == "double":
            return json.dumps(self.draw(TEXT), ensure_ascii=False)
        if form == "single":
            return "'" + self.draw(TEXT).replace("'", "''") + "'"
        if form == "tagged":
            return self.pick(BLOCK_TAGS if block else TAGS)
        return self.pick(BLOCK_PLAIN if block else PLAIN)

    def merge(self) -> str | None:
        """The value of a `<<` key, if there is something to merge."""
        maps = sorted(name for name, kind in self.anchors.items() if kind == "map")
        form = self.pick(["alias", "alias", "list", "inline"])
        if form == "inline":
            return self.flow_map(2)
        if not maps:
            return None
        if form == "list":
            names = self.draw(st.lists(st.sampled_from(maps), min_size=1, max_size=3))
            return "[" + ", ".join(f"*{name}" for name in names) + "]"
        return "*" + self.pick(maps)

    def inline(self, depth: int, *, block: bool) -> str:
        """A value written on one line: a scalar, an alias or a flow collection."""
        form = self.pick(["scalar", "scalar", "scalar", "alias", "anchored", "flow"])
        if form == "alias" and self.anchors:
            return "*" + self.pick(sorted(self.anchors))
        if form == "flow" and depth < 3:
            return self.flow(depth + 1)
        name = self.anchor() if form == "anchored" else None
        if name is not None:
            self.finish(name, "other")
            return f"&{name} {self.scalar(block=block)}"
        return self.scalar(block=block)

    def flow(self, depth: int) -> str:
        name = self.anchor()
        if self.chance(5):
            text = self.flow_map(depth)
            self.finish(name, "map")
        else:
            items = self.draw(st.integers(0, 3))
            text = "[" + ", ".join(self.inline(depth, block=False) for _ in range(items)) + "]"
            self.finish(name, "other")
        return f"&{name} {text}" if name else text

    def flow_map(self, depth: int) -> str:
        keys = self.draw(st.lists(st.sampled_from(KEYS), max_size=3))
        merge_at = self.draw(st.integers(0, len(keys) + 2))
        entries = []
        for i, key in enumerate([*keys, None]):
            merged = self.merge() if i == merge_at else None
            if merged is not None:
                entries.append(f"<<: {merged}")
            if key is not None:
                entries.append(f"{key}: {self.inline(depth, block=False)}")
        return "{" + ", ".join(entries) + "}"

    def block_map(self, indent: int, depth: int) -> list[str]:
        pad = " " * indent
        lines: list[str] = []
        keys = self.draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4))
        merge_at = self.draw(st.integers(0, len(keys) + 2))
        for i, key in enumerate([*keys, None]):
            if self.chance(1):
                lines.append(" " * self.draw(st.integers(0, indent)) + self.pick(COMMENTS))
            merged = self.merge() if i == merge_at else None
            if merged is not None:
                lines.append(f"{pad}<<: {merged}{self.comment()}")
            if key is not None:
                lines += self.entry(f"{pad}{key}:", indent, depth)
        return lines

    def block_seq(self, indent: int, depth: int) -> list[str]:
        pad = " " * indent
        lines: list[str] = []
        for _ in range(self.draw(st.integers(1, 3))):
            item = self.entry(f"{pad}-", indent, depth)
            compact = (
                len(item) > 1 and item[0] == f"{pad}-" and not item[1].lstrip().startswith("#")
            )
            if compact and self.chance(5):  # `- key: value` on the dash's line
                item = [f"{pad}- {item[1].lstrip()}", *item[2:]]
            lines += item
        return lines

    def entry(self, head: str, indent: int, depth: int) -> list[str]:
        """A mapping value or sequence item after `head` (`key:` or `-`)."""
        form = self.pick(
            ["inline", "inline", "block", "block", "literal"] if depth < 3 else ["inline"]
        )
        if form == "inline":
            return [f"{head} {self.inline(depth, block=True)}{self.comment()}"]
        if form == "literal":
            style = self.pick(["|", "|-", ">", ">-"])
            body = [self.pick(LINES[:-1]), *self.draw(st.lists(st.sampled_from(LINES), max_size=2))]
            return [f"{head} {style}{self.comment()}", *(" " * (indent + 2) + b for b in body)]
        name = self.anchor()
        is_map = self.chance(6)
        body = (self.block_map if is_map else self.block_seq)(indent + 2, depth + 1)
        self.finish(name, "map" if is_map else "other")
        return [head + (f" &{name}" if name else "") + self.comment(), *body]


@st.composite
def streams(draw: st.DrawFn) -> list[str]:
    """The documents of a stream, each with its `---` line (the first may have none)."""
    writer = _Writer(draw)
    pieces = []
    for i in range(draw(st.integers(1, 5))):
        start = draw(st.sampled_from(["---\n", "--- # next\n", "---\n# a && b\n"]))
        if i == 0 and draw(st.booleans()):
            start = ""
        document = writer.document()
        end = "...\n" if (start or document) and draw(st.integers(0, 9)) == 0 else ""
        pieces.append(start + document + end)
    return pieces


def _assert_positions(located: yaml_located.LocatedData, node: Node, data: Any) -> None:
    values, keys = reference_positions(node, data)
    assert located.positions == values
    assert located.key_positions == keys


def _assert_lines(document: yaml_located.LinedDocument) -> None:
    """Each list and dict of the data, and each key of a dict, knows its line."""
    located = document.located

    def walk(value: Any, path: tuple[Any, ...]) -> None:
        if not isinstance(value, list | dict):
            return
        assert document.line(value) == located.positions[path][0]
        for key, child in value.items() if isinstance(value, dict) else enumerate(value):
            child_path = (*path, key if isinstance(key, str | int) else str(key))
            if isinstance(value, dict) and isinstance(key, str):
                assert document.key_line(value, key) == located.key_positions[child_path][0]
            walk(child, child_path)

    walk(document.data, ())


@settings(max_examples=300, deadline=None)
@given(streams())
def test_every_loader_reads_streams_as_pyyaml_does_with_the_core_schema(pieces: list[str]) -> None:
    text = "".join(pieces)
    expected = reference(text)

    documents = load_documents(text)
    kept = [(i, node.start_mark.line + 1, data) for i, node, data in expected if data is not None]
    assert [(d.index, d.line) for d in documents] == [(i, line) for i, line, _ in kept]
    for document, (_, _, data) in zip(documents, kept, strict=True):
        assert same(document.data, data), (document.data, data)

    lined = load_lined_documents(text)
    assert list(lined) == [i for i, _, _ in expected]
    for index, node, data in expected:
        assert same(lined[index].data, data)
        _assert_positions(lined[index].located, node, data)
        _assert_lines(lined[index])

    for piece in pieces:  # packs and configs hold one document
        located = load_located(piece, "f.yaml")
        [(_, node, data)] = reference(piece) or [(1, None, None)]
        assert same(located.data, data)
        if node is not None:
            _assert_positions(located, node, data)


# -- one stream per kind of trouble ----------------------------------------------------------


def _rendered_chart(services: int) -> str:
    """A Helm-rendered stream like the OpenTelemetry demo's: one Deployment per
    service, one `&&` in a shell command (so the stream may hold anchors)."""
    documents = []
    for i in range(services):
        command = "cp /ro/flags.json /rw/flags.json && cat /rw/flags.json" if i == 2 else "run"
        documents.append(
            f"# Source: demo/templates/component.yaml\n"
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-{i}\n"
            f"  labels:\n    app.kubernetes.io/name: svc-{i}\n    index: '{i}'\n"
            f"spec:\n  replicas: {i % 3}\n  template:\n    spec:\n      containers:\n"
            f"        - name: svc-{i}\n          image: 'demo:{i}'\n"
            f"          command: [sh, -c, '{command}']\n"
            f"          ports:\n            - containerPort: {8000 + i}\n"
            f"              name: port-{i}\n"
            f"          env:\n            - name: OTEL_SERVICE_NAME\n              value: svc-{i}\n"
        )
    return "---\n" + "---\n".join(documents)


def test_documents_of_a_long_stream_with_an_ampersand_keep_only_their_own_data() -> None:
    # Regression: a memo of aliased nodes kept by id() for the whole stream handed
    # later documents the data of earlier ones whose freed nodes' ids were reused.
    text = _rendered_chart(48)
    documents = load_documents(text)
    assert [d.data["metadata"]["name"] for d in documents] == [f"svc-{i}" for i in range(48)]
    for document, (_, _, data) in zip(documents, reference(text), strict=True):
        assert same(document.data, data)


def test_merge_keys_nested_in_merged_mappings_resolve_in_every_loader() -> None:
    text = "a: &a {x: 1, y: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b, z: 3}\nd: {<<: [*b, *a], x: 4}\n"
    expected = {
        "a": {"x": 1, "y": 1},
        "b": {"x": 1, "y": 2},
        "c": {"x": 1, "y": 2, "z": 3},
        "d": {"x": 4, "y": 2},
    }
    assert load_documents(text)[0].data == expected
    assert load_lined_documents(text)[1].data == expected
    located = load_located(text, "f.yaml")
    assert located.data == expected
    assert located.position(("c", "y"), key=True) == (2, 16)  # where b says y: 2
    assert located.position(("d", "x"), key=True) == (4, 19)  # d's own x


def _alias_bomb(levels: int = 9) -> str:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(levels - 1):
        prev, cur = chr(ord("a") + i), chr(ord("b") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "load",
    [load_documents, load_lined_documents, lambda text: load_located(text, "f.yaml")],
    ids=["manifests", "lined", "located"],
)
def test_an_alias_bomb_is_refused_before_anything_is_built(
    load: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: object) -> None:
        raise AssertionError("built data from a refused document")

    monkeypatch.setattr(yaml12, "build", never)
    monkeypatch.setattr(yaml_located, "build", never)
    monkeypatch.setattr(yaml_located._Locator, "build", never)
    with pytest.raises(YamlError, match="expands to more than 1,000,000 nodes") as caught:
        load(_alias_bomb())
    assert (caught.value.line, caught.value.column) == (7, 4)  # where g: passes the limit


@pytest.mark.parametrize(
    "load",
    [load_documents, load_lined_documents, lambda text: load_located(text, "f.yaml")],
    ids=["manifests", "lined", "located"],
)
@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: &a\n  b: *a\n", 2, 6),
        ("a: &a\n  <<: *a\n", 2, 7),
        ("- &a [1, *a]\n", 1, 10),
        ("x: &n {y: [*n]}\n", 1, 12),
    ],
)
def test_an_alias_inside_its_own_node_is_refused_at_the_alias(
    load: Any, text: str, line: int, column: int
) -> None:
    with pytest.raises(YamlError, match=r"^alias \*\w is inside the node it refers to") as caught:
        load(text)
    assert (caught.value.line, caught.value.column) == (line, column)


@pytest.mark.parametrize("load", [load_documents, load_lined_documents], ids=["manifests", "lined"])
def test_a_loop_in_a_later_document_is_refused_at_its_alias(load: Any) -> None:
    with pytest.raises(YamlError, match=r"^alias \*a is inside") as caught:
        load("a: &a [1]\nb: *a\n---\nok: 1\n---\nx: &a {y: [*a]}\n")
    assert (caught.value.line, caught.value.column) == (6, 12)


# -- types and positions ------------------------------------------------------------------


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


def test_located_data_records_positions_and_duplicate_keys() -> None:
    located = load_located("a: 1\nb:\n  c: [x, y]\n  c: 3\n", "f.yaml")
    assert located.data == {"a": 1, "b": {"c": 3}}
    assert located.position(("b", "c")) == (4, 6)
    assert located.position(("b", "c", 1)) == (4, 6)  # the list [x, y] is gone: its place is 3's
    assert located.position(("b", "c"), key=True) == (4, 3)
    assert located.duplicates == [(("b", "c"), 4, 3)]


def test_position_falls_back_to_the_nearest_parent() -> None:
    located = load_located("a:\n  b: 1\n", "f.yaml")
    assert located.position(("a", "missing", 3)) == (2, 3)


def test_plain_scalars_cut_by_a_comment_are_noted_at_the_hash() -> None:
    text = (
        "title: Tests cover C# code # and more\n"
        "quoted: 'C# code' # a comment after quotes cuts nothing\n"
        "plain: no comment\n"
        "empty: # nothing to cut\n"
        "rules:\n  - remediation: Add tests (#[cfg(test)] too)\t# x\n"
    )
    located = load_located("\ufeff" + text, "f.yaml")
    assert located.data["title"] == "Tests cover C# code"
    assert located.comment_cuts == {("title",): (1, 28), ("rules", 0, "remediation"): (6, 47)}


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
