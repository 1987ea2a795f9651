"""YAML read with the YAML 1.2 core schema, on top of PyYAML.

PyYAML implements YAML 1.1, where `on:` is the boolean true and `0444` is the
octal number 292. Kubernetes manifests, GitHub workflows and rule packs are
written by people who expect 1.2, so both loaders here resolve plain scalars
with the 1.2 core schema: only true/false are booleans, integers are decimal
unless written 0o/0x, and there are no implicit timestamps.

Two readers share that schema:

- `load_documents` reads repository manifests, fast (libyaml when present),
  keeping each document's first line and guarding against alias bombs.
- `load_located` reads packs and config files into plain data plus the line
  and column of every value and key, and reports duplicate keys, which YAML
  loaders otherwise resolve silently by keeping the last one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # libyaml makes parsing several times faster; fall back when it is absent
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: The most nodes a document may expand to through aliases.
MAX_EXPANDED_NODES = 1_000_000

_PathKey = str | int
Path = tuple[_PathKey, ...]

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


class YamlError(Exception):
    """A YAML text that cannot be read; line and column are 1-based."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Document:
    """One document of a manifest file. `index` counts from 1, empty ones included."""

    index: int
    line: int
    data: Any


def _error_from(exc: yaml.YAMLError) -> YamlError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"{context}, {problem}" if context else str(problem)
    if mark is None:
        return YamlError(message)
    return YamlError(message, mark.line + 1, mark.column + 1)


def _check_expansion(node: Node) -> None:
    """Refuse documents that aliases blow up (a "billion laughs" document)."""
    sizes: dict[int, int] = {}

    def size(n: Node) -> int:
        known = sizes.get(id(n))
        if known is not None:
            return known
        sizes[id(n)] = 1  # a recursive alias counts once instead of looping
        total = 1
        if isinstance(n, SequenceNode):
            total += sum(size(child) for child in n.value)
        elif isinstance(n, MappingNode):
            total += sum(size(k) + size(v) for k, v in n.value)
        if total > MAX_EXPANDED_NODES:
            raise YamlError(
                f"document expands to more than {MAX_EXPANDED_NODES:,} nodes through aliases",
                n.start_mark.line + 1,
                n.start_mark.column + 1,
            )
        sizes[id(n)] = total
        return total

    size(node)


def _key(value: Any, node: Node) -> Any:
    try:
        hash(value)
    except TypeError:
        mark = node.start_mark
        raise YamlError(
            "a mapping key must be a plain value", mark.line + 1, mark.column + 1
        ) from None
    return value


def _merge_sources(node: Node) -> list[Node]:
    """The mappings a `<<` key merges, first one winning."""
    if isinstance(node, MappingNode):
        return [node]
    if isinstance(node, SequenceNode) and all(isinstance(n, MappingNode) for n in node.value):
        return list(node.value)
    mark = node.start_mark
    raise YamlError("`<<` merges a mapping or a list of mappings", mark.line + 1, mark.column + 1)


def _build(node: Node, shared: dict[int, Any] | None) -> Any:
    """Plain data from a composed node; `shared` memoizes aliased collections."""
    if node.__class__ is ScalarNode:
        tag = node.tag
        if tag == _PLAIN:
            return _plain(node.value)
        return node.value if tag == _STR else _tagged(node)
    if shared is not None:
        known = shared.get(id(node))
        if known is not None:
            return known
    if node.__class__ is SequenceNode:
        items: list[Any] = []
        if shared is not None:
            shared[id(node)] = items
        items.extend(_build(child, shared) for child in node.value)
        return items
    mapping: dict[Any, Any] = {}
    if shared is not None:
        shared[id(node)] = mapping
    merged: list[Node] = []
    for key_node, value_node in node.value:
        if key_node.tag == _PLAIN and key_node.value == "<<":
            merged.extend(_merge_sources(value_node))
            continue
        mapping[_key(_build(key_node, shared), key_node)] = _build(value_node, shared)
    if merged:
        base: dict[Any, Any] = {}
        for source in reversed(merged):
            base.update(_build(source, shared))
        base.update(mapping)
        mapping.clear()
        mapping.update(base)
    return mapping


def _composed(text: str) -> Iterator[tuple[int, Node]]:
    """The composed documents of a stream: (index counting from 1, root node).

    Empty documents are counted but not yielded. A document that aliases
    would blow up is refused here, before anything is built from it.
    Raises YamlError with the line and column of the first syntax error.
    """
    loader = Yaml12Loader(text)
    may_alias = "&" in text
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            index += 1
            if node is None:
                continue
            if may_alias:
                _check_expansion(node)
            yield index, node
    except yaml.YAMLError as exc:
        raise _error_from(exc) from None
    except RecursionError:
        raise YamlError("document is nested too deeply") from None
    finally:
        loader.dispose()


