"""Code in rule text: "Run `cargo test` first" shows `cargo test` as code.

Titles, messages and remediations are plain text with one habit of Markdown
kept: text between backticks is code. `spans` splits a text into plain and
code parts the way CommonMark reads code spans (markdown-it-py's own rule, and
no other Markdown: `*`, `<b>` and `[x](y)` stay text), so a span of two
backticks may hold one, and a backtick without its pair stays a backtick.
Each format then writes the parts its own way, escaping the plain ones.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@dataclass(frozen=True)
class Span:
    """A run of text, and whether it is code (then `text` is the code, without backticks)."""

    text: str
    code: bool


@functools.cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("zero").enable("backticks")  # "zero": every other rule is off


def spans(text: str) -> tuple[Span, ...]:
    """`text` (already `printable`) as plain and code spans, in order."""
    if "`" not in text:  # most texts: no parser needed
        return (Span(text, code=False),) if text else ()
    (paragraph,) = _parser().parseInline(text)
    found: list[Span] = []
    for token in paragraph.children or ():
        code = token.type == "code_inline"
        if found and not code and not found[-1].code:
            found[-1] = Span(found[-1].text + token.content, code=False)
        else:
            found.append(Span(token.content, code))
    return tuple(found)
