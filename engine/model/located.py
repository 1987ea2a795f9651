"""Plain data read from a YAML file with the position of every value and key: what a
pack, config or waivers file reads as (engine/yaml_located.py reads it).

Kept apart from the reader so that a run that reads every file from its caches
(built packs, pack files kept with their positions) never imports the YAML loader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.model.documents import KeyPath


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
