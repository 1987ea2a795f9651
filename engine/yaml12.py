"""YAML read with the YAML 1.2 core schema, on top of PyYAML.

PyYAML implements YAML 1.1, where `on:` is the boolean true and `0444` is the
octal number 292. Kubernetes manifests, GitHub workflows and rule packs are
written by people who expect 1.2, so every loader here resolves plain scalars
with the 1.2 core schema: only true/false are booleans, integers are decimal
unless written 0o/0x, and there are no implicit timestamps.

Every loader reads a document the same way: PyYAML's (C) composer makes the
node graph, `check_aliases` refuses it if aliases would blow it up or loop,
and only then is data built, with `<<` merge keys resolved as the merge spec
and PyYAML (up to 6.0.3) resolve them.
Two builders make the data:

- `build`, the fast one: `load_documents` reads repository manifests with it,
  keeping each document's first line.
- the locator of engine/yaml_located.py, which also records the line and
  column of every value and key: packs, configs, and manifests read again
  to point findings at their line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml
from yaml.events import AliasEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine import long_integers
from engine.errors import YamlError as YamlError  # raised here, defined apart
from engine.model.documents import Document

try:  # libyaml makes parsing several times faster; fall back when it is absent
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: The most nodes a document may expand to through aliases.
MAX_EXPANDED_NODES = 1_000_000

Pair = tuple[Node, Node]  # a mapping entry: key node, value node

# Tags the composer gives nodes. Plain scalars are typed by `_plain` below, in
# the same pass that builds the data, instead of by PyYAML's resolver and
# constructor: that is both the YAML 1.2 core schema and twice as fast.
_PLAIN = "tag:rulepack:plain"
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_NUMBER_START = frozenset("-+0123456789.")


def _int(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if digits.startswith("0o"):
        return sign * int(digits[2:], 8)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    return sign * int(digits, 10)


def _float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(text)


def _plain(text: str) -> Any:
    """The value of an untagged plain scalar under the YAML 1.2 core schema."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if text[0] in _NUMBER_START:
        if _INT.fullmatch(text):
            return _int(text)
        if _FLOAT.fullmatch(text):
            return _float(text)
    return text


def _tagged(node: ScalarNode) -> Any:
    """A scalar with an explicit tag. Unknown tags (`!Ref`, `!reference`) keep the text."""
    tag, text = node.tag, node.value
    try:
        if tag == "tag:yaml.org,2002:int":
            return _int(text)
        if tag == "tag:yaml.org,2002:float":
            return _float(text)
        if tag == "tag:yaml.org,2002:bool":
            return _BOOLS[text]
        if tag == "tag:yaml.org,2002:null":
            return None
    except (KeyError, ValueError):
        mark = node.start_mark
        raise YamlError(
            f"{text!r} is not a valid {tag.rsplit(':', 1)[-1]}", mark.line + 1, mark.column + 1
        ) from None
    return text


class Yaml12Loader(_BaseLoader):
    """PyYAML's (C) parser and composer, with every scalar left for `_plain` to type."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP


def _error_from(exc: yaml.YAMLError, text: str) -> YamlError:
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML refuses (a NUL, say)
        before = text[: exc.position]
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return YamlError(f"unacceptable character #x{code:04x}: {exc.reason}", line, column)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"{context}, {problem}" if context else str(problem)
    if mark is None:
        return YamlError(message)
    return YamlError(message, mark.line + 1, mark.column + 1)


def position(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


@contextmanager
def reading(text: str) -> Iterator[Yaml12Loader]:
    """A loader over `text`; anything that goes wrong while it is used is a YamlError."""
    loader = Yaml12Loader(text)
    try:
        yield loader
    except yaml.YAMLError as exc:
        raise _error_from(exc, text) from None
    except RecursionError:
        raise YamlError("nested too deeply to read") from None
    finally:
        loader.dispose()


def composed_documents(loader: Yaml12Loader, text: str) -> Iterator[tuple[int, Node]]:
    """The checked documents of a stream: (index counting from 1, root node).

    Empty documents are counted but not yielded.
    """
    may_alias = "&" in text  # no anchor, no alias: nothing to check
    index = 0
    while loader.check_node():
        node = loader.get_node()
        index += 1
        if node is None:
            continue
        if may_alias:
            check_aliases(node, text)
        yield index, node


def check_aliases(root: Node, text: str) -> None:
    """Refuse a document, before anything is built from it, when aliases would
    blow it up (a "billion laughs") or make a node contain itself.

    The composer gives every alias the very node object of its anchor, so a
    document is a graph; this sizes the tree that building it would make.
    """
    sizes: dict[Node, int] = {}  # 0 while a node is being sized: meeting it then is a loop

    def size(node: Node) -> int:
        if node.__class__ is ScalarNode:
            return 1
        known = sizes.get(node)
        if known is not None:
            if known == 0:
                raise _loop_error(node, text)
            return known
        sizes[node] = 0
        if node.__class__ is SequenceNode:
            total = 1 + sum(size(child) for child in node.value)
        else:
            total = 1 + sum(size(key) + size(value) for key, value in node.value)
        if total > MAX_EXPANDED_NODES:
            raise YamlError(
                f"document expands to more than {MAX_EXPANDED_NODES:,} nodes through aliases",
                *position(node),
            )
        sizes[node] = total
        return total

    size(root)


def check_depth(root: Node, limit: int) -> None:
    """Refuse a document whose lists and mappings nest deeper than `limit`, at the first
    node too deep (walked without recursion; aliases were checked before)."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if node.__class__ is ScalarNode:
            continue
        if depth > limit:
            raise YamlError(f"nested deeper than {limit} levels", *position(node))
        if node.__class__ is SequenceNode:
            stack.extend((child, depth + 1) for child in node.value)
        else:
            stack.extend((value, depth + 1) for _, value in node.value)


