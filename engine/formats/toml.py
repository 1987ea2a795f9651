"""TOML: one document."""

from __future__ import annotations

import re
import tomllib

from engine.formats import ParseError
from engine.yaml12 import Document

_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def parse(text: str) -> list[Document]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _AT.search(message)
        if found is None:
            raise ParseError(message) from None
        raise ParseError(
            message[: found.start()], int(found.group(1)), int(found.group(2))
        ) from None
    return [Document(1, 1, data)]
