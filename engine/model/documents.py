"""What a manifest format yields: documents of plain data, and paths into them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: A path to a value inside loaded data: mapping keys and list indexes, outermost
#: first (`("rules", 3, "check")`). Problems in packs and configs are located by it.
KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Document:
    """One document of a manifest file. `index` counts from 1, empty ones included.

    `data` is plain JSON-like data: dicts, lists, strings, numbers, booleans, None.
    """

    index: int
    line: int
    data: Any
