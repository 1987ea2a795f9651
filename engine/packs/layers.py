"""One pack file of an `extends` chain, as read: its located data, and problems located in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.errors import Location, Problem
from engine.model.documents import KeyPath
from engine.model.located import LocatedData
from engine.packs.finder import PackFile


@dataclass
class Layer:
    """One pack file of an `extends` chain, as read."""

    file: PackFile
    located: LocatedData
    # the file as read: the pack's digest covers it; with where it was found, it is the
    # loaded-pack cache's key
    text: str = ""

    @property
    def data(self) -> dict[str, Any]:
        data = self.located.data
        return data if isinstance(data, dict) else {}

    @property
    def name(self) -> str:
        return str(self.data.get("name", ""))

    def rule_at(self, path: KeyPath) -> str | None:
        """The id of the rule (or override) a path is inside, for messages."""
        if len(path) >= 2 and path[0] in ("rules", "overrides"):
            items = self.data.get(path[0])
            if isinstance(items, list) and isinstance(path[1], int) and path[1] < len(items):
                item = items[path[1]]
                if isinstance(item, dict):
                    rule_id = item.get("id" if path[0] == "rules" else "rule")
                    return str(rule_id) if rule_id is not None else None
        return None

    def problem(self, path: KeyPath, message: str, *, key: bool = False) -> Problem:
        """A problem located at `path` of this file (or at its key), naming its rule."""
        position = self.located.position(path, key=key)
        location = Location(self.file.display, *(position or ()))
        return Problem(message, location, self.rule_at(path))
