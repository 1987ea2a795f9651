"""Lines and tables written plain are what rich writes without colour (the reference)."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.reporters.styled import Column, Columns, Line, Screen, rich_console

# What report cells and lines hold once shown printable: any text without control
# characters (tabs included, which rich would expand), some of it markup-like.
text = st.lists(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=8)
    | st.sampled_from(["[bold]", "[/]", "\\", "abc", "12.5%", " "]),
    max_size=4,
).map("".join)
# Mostly cells the plain path writes itself (printable ASCII, markup-like ones too).
cells = st.text("abc XYZ019.%-_/[]\\:", max_size=12) | text
styles = st.sampled_from(["", "bold", "dim", "bold red", "green", "yellow", "bold underline"])


def by_rich(item: Line | Columns | None, width: int = 100) -> str:
    out = io.StringIO()
    console = rich_console(out, color=False, width=width)
    if item is None:
        console.print()
    else:
        console.print(item.rich())
    return out.getvalue()


def plain(item: Line | Columns | None, width: int = 100) -> str:
    out = io.StringIO()
    Screen(out, color=False, width=width).show(item)
    return out.getvalue()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(text | st.sampled_from(["\n", "  \n   ", "a \n"]), styles), max_size=6))
def test_a_line_is_written_as_rich_writes_it(spans: list[tuple[str, str]]) -> None:
    """Lines may hold newlines (a remediation's, indented under the rule)."""
    line = Line()
    for part, style in spans:
        line.append(part, style)
    assert plain(line) == by_rich(line)


@st.composite
def tables(draw: st.DrawFn) -> Columns:
    count = draw(st.integers(1, 5))
    columns = tuple(
        Column(draw(cells), draw(st.sampled_from(["left", "right"])), draw(st.booleans()))
        for _ in range(count)
    )
    rows = draw(st.lists(st.tuples(*[cells] * count), max_size=5))
    return Columns(columns, rows)


@settings(max_examples=500, deadline=None)
@given(tables(), st.integers(20, 120))
def test_a_table_is_written_as_rich_writes_it(table: Columns, width: int) -> None:
    assert plain(table, width) == by_rich(table, width)


def test_a_report_table_is_written_without_rich() -> None:
    table = Columns(
        (Column("category"), Column("total", "right"), Column("success", "right")),
        [("Security", "12", "58.3%"), ("Kubernetes [k8s]", "3", "100%")],
    )
    assert table.plain_lines(100) == [
        "category          total  success",
        "Security             12    58.3%",
        "Kubernetes [k8s]      3     100%",
    ]
    assert plain(table) == by_rich(table)


def test_an_empty_line_and_a_wide_table_are_written_as_rich_writes_them() -> None:
    assert plain(None) == by_rich(None) == "\n"
    wide = Columns((Column("x" * 60), Column("y" * 60, "right")), [("a", "b")])
    assert plain(wide, 100) == by_rich(wide, 100)
    assert wide.plain_lines(100) is None  # rich wraps it


def test_a_screen_with_colour_writes_rich_styles() -> None:
    out = io.StringIO()
    Screen(out, color=True, width=100).show(Line("ok", "green"))
    assert out.getvalue() == "\x1b[32mok\x1b[0m\n"
