"""Styled lines and column tables, written plain or through rich.

The terminal reports build their output as `Line`s (text in spans, each with a
rich style name) and `Columns` (a table without borders). Without colour, a
`Screen` writes them itself: the text as it is, and a table's cells padded the
way rich pads them (a test checks the two against each other). Only with
colour, or for a table too wide for the screen (which rich wraps), is rich
loaded: importing and running it costs more than a small repository's whole
evaluation, and a pre-commit hook or a CI log shows no colour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TextIO

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text


class Line:
    """One line of text in spans, each with a rich style ("" for none)."""

    __slots__ = ("spans",)

    def __init__(self, text: str = "", style: str = "") -> None:
        self.spans: list[tuple[str, str]] = [(text, style)] if text else []

    def append(self, text: str, style: str = "") -> Line:
        """Add `text` at the end, in `style`."""
        if text:
            self.spans.append((text, style))
        return self

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.spans)

    def rich(self) -> Text:
        """The line as rich text."""
        from rich.text import Text

        line = Text()
        for text, style in self.spans:
            line.append(text, style=style or None)
        return line


@dataclass(frozen=True)
class Column:
    """A column of `Columns`: its header, how its cells align, and whether rich may
    wrap them when the table is too wide."""

    header: str
    justify: Literal["left", "right"] = "left"
    no_wrap: bool = False


@dataclass(frozen=True)
class Columns:
    """A table without borders: a bold header row, then the rows; cells are plain text."""

    columns: tuple[Column, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)

    def rich(self) -> Table:
        """The table as rich renders it (cells as rich text: markup in them is text)."""
        from rich.table import Table
        from rich.text import Text

        table = Table(title=None, show_edge=False, pad_edge=False, box=None, header_style="bold")
        for column in self.columns:
            table.add_column(Text(column.header), justify=column.justify, no_wrap=column.no_wrap)
        for row in self.rows:
            table.add_row(*(Text(cell) for cell in row))
        return table

    def plain_lines(self, width: int) -> list[str] | None:
        """The table's lines as rich writes them without colour; None when rich must
        lay it out: wider than `width`, or a cell that is not plain printable ASCII
        without spaces at its ends (rich knows the width of wide and combining
        characters, and trims and aligns spaces its own way)."""
        cells = [tuple(c.header for c in self.columns), *self.rows]
        if not self.columns or not all(_plain(text) for row in cells for text in row):
            return None
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        if sum(widths) + 2 * (len(widths) - 1) > width or not all(widths):
            return None  # (rich gives an empty column a width of its own)
        lines = []
        for row in cells:
            padded = [
                text.rjust(room) if column.justify == "right" else text.ljust(room)
                for text, column, room in zip(row, self.columns, widths, strict=True)
            ]
            lines.append("  ".join(padded))
        return lines


def _plain(text: str) -> bool:
    return text.isascii() and text.isprintable() and text == text.strip()


Shown = Line | Columns | None


class Screen:
    """Where a report is written: plain text, or rich when `color` (then with colours)."""

    def __init__(self, out: TextIO, *, color: bool, width: int) -> None:
        self._out = out
        self._color = color
        self._width = width
        self._console: Console | None = None

    def show(self, item: Shown = None) -> None:
        """Write a line, a table, or (None) an empty line."""
        if not self._color:
            if item is None:
                self._out.write("\n")
                return
            if isinstance(item, Line):
                self._out.write(item.plain + "\n")
                return
            lines = item.plain_lines(self._width)
            if lines is not None:
                self._out.write("".join(line + "\n" for line in lines))
                return
        console = self._rich_console()
        if item is None:
            console.print()
        else:
            console.print(item.rich())

    def _rich_console(self) -> Console:
        """The rich console this screen writes through when it must, made once."""
        if self._console is None:
            self._console = rich_console(self._out, color=self._color, width=self._width)
        return self._console


def rich_console(out: TextIO, *, color: bool, width: int) -> Console:
    """A rich console for the terminal reports: colour only when asked, no wrapping of
    plain lines, no highlighting or emoji codes."""
    from rich.console import Console

    return Console(
        file=out,
        color_system="standard" if color else None,
        no_color=not color,
        force_terminal=color,
        highlight=False,
        emoji=False,
        soft_wrap=True,
        width=width,
    )
