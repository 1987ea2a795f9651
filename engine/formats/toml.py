"""TOML: one document, the table, as plain data.

Dates and times become the RFC 3339 / ISO 8601 text of their value, as in
YAML 1.2 and JSON, which have no date type either: `2024-01-01`,
`07:32:00`, `1979-05-27T07:32:00` (local), `1979-05-27T00:32:00-07:00`, and
`Z` for UTC. JMESPath compares such text in time order as long as the
values have the same form.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from typing import Any

from engine.formats import ParseError, long_integer
from engine.model.documents import Document

_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_AT_END = " (at end of document)"


def parse(text: str) -> list[Document]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _AT.search(message)
        if found is None:
            if message.endswith(_AT_END):  # the file stops inside a value: name its last line
                line = text.count("\n") + (0 if text.endswith("\n") else 1)
                raise ParseError(
                    f"{message[: -len(_AT_END)]} at the end of the file", max(line, 1)
                ) from None
            raise ParseError(message) from None
        raise ParseError(
            message[: found.start()], int(found.group(1)), int(found.group(2))
        ) from None
    except ValueError as exc:  # not the parser's own error: a number too long to convert
        raise long_integer(text, exc) from None
    return [Document(1, 1, _plain(data))]


def _plain(value: Any) -> Any:
    """tomllib's value with every date, time and datetime as text."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.date | datetime.time):  # a datetime is a date too
        return _rfc3339(value)
    return value


def _rfc3339(value: datetime.date | datetime.time) -> str:
    text = value.isoformat()
    if isinstance(value, datetime.datetime) and value.utcoffset() == datetime.timedelta(0):
        return text.removesuffix("+00:00") + "Z"  # TOML reads `Z` and `+00:00` alike
    return text