def _loop_error(anchored: Node, text: str) -> YamlError:
    """The error for an alias inside the node it names, located at the alias.

    Nodes do not keep their anchor or the places of their aliases, so this
    (rare) error reads the events of the text again to find them.
    """
    anchor: str | None = None
    for event in yaml.parse(text, Loader=Yaml12Loader):
        mark = event.start_mark
        if mark is None or not isinstance(event, NodeEvent):
            continue
        if anchor is None:
            if mark.index == anchored.start_mark.index:
                anchor = event.anchor
        elif isinstance(event, AliasEvent) and event.anchor == anchor:
            if mark.index < anchored.end_mark.index:
                return YamlError(
                    f"alias *{anchor} is inside the node it refers to (a loop)",
                    mark.line + 1,
                    mark.column + 1,
                )
            break
    return YamlError("an alias is inside the node it refers to (a loop)", *position(anchored))


def build(node: Node, memo: dict[Node, Any] | None) -> Any:
    """Plain data from a checked node.

    `memo` makes aliases share what they build, as PyYAML does. It holds one
    document's nodes (anchors do not reach past their document); None when
    the text has no anchor.
    """
    if node.__class__ is ScalarNode:
        tag = node.tag
        if tag == _PLAIN:
            try:
                return _plain(node.value)
            except ValueError:  # more digits than Python converts
                digits = len(node.value.lstrip("+-"))
                raise YamlError(long_integers.message(digits), *position(node)) from None
        return node.value if tag == _STR else _tagged(node)
    if memo is not None:
        known = memo.get(node)
        if known is not None:
            return known
    built: Any
    if node.__class__ is SequenceNode:
        built = [build(child, memo) for child in node.value]
    else:
        built = {mapping_key(key): build(value, memo) for key, value in _pairs(node)}
    if memo is not None:
        memo[node] = built
    return built


def mapping_key(node: Node) -> Any:
    if node.__class__ is not ScalarNode:
        raise YamlError("a mapping key must be a plain value", *position(node))
    return build(node, None)


def _is_merge(key: Node) -> bool:
    return key.tag == _PLAIN and key.value == "<<"


def _pairs(node: Node) -> list[Pair]:
    """A mapping's (key, value) nodes, with what its `<<` keys merge first (see `split_merges`)."""
    for key, _ in node.value:
        if key.value == "<<" and key.tag == _PLAIN:  # _is_merge, inlined: every mapping asks
            merged, own = split_merges(node)
            return merged + own
    return node.value  # type: ignore[no-any-return]


def split_merges(node: Node) -> tuple[list[Pair], list[Pair]]:
    """A mapping's pairs that `<<` keys merge in, and its own.

    As the merge spec (https://yaml.org/type/merge.html) and PyYAML up to
    6.0.3 have it: own keys win over merged ones, the first of a list of
    merged mappings wins (so the list is spliced in last first), and the
    merged mappings' own `<<` keys are resolved too.
    """
    merged: list[Pair] = []
    own: list[Pair] = []
    for key, value in node.value:
        if not _is_merge(key):
            own.append((key, value))
        elif value.__class__ is MappingNode:
            merged.extend(_pairs(value))
        elif value.__class__ is SequenceNode and all(
            source.__class__ is MappingNode for source in value.value
        ):
            for source in reversed(value.value):
                merged.extend(_pairs(source))
        else:
            raise YamlError("`<<` merges a mapping or a list of mappings", *position(value))
    return merged, own


def load_documents(text: str) -> list[Document]:
    """Parse a YAML stream into its non-empty documents.

    Raises YamlError with the line and column of the first syntax error.
    """
    may_alias = "&" in text
    documents: list[Document] = []
    with reading(text) as loader:
        for index, node in composed_documents(loader, text):
            data = build(node, {} if may_alias else None)
            if data is not None:
                documents.append(Document(index, node.start_mark.line + 1, data))
    return documents


def parse_scalar(text: str) -> Any:
    """Read one command-line value (`--param k=v`) the way YAML 1.2 would.

    A list or mapping is taken only in flow style (`[a, b]`, `{k: v}`), so
    that `x: y` stays the text it looks like.
    """
    if not text.strip():
        return text
    try:
        documents = load_documents(text)
    except YamlError:
        return text
    if len(documents) != 1:
        return text
    data = documents[0].data
    if isinstance(data, dict | list) and not text.lstrip().startswith(("[", "{")):
        return text
    return data
