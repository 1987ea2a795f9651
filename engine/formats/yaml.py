"""YAML streams: every non-empty document, read with YAML 1.2 types."""

from __future__ import annotations

from engine.formats import ParseError
from engine.model.documents import Document
from engine.yaml12 import YamlError, load_documents


def parse(text: str) -> list[Document]:
    try:
        return load_documents(text)
    except YamlError as exc:
        raise ParseError(exc.message, exc.line, exc.column) from None
