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
from dataclasses import dataclass, field
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


class Yaml12Loader(_BaseLoader):
    """A safe loader whose implicit scalar types follow the YAML 1.2 core schema."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class registry

    def construct_yaml_int(self, node: ScalarNode) -> int:
        text = str(self.construct_scalar(node))
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        if digits.startswith("0o"):
            return sign * int(digits[2:], 8)
        if digits.startswith("0x"):
            return sign * int(digits[2:], 16)
        return sign * int(digits, 10)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", Yaml12Loader.construct_yaml_int)
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
# Merge keys are YAML 1.1, but CI files (`<<: *defaults`) depend on them.
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^<<$"), ["<"])


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


def load_documents(text: str) -> list[Document]:
    """Parse a YAML stream into its non-empty documents.

    Raises YamlError with the line and column of the first syntax error.
    """
    loader = Yaml12Loader(text)
    may_alias = "&" in text
    documents: list[Document] = []
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            index += 1
            if node is None:
                continue
            if may_alias:
                _check_expansion(node)
            data = loader.construct_document(node)
            if data is not None:
                documents.append(Document(index, node.start_mark.line + 1, data))
    except yaml.YAMLError as exc:
        raise _error_from(exc) from None
    except RecursionError:
        raise YamlError("document is nested too deeply") from None
    finally:
        loader.dispose()
    return documents


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

    def __init__(self, loader: Yaml12Loader, result: LocatedData) -> None:
        self.loader = loader
        self.result = result
        self.count = 0

    def build(self, node: Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_EXPANDED_NODES:
            raise YamlError("document expands to too many nodes through aliases")
        mark = node.start_mark
        self.result.positions.setdefault(path, (mark.line + 1, mark.column + 1))
        if isinstance(node, ScalarNode):
            return self.loader.construct_object(node)
        if isinstance(node, SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            self.loader.flatten_mapping(node)
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    raise YamlError(
                        "a mapping key must be a plain value",
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                    )
                key = self.loader.construct_object(key_node)
                if not isinstance(key, str | int | float | bool) and key is not None:
                    key = str(key)
                key_mark = key_node.start_mark
                child_path = (*path, key if isinstance(key, str | int) else str(key))
                if key in mapping:
                    self.result.duplicates.append(
                        (child_path, key_mark.line + 1, key_mark.column + 1)
                    )
                self.result.key_positions[child_path] = (key_mark.line + 1, key_mark.column + 1)
                mapping[key] = self.build(value_node, child_path)
            return mapping
        raise YamlError(f"unsupported YAML node {node.tag}")  # pragma: no cover


def load_located(text: str, file: str) -> LocatedData:
    """Parse a single-document YAML file (a pack or a config) with positions.

    Raises YamlError for syntax errors, unknown tags and a second document.
    """
    loader = Yaml12Loader(text)
    result = LocatedData(file, None)
    try:
        node = loader.get_single_node()
        if node is not None:
            result.data = _LocatedBuilder(loader, result).build(node, ())
    except yaml.YAMLError as exc:
        raise _error_from(exc) from None
    except RecursionError:
        raise YamlError("document is nested too deeply") from None
    finally:
        loader.dispose()
    return result


def parse_scalar(text: str) -> Any:
    """Read one command-line value (`--param k=v`) the way YAML 1.2 would."""
    if not text.strip():
        return text
    try:
        documents = load_documents(text)
    except YamlError:
        return text
    if len(documents) != 1 or isinstance(documents[0].data, dict | list):
        return text
    return documents[0].data


def iter_strings(data: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every string value in a nested structure, with its path."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from iter_strings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from iter_strings(value, (*path, i))