def load_documents(text: str) -> list[Document]:
    """Parse a YAML stream into its non-empty documents.

    Raises YamlError with the line and column of the first syntax error.
    """
    shared: dict[int, Any] | None = {} if "&" in text else None
    documents: list[Document] = []
    try:
        for index, node in _composed(text):
            data = _build(node, shared)
            if data is not None:
                documents.append(Document(index, node.start_mark.line + 1, data))
    except RecursionError:
        raise YamlError("document is nested too deeply") from None
    return documents


@dataclass(frozen=True)
class LinedDocument:
    """A document built again with the line of each collection and mapping key.

    `lines` maps id(list or dict) to its line; `key_lines` maps id(dict) to
    {key: line}. Built only for files with findings, to point them at the line.
    """

    index: int
    data: Any
    lines: dict[int, int]
    key_lines: dict[int, dict[Any, int]]


def _build_lined(node: Node, document: LinedDocument) -> Any:
    if node.__class__ is ScalarNode:
        return _build(node, None)
    if node.__class__ is SequenceNode:
        items = [_build_lined(child, document) for child in node.value]
        document.lines[id(items)] = node.start_mark.line + 1
        return items
    mapping: dict[Any, Any] = {}
    keys: dict[Any, int] = {}
    merged: list[Node] = []
    for key_node, value_node in node.value:
        if key_node.tag == _PLAIN and key_node.value == "<<":
            merged.extend(_merge_sources(value_node))
            continue
        key = _key(_build(key_node, None), key_node)
        mapping[key] = _build_lined(value_node, document)
        keys[key] = key_node.start_mark.line + 1
    for source in merged:
        for key_node, value_node in source.value:
            key = _key(_build(key_node, None), key_node)
            if key not in mapping:
                mapping[key] = _build_lined(value_node, document)
                keys[key] = key_node.start_mark.line + 1
    document.lines[id(mapping)] = node.start_mark.line + 1
    document.key_lines[id(mapping)] = keys
    return mapping


def load_lined_documents(text: str) -> dict[int, LinedDocument]:
    """The documents of a stream by index, with lines (see LinedDocument)."""
    found: dict[int, LinedDocument] = {}
    try:
        for index, node in _composed(text):
            document = LinedDocument(index, None, {}, {})
            found[index] = replace(document, data=_build_lined(node, document))
    except RecursionError:
        raise YamlError("document is nested too deeply") from None
    return found


@dataclass
class LocatedData:
    """Plain data read from a YAML file, with the position of every value and key."""

    file: str
    data: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    duplicates: list[tuple[Path, int, int]] = field(default_factory=list)

    def position(self, path: Path, *, key: bool = False) -> tuple[int, int] | None:
        """Line and column of the value at `path` (or of its key), else of its nearest parent."""
        if key and path in self.key_positions:
            return self.key_positions[path]
        while True:
            if path in self.positions:
                return self.positions[path]
            if not path:
                return None
            path = path[:-1]


class _LocatedBuilder:
    """Builds plain data from a node tree, recording positions and duplicate keys."""

    def __init__(self, result: LocatedData) -> None:
        self.result = result
        self.count = 0

    def build(self, node: Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_EXPANDED_NODES:
            raise YamlError("document expands to too many nodes through aliases")
        mark = node.start_mark
        self.result.positions.setdefault(path, (mark.line + 1, mark.column + 1))
        if isinstance(node, ScalarNode):
            return _build(node, None)
        if isinstance(node, SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        mapping: dict[Any, Any] = {}
        merged: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _PLAIN and key_node.value == "<<":
                merged.extend(_merge_sources(value_node))
                continue
            key, child_path = self._key(key_node, path)
            position = _position(key_node)
            if key in mapping:
                self.result.duplicates.append((child_path, *position))
            self.result.key_positions[child_path] = position
            mapping[key] = self.build(value_node, child_path)
        for source in merged:  # merged keys never override, and are not duplicates
            for key_node, value_node in source.value:
                key, child_path = self._key(key_node, path)
                if key not in mapping:
                    self.result.key_positions[child_path] = _position(key_node)
                    mapping[key] = self.build(value_node, child_path)
        return mapping

    @staticmethod
    def _key(key_node: Node, path: Path) -> tuple[Any, Path]:
        if not isinstance(key_node, ScalarNode):
            raise YamlError("a mapping key must be a plain value", *_position(key_node))
        key = _build(key_node, None)
        if not isinstance(key, str | int | float | bool) and key is not None:
            key = str(key)
        return key, (*path, key if isinstance(key, str | int) else str(key))


def _position(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def load_located(text: str, file: str) -> LocatedData:
    """Parse a single-document YAML file (a pack or a config) with positions.

    Raises YamlError for syntax errors, unknown tags and a second document.
    """
    loader = Yaml12Loader(text)
    result = LocatedData(file, None)
    try:
        node = loader.get_single_node()
        if node is not None:
            result.data = _LocatedBuilder(result).build(node, ())
    except yaml.YAMLError as exc:
        raise _error_from(exc) from None
    except RecursionError:
        raise YamlError("document is nested too deeply") from None
    finally:
        loader.dispose()
    return result


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
