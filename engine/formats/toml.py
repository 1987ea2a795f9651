"""TOML: one document."""

from __future__ import annotations

import re
import tomllib

from engine.formats import ParseError
from engine.yaml12 import Document

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
    return [Document(1, 1, data)]
