"""YAML read with the YAML 1.2 core schema, on top of PyYAML.

PyYAML implements YAML 1.1, where `on:` is the boolean true and `0444` is the
octal number 292. Kubernetes manifests, GitHub workflows and rule packs are
written by people who expect 1.2, so every loader here resolves plain scalars
with the 1.2 core schema: only true/false are booleans, integers are decimal
unless written 0o/0x, and there are no implicit timestamps.

Every loader reads a document the same way: PyYAML's (C) composer makes the
node graph, `_check_aliases` refuses it if aliases would blow it up or loop,
and only then is data built, with `<<` merge keys resolved as the merge spec
and PyYAML (up to 6.0.3) resolve them.
Two builders make the data:

- `_build`, the fast one: `load_documents` reads repository manifests with it,
  keeping each document's first line.
- `_Locator`, which also records the line and column of every value and key:
  `load_located` reads packs and config files with it and reports duplicate
  keys (which YAML loaders otherwise resolve silently by keeping the last
  one); `load_lined_documents` reads a manifest stream again with it, to
  point findings at their line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import AliasEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.model.documents import Document, KeyPath

try:  # libyaml makes parsing several times faster; fall back when it is absent
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: The most nodes a document may expand to through aliases.
MAX_EXPANDED_NODES = 1_000_000

_Pair = tuple[Node, Node]  # a mapping entry: key node, value node

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


def _error_from(exc: yaml.YAMLError) -> YamlError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"{context}, {problem}" if context else str(problem)
    if mark is None:
        return YamlError(message)
    return YamlError(message, mark.line + 1, mark.column + 1)


def _position(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


@contextmanager
def _reading(text: str) -> Iterator[Yaml12Loader]:
    """A loader over `text`; anything that goes wrong while it is used is a YamlError."""
    loader = Yaml12Loader(text)
    try:
        yield loader
    except yaml.YAMLError as exc:
        raise _error_from(exc) from None
    except RecursionError:
        raise YamlError("document is nested too deeply") from None
    finally:
        loader.dispose()


def _documents(loader: Yaml12Loader, text: str) -> Iterator[tuple[int, Node]]:
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
            _check_aliases(node, text)
        yield index, node


def _check_aliases(root: Node, text: str) -> None:
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
                *_position(node),
            )
        sizes[node] = total
        return total

    size(root)


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
    return YamlError("an alias is inside the node it refers to (a loop)", *_position(anchored))


def _build(node: Node, memo: dict[Node, Any] | None) -> Any:
    """Plain data from a checked node.

    `memo` makes aliases share what they build, as PyYAML does. It holds one
    document's nodes (anchors do not reach past their document); None when
    the text has no anchor.
    """
    if node.__class__ is ScalarNode:
        tag = node.tag
        if tag == _PLAIN:
            return _plain(node.value)
        return node.value if tag == _STR else _tagged(node)
    if memo is not None:
        known = memo.get(node)
        if known is not None:
            return known
    built: Any
    if node.__class__ is SequenceNode:
        built = [_build(child, memo) for child in node.value]
    else:
        built = {_key(key): _build(value, memo) for key, value in _pairs(node)}
    if memo is not None:
        memo[node] = built
    return built


def _key(node: Node) -> Any:
    if node.__class__ is not ScalarNode:
        raise YamlError("a mapping key must be a plain value", *_position(node))
    return _build(node, None)


def _is_merge(key: Node) -> bool:
    return key.tag == _PLAIN and key.value == "<<"


def _pairs(node: Node) -> list[_Pair]:
    """A mapping's (key, value) nodes, with what its `<<` keys merge first (see `_split`)."""
    for key, _ in node.value:
        if key.value == "<<" and key.tag == _PLAIN:  # _is_merge, inlined: every mapping asks
            merged, own = _split(node)
            return merged + own
    return node.value  # type: ignore[no-any-return]


def _split(node: Node) -> tuple[list[_Pair], list[_Pair]]:
    """A mapping's pairs that `<<` keys merge in, and its own.

    As the merge spec (https://yaml.org/type/merge.html) and PyYAML up to
    6.0.3 have it: own keys win over merged ones, the first of a list of
    merged mappings wins (so the list is spliced in last first), and the
    merged mappings' own `<<` keys are resolved too.
    """
    merged: list[_Pair] = []
    own: list[_Pair] = []
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
            raise YamlError("`<<` merges a mapping or a list of mappings", *_position(value))
    return merged, own


def load_documents(text: str) -> list[Document]:
    """Parse a YAML stream into its non-empty documents.

    Raises YamlError with the line and column of the first syntax error.
    """
    may_alias = "&" in text
    documents: list[Document] = []
    with _reading(text) as loader:
        for index, node in _documents(loader, text):
            data = _build(node, {} if may_alias else None)
            if data is not None:
                documents.append(Document(index, node.start_mark.line + 1, data))
    return documents


