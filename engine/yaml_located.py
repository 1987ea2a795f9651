"""YAML read with positions: packs, configs, `expect.yaml`, and manifests again for lines.

`load_located` reads a pack or config file into plain data plus the line and
column of every value and key, and reports duplicate keys, which YAML loaders
otherwise resolve silently by keeping the last one. `load_lined_documents`
builds a manifest stream again with the line of each collection and key, only
for files with findings, so a finding can point at the field it is about.
Both read through engine/yaml12.py: the same YAML 1.2 types, the same alias
checks before anything is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from yaml.nodes import Node, ScalarNode, SequenceNode

from engine.errors import InputError, Location, Problem
from engine.model.documents import KeyPath
from engine.model.located import LocatedData
from engine.yaml12 import (
    Pair,
    YamlError,
    build,
    check_aliases,
    check_depth,
    composed_documents,
    mapping_key,
    position,
    reading,
    split_merges,
)

_COMMENT_AFTER = re.compile(r"[ \t]+#")
#: How deep a pack's or a config's lists and mappings may nest (the built-in packs: 8).
MAX_DEPTH = 64


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
        self.result.positions[path] = position(node)
        built: Any
        if node.__class__ is ScalarNode:
            if self.text is not None and not node.style and node.value:
                self._note_comment(node, path)
            return build(node, None)
        if node.__class__ is SequenceNode:
            built = [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        else:
            built = self._mapping(node, path)
        if self.paths is not None:
            self.paths[id(built)] = path
        return built

    def _mapping(self, node: Node, path: KeyPath) -> dict[Any, Any]:
        merged, own = split_merges(node)
        chosen: dict[Any, tuple[KeyPath, Pair]] = {}  # in PyYAML's order: first place, last value
        for pair in merged:
            key, child_path = self._key(pair[0], path)
            chosen[key] = (child_path, pair)
        own_keys = set()
        for pair in own:
            key, child_path = self._key(pair[0], path)
            if key in own_keys:
                self.result.duplicates.append((child_path, *position(pair[0])))
            own_keys.add(key)
            chosen[key] = (child_path, pair)
        mapping: dict[Any, Any] = {}
        for key, (child_path, (key_node, value_node)) in chosen.items():
            self.result.key_positions[child_path] = position(key_node)
            mapping[key] = self.build(value_node, child_path)
        return mapping

    @staticmethod
    def _key(node: Node, path: KeyPath) -> tuple[Any, KeyPath]:
        key = mapping_key(node)
        return key, (*path, key if isinstance(key, str | int) else str(key))

    def _note_comment(self, node: Node, path: KeyPath) -> None:
        assert self.text is not None
        end = node.end_mark
        found = _COMMENT_AFTER.match(self.text, end.index)
        if found:
            hash_column = end.column + found.end() - end.index  # 1-based: the `#` is at end() - 1
            self.result.comment_cuts[path] = (end.line + 1, hash_column)


def load_input(text: str, file: str) -> tuple[LocatedData, list[Problem]]:
    """`load_located` for a user's file: a syntax error raises InputError, located; the
    duplicate keys come back as problems."""
    try:
        located = load_located(text, file)
    except YamlError as exc:
        raise InputError(
            Problem(f"not valid YAML: {exc.message}", Location(file, exc.line, exc.column))
        ) from None
    return located, [
        Problem(f"duplicate key {path[-1]!r}", Location(file, line, column))
        for path, line, column in located.duplicates
    ]


def load_located(text: str, file: str) -> LocatedData:
    """Parse a single-document YAML file (a pack or a config) with positions.

    Raises YamlError for syntax errors, unknown tags and a second document.
    """
    text = text.removeprefix("\ufeff")  # so that marks index the text (libyaml skips it)
    result = LocatedData(file, None)
    with reading(text) as loader:
        node = loader.get_single_node()
        if node is not None:
            if "&" in text:
                check_aliases(node, text)
            check_depth(node, MAX_DEPTH)
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
    with reading(text) as loader:
        for index, node in composed_documents(loader, text):
            located = LocatedData("", None)
            paths: dict[int, KeyPath] = {}
            located.data = _Locator(located, paths=paths).build(node, ())
            found[index] = LinedDocument(index, located, paths)
    return found
