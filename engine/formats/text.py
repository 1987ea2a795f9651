"""Plain text: one document `{"content": "...", "lines": ["...", ...]}`."""

from __future__ import annotations

from engine.model.documents import Document


def parse(text: str) -> list[Document]:
    return [Document(1, 1, {"content": text, "lines": text.splitlines()})]
