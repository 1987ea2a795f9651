"""INI files: `{section: {key: value}}`; keys before the first section sit at the top.

Values stay strings and `%` is not interpolated; key case is kept.
"""

from __future__ import annotations

import configparser
from typing import Any

from engine.formats import ParseError
from engine.model.documents import Document

_TOP = "\0top"  # a section name no file can contain


def parse(text: str) -> list[Document]:
    reader = configparser.ConfigParser(
        interpolation=None, strict=False, default_section="\0default", allow_no_value=True
    )
    reader.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        reader.read_string(f"[{_TOP}]\n{text}")
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None)
        message = str(getattr(exc, "message", exc)).splitlines()[0]
        raise ParseError(message, line - 1 if line else None) from None
    data: dict[str, Any] = dict(reader[_TOP])
    for section in reader.sections():
        if section != _TOP:
            data[section] = dict(reader[section])
    return [Document(1, 1, data)]
