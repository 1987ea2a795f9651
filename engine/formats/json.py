"""JSON: one document (strict JSON; comments are a parse error)."""

from __future__ import annotations

import json

from engine.formats import ParseError
from engine.model.documents import Document


def parse(text: str) -> list[Document]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(exc.msg, exc.lineno, exc.colno) from None
    return [Document(1, 1, data)]
