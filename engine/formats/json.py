"""JSON: one document (strict JSON; comments are a parse error)."""

from __future__ import annotations

import json

from engine.formats import ParseError, long_integer
from engine.model.documents import Document


def parse(text: str) -> list[Document]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(exc.msg, exc.lineno, exc.colno) from None
    except ValueError as exc:  # not the parser's own error: a number too long to convert
        raise long_integer(text, exc) from None
    return [Document(1, 1, data)]
