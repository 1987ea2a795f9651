"""Adding a waiver to a config or a waivers file as text, keeping its comments and layout.

`policy waive` must not rewrite the file through a YAML dumper, which would drop
comments and reorder keys. So the file is composed once, to find where its
waivers list ends, and the new entry is inserted there as text: after the last
line of a block list, in the indentation its entries have, or as one more
`{...}` item of a flow list. The caller parses the result again and refuses to
write it unless it holds the new entry (engine/commands/waive.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.yaml12 import reading
from engine.yaml_located import load_located

#: Text that YAML reads as itself when written plain (rule ids, dates, globs without magic).
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]*")


def scalar(value: str) -> str:
    """`value` as a YAML scalar: plain when that reads back as the same text, else quoted."""
    if _PLAIN.fullmatch(value) and load_located(f"k: {value}\n", "").data == {"k": value}:
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _value(value: str | Sequence[str]) -> str:
    if isinstance(value, str):
        return scalar(value)
    return "[" + ", ".join(json.dumps(item, ensure_ascii=False) for item in value) + "]"


def block_entry(entry: Mapping[str, str | Sequence[str]], column: int) -> list[str]:
    """The lines of a block list item `- key: value` whose dash is at `column`."""
    pad = " " * column
    lines = [
        f"{pad}{'- ' if i == 0 else '  '}{key}: {_value(value)}"
        for i, (key, value) in enumerate(entry.items())
    ]
    return lines


def flow_entry(entry: Mapping[str, str | Sequence[str]]) -> str:
    """The entry as one flow mapping: `{rule: r, reason: "...", ...}`."""
    return "{" + ", ".join(f"{key}: {_value(value)}" for key, value in entry.items()) + "}"


def _last_end(node: Node) -> int:
    """Where the last value inside `node` ends (a block collection's own end mark lies at
    the next key, past comments that belong to it)."""
    if isinstance(node, ScalarNode) or getattr(node, "flow_style", False) or not node.value:
        return int(node.end_mark.index)
    last = node.value[-1]
    return _last_end(last[1] if isinstance(node, MappingNode) else last)


def _after_line(text: str, index: int) -> int:
    """The index just past the line that `index` is on (past its newline, if any)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _insert_lines(text: str, at: int, lines: list[str], newline: str) -> str:
    before = text[:at]
    if before and not before.endswith("\n"):
        before += newline
    return before + "".join(line + newline for line in lines) + text[at:]


def _into_list(text: str, node: Node, entry: Mapping[str, Any], newline: str) -> str:
    """`text` with `entry` added to the list `node` (block or flow)."""
    if getattr(node, "flow_style", False):
        close = int(node.end_mark.index) - 1  # the `]`
        item = flow_entry(entry)
        return text[:close] + (", " if node.value else "") + item + text[close:]
    lines = block_entry(entry, int(node.start_mark.column))
    return _insert_lines(text, _after_line(text, _last_end(node)), lines, newline)


def append_waiver(text: str, entry: Mapping[str, Any], *, top_level_list: bool) -> str:
    """`text` (a config, or with `top_level_list` a waivers file) with `entry` added at the
    end of its waivers; the rest of the text is kept as it is."""
    newline = "\r\n" if "\r\n" in text else "\n"
    with reading(text) as loader:
        root = loader.get_single_node()
    if top_level_list:
        if isinstance(root, SequenceNode):
            return _into_list(text, root, entry, newline)
        return _insert_lines(text, len(text), block_entry(entry, 0), newline)  # empty file
    pairs = root.value if isinstance(root, MappingNode) else []
    found = next((pair for pair in pairs if getattr(pair[0], "value", None) == "waivers"), None)
    if found is None:
        return _insert_lines(text, len(text), ["waivers:", *block_entry(entry, 2)], newline)
    value = found[1]
    if not isinstance(value, SequenceNode):
        return text  # not a list: the config's check has refused it already
    return _into_list(text, value, entry, newline)
