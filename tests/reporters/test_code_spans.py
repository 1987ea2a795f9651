"""Code spans in rule text, and how the Markdown and HTML reports write them."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import example, given
from hypothesis import strategies as st

from engine.reporters import html, markdown
from engine.reporters.code_spans import Span, spans


def test_text_between_backticks_is_code_as_commonmark_reads_it() -> None:
    assert spans("Run `cargo test` first") == (
        Span("Run ", code=False),
        Span("cargo test", code=True),
        Span(" first", code=False),
    )
    assert spans("``a `b` c`` and `d") == (Span("a `b` c", True), Span(" and `d", False))
    assert spans("` spaced ` `  ` `two\nlines`") == (
        Span("spaced", True),
        Span(" ", False),
        Span("  ", True),
        Span(" ", False),
        Span("two lines", True),
    )
    assert spans("*not* <b>markdown</b> [x](y) \\`") == (
        Span("*not* <b>markdown</b> [x](y) \\`", False),
    )
    assert spans("") == ()


class Fragment(HTMLParser):
    """An HTML fragment as what a reader sees: runs of text, code, and line breaks."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[str, str]] = []
        self.in_code = False
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "br":
            self.parts.append(("br", ""))
        else:
            assert tag == "code", tag
            self.in_code = True
            self.parts.append(("code", ""))

    def handle_endtag(self, tag: str) -> None:
        assert tag == "code", tag
        self.in_code = False

    def handle_data(self, data: str) -> None:
        if self.in_code:
            self.parts[-1] = ("code", self.parts[-1][1] + data)
        elif self.parts and self.parts[-1][0] == "text":
            self.parts[-1] = ("text", self.parts[-1][1] + data)
        else:
            self.parts.append(("text", data))


# What Markdown or HTML would read, and what rule text holds: backticks and spaces most of all.
RULE_TEXT = st.text(st.sampled_from("````    ab\n\t\r*_<>&|\\-1.!#[]()~\x1b"), max_size=40)


@given(RULE_TEXT)
@example("keep `  a  ` spaced")  # one space of each side is the fence's
@example("`` ` ``")
def test_markdown_and_html_show_any_rule_text_the_same(value: str) -> None:
    from markdown_it import MarkdownIt

    # GitHub reads comments as CommonMark (raw HTML allowed, so `<br>` is a line break)
    read = MarkdownIt("commonmark", {"html": True}).renderInline(markdown.prose(value))
    assert Fragment(read).parts == Fragment(html.prose(value)).parts


@given(RULE_TEXT)
def test_a_table_cell_shows_it_the_same_too(value: str) -> None:
    from markdown_it import MarkdownIt

    row = f"| a |\n| --- |\n| {markdown.prose(value, in_table=True)} |\n"
    read = MarkdownIt("commonmark", {"html": True}).enable("table").render(row)
    cell = read.split("<td>", 1)[1].split("</td>", 1)[0] if "<td>" in read else ""
    assert Fragment(cell).parts == Fragment(html.prose(value)).parts
