"""Manifest formats, registered once: each turns a file's text into documents.

A format is a module of this package with `parse(text) -> list[Document]`,
described by one `ManifestFormat` in `FORMATS`: its name (what a check's
`format:` says), the file names and suffixes it is chosen for, and the shape
of its documents. The JSON Schema's `format` enum and the format table of
docs/pack-format.md follow from this list (tests/formats/test_registry.py).
Modules are imported on first use, so a run that reads no TOML never imports
tomllib.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from engine.errors import bounded
from engine.model.documents import Document


@dataclass(frozen=True)
class ManifestFormat:
    """One manifest format: its parser module (engine/formats/<name>.py) and the files
    it is chosen for when a check names no format."""

    name: str
    names: tuple[str, ...] = ()  # exact file names (`Dockerfile`, `Cargo.lock`)
    prefixes: tuple[str, ...] = ()  # file-name prefixes (`Dockerfile.` for Dockerfile.dev)
    suffixes: tuple[str, ...] = ()  # file-name suffixes, lower-case (`.yaml`)

    @property
    def module(self) -> str:
        """The module under engine.formats that parses it."""
        return f"engine.formats.{self.name}"


FORMATS: dict[str, ManifestFormat] = {
    f.name: f
    for f in (
        ManifestFormat("yaml", suffixes=(".yaml", ".yml")),
        ManifestFormat("json", suffixes=(".json",)),
        ManifestFormat("toml", names=("Cargo.lock",), suffixes=(".toml",)),
        ManifestFormat(
            "dockerfile",
            names=("Dockerfile", "Containerfile"),
            prefixes=("Dockerfile.", "Containerfile."),
            suffixes=(".dockerfile",),
        ),
        ManifestFormat(
            "ini",
            names=(".editorconfig", ".gitconfig"),
            suffixes=(".ini", ".cfg"),
        ),
        ManifestFormat("xml", suffixes=(".xml",)),
        ManifestFormat("text"),
    )
}
#: The format of a file that no name or suffix claims.
DEFAULT_FORMAT = "text"
# Lookup tables derived from FORMATS: `format_for` runs once per file of a run.
_BY_NAME = {name: f.name for f in FORMATS.values() for name in f.names}
_BY_SUFFIX = {suffix: f.name for f in FORMATS.values() for suffix in f.suffixes}
_BY_PREFIX = tuple((prefix, f.name) for f in FORMATS.values() for prefix in f.prefixes)


class ParseError(Exception):
    """A file that does not parse as its format; line and column are 1-based."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        message = bounded(message)
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def long_integer(text: str, error: ValueError) -> Exception:
    """What to raise for a parser's `error` that is not a parse error of its own: a
    ParseError where `text` has an integer with more digits than Python converts
    (engine/long_integers.py), else `error` itself."""
    from engine import long_integers

    found = long_integers.find(text)
    return error if found is None else ParseError(*found)


def format_for(path: str) -> str:
    """The format a file is read as when a check does not say: by name, then suffix."""
    name = path.rpartition("/")[2]
    if name in _BY_NAME:
        return _BY_NAME[name]
    for prefix, format_name in _BY_PREFIX:
        if name.startswith(prefix):
            return format_name
    dot = name.rfind(".")
    return _BY_SUFFIX.get(name[dot:].lower(), DEFAULT_FORMAT) if dot >= 0 else DEFAULT_FORMAT


#: How deep lists and mappings of a parsed document may nest: deeper data is a parse error
#: (rules read it, messages quote it, reports write it, all of which recurse).
MAX_DEPTH = 200


def parse_text(format_name: str, text: str) -> list[Document]:
    """The documents of `text` in a format; ParseError when it does not parse or nests
    deeper than MAX_DEPTH, whatever the format."""
    try:
        documents = parser(format_name)(text)
    except RecursionError:  # a parser that recurses per level (tomllib, json)
        raise ParseError(f"nested deeper than {MAX_DEPTH} levels", 1) from None
    for document in documents:
        if _nests_deeper(document.data, MAX_DEPTH):
            raise ParseError(f"nested deeper than {MAX_DEPTH} levels", document.line)
    return documents


def _nests_deeper(data: object, limit: int) -> bool:
    """Whether lists and dicts in `data` nest deeper than `limit` (without recursing)."""
    stack = [(data, 1)] if isinstance(data, dict | list) else []
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def parser(format_name: str) -> Callable[[str], list[Document]]:
    """The parse function of a format (KeyError for an unknown one)."""
    module = importlib.import_module(FORMATS[format_name].module)
    parse: Callable[[str], list[Document]] = module.parse
    return parse
