"""Manifest formats: each module turns a file's text into documents.

A parser is a function `parse(text) -> list[Document]` in a module of this
package, named in `PARSERS`. Modules are imported on first use, so a run that
reads no TOML never imports tomllib.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from engine.model.documents import Document

#: format name -> module under engine.formats that defines `parse(text)`
PARSERS: dict[str, str] = {
    "yaml": "yaml",
    "json": "json",
    "toml": "toml",
    "dockerfile": "dockerfile",
    "ini": "ini",
    "xml": "xml",
    "text": "text",
}

_BY_SUFFIX = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".toml": "toml",
    ".ini": "ini",
    ".cfg": "ini",
    ".xml": "xml",
    ".dockerfile": "dockerfile",
}
_BY_NAME = {
    "Dockerfile": "dockerfile",
    "Containerfile": "dockerfile",
    "Cargo.lock": "toml",
    ".editorconfig": "ini",
    ".gitconfig": "ini",
}


class ParseError(Exception):
    """A file that does not parse as its format; line and column are 1-based."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def format_for(path: str) -> str:
    """The format a file is read as when a check does not say: by name, then suffix."""
    name = path.rpartition("/")[2]
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name.startswith(("Dockerfile.", "Containerfile.")):
        return "dockerfile"
    dot = name.rfind(".")
    return _BY_SUFFIX.get(name[dot:].lower(), "text") if dot >= 0 else "text"


def parser(format_name: str) -> Callable[[str], list[Document]]:
    """The parse function of a format (KeyError for an unknown one)."""
    module = importlib.import_module(f"engine.formats.{PARSERS[format_name]}")
    parse: Callable[[str], list[Document]] = module.parse
    return parse
