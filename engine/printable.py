"""Text from a repository made safe to show: nothing in it can act on a terminal or a viewer.

File names, file contents quoted in findings, program output, git's messages
and the packs of a repository are written by strangers. Printed raw, an
escape sequence in them can recolour or clear the terminal, rewrite the
clipboard (OSC 52), hide a link behind other text (OSC 8) or retitle the
window; a carriage return or backspaces overwrite what came before; bidi
controls (U+202E) reorder what a reader sees ("Trojan Source"); a GitHub
workflow command reads a newline as the start of a command of its own.

`UNSAFE` is the one definition of such characters: C0 controls but tab and
newline (ESC, BEL, CR, backspace...), DEL, C1 controls (8-bit CSI, OSC...),
the bidi embeddings, overrides, isolates and marks, the Unicode line and
paragraph separators, and lone surrogates (bytes of a file name that are not
UTF-8). Every text output shows them as escapes through `printable`; the
JSON outputs write them as `\\uNNNN` through `json_safe`, which keeps the data
exact. Output syntax (Markdown, workflow commands, XML) is escaped by each
format on top of this.
"""

from __future__ import annotations

import re

UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff]"
)
_UNSAFE_OR_NEWLINE = re.compile(f"{UNSAFE.pattern[:-1]}\n]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as surrogateescape kept it
        return f"\\x{code - 0xDC00:02x}"
    if code in (0x0A, 0x0D):
        return "\\n" if code == 0x0A else "\\r"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, newlines: bool = True) -> str:
    """`text` with every unsafe character shown as an escape (`\\x1b`, `\\u202e`).

    Newlines are kept unless `newlines` is False (for a one-line message, where
    they show as `\\n`). Kept, a carriage return is a line break too (CR LF line
    endings, a progress line redrawn): nothing it would overwrite is hidden."""
    if newlines:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return UNSAFE.sub(_shown, text) if UNSAFE.search(text) else text
    return _UNSAFE_OR_NEWLINE.sub(_shown, text)


def json_safe(document: str) -> str:
    """A JSON document (as `json.dumps(..., ensure_ascii=False)` writes it) with the unsafe
    characters it still holds raw (DEL, C1, bidi) written as `\\uNNNN` escapes: the same
    data to a JSON reader, nothing raw for a terminal. A lone surrogate is written as its
    escape too, as JSON allows."""
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print a line of a command's output (stderr with `err`), shown `printable`.

    Every command prints through this (or a reporter), never through `print`
    or `click.echo` directly: tests/test_printable.py checks it."""
    import click

    click.echo(printable(text), err=err, nl=nl)