@dataclass
class LocatedData:
    """Plain data read from a YAML file, with the position of every value and key.

    A value reached through an alias has the position of its anchor.
    `comment_cuts` holds the plain (unquoted) scalars that a comment follows on
    their line, with the position of the `#`: `title: C# # note` reads as
    "C#", which may not be what the author meant.
    """

    file: str
    data: Any
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    duplicates: list[tuple[KeyPath, int, int]] = field(default_factory=list)
    comment_cuts: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: KeyPath, *, key: bool = False) -> tuple[int, int] | None:
        """Line and column of the value at `path` (or of its key), else of its nearest parent."""
        if key and path in self.key_positions:
            return self.key_positions[path]
        while True:
            if path in self.positions:
                return self.positions[path]
            if not path:
                return None
            path = path[:-1]


_COMMENT_AFTER = re.compile(r"[ \t]+#")


class _Locator:
    """Builds plain data from a checked node, recording where each value and key is.

    Nothing is shared: an aliased node is built again at every path it has.
    With `text`, it notes the plain scalars a comment cuts; with `paths`, the
    path of every list and dict it builds, by id().
    """

    def __init__(
        self, result: LocatedData, text: str | None = None, paths: dict[int, KeyPath] | None = None
    ) -> None:
        self.result = result
        self.text = text
        self.paths = paths

    def build(self, node: Node, path: KeyPath) -> Any:
        self.result.positions[path] = _position(node)
        built: Any
        if node.__class__ is ScalarNode:
            if self.text is not None and not node.style and node.value:
                self._note_comment(node, path)
            return _build(node, None)
        if node.__class__ is SequenceNode:
            built = [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        else:
            built = self._mapping(node, path)
        if self.paths is not None:
            self.paths[id(built)] = path
        return built

    def _mapping(self, node: Node, path: KeyPath) -> dict[Any, Any]:
        merged, own = _split(node)
        chosen: dict[Any, tuple[KeyPath, _Pair]] = {}  # in PyYAML's order: first place, last value
        for pair in merged:
            key, child_path = self._key(pair[0], path)
            chosen[key] = (child_path, pair)
        own_keys = set()
        for pair in own:
            key, child_path = self._key(pair[0], path)
            if key in own_keys:
                self.result.duplicates.append((child_path, *_position(pair[0])))
            own_keys.add(key)
            chosen[key] = (child_path, pair)
        mapping: dict[Any, Any] = {}
        for key, (child_path, (key_node, value_node)) in chosen.items():
            self.result.key_positions[child_path] = _position(key_node)
            mapping[key] = self.build(value_node, child_path)
        return mapping

    @staticmethod
    def _key(node: Node, path: KeyPath) -> tuple[Any, KeyPath]:
        key = _key(node)
        return key, (*path, key if isinstance(key, str | int) else str(key))

    def _note_comment(self, node: Node, path: KeyPath) -> None:
        assert self.text is not None
        end = node.end_mark
        found = _COMMENT_AFTER.match(self.text, end.index)
        if found:
            hash_column = end.column + found.end() - end.index  # 1-based: the `#` is at end() - 1
            self.result.comment_cuts[path] = (end.line + 1, hash_column)


def load_located(text: str, file: str) -> LocatedData:
    """Parse a single-document YAML file (a pack or a config) with positions.

    Raises YamlError for syntax errors, unknown tags and a second document.
    """
    text = text.removeprefix("\ufeff")  # so that marks index the text (libyaml skips it)
    result = LocatedData(file, None)
    with _reading(text) as loader:
        node = loader.get_single_node()
        if node is not None:
            if "&" in text:
                _check_aliases(node, text)
            result.data = _Locator(result, text).build(node, ())
    return result


@dataclass(frozen=True)
class LinedDocument:
    """A document of a stream built again with positions, to point a finding at a line.

    Built only for files with findings. `paths` maps id() of each list and
    dict of `located.data` to its path.
    """

    index: int
    located: LocatedData
    paths: dict[int, KeyPath]

    @property
    def data(self) -> Any:
        return self.located.data

    def line(self, value: Any) -> int | None:
        """The line of a list or dict of this document's data."""
        path = self.paths.get(id(value))
        return None if path is None else self.located.positions[path][0]

    def key_line(self, mapping: Any, key: str) -> int | None:
        """The line of `key` in a dict of this document's data."""
        path = self.paths.get(id(mapping))
        found = None if path is None else self.located.key_positions.get((*path, key))
        return None if found is None else found[0]


def load_lined_documents(text: str) -> dict[int, LinedDocument]:
    """The documents of a stream by index, with positions (see LinedDocument)."""
    found: dict[int, LinedDocument] = {}
    with _reading(text) as loader:
        for index, node in _documents(loader, text):
            located = LocatedData("", None)
            paths: dict[int, KeyPath] = {}
            located.data = _Locator(located, paths=paths).build(node, ())
            found[index] = LinedDocument(index, located, paths)
    return found


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
