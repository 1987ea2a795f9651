"""Problems with the user's input, located to file, line and column.

Every error a user can cause ends up as a `Problem`: the command line prints
one line per problem and exits with status 2. Nothing else in the engine
formats error text for the user. A problem is one line however long the
values it quotes: `bounded` cuts them (a 130 KB `--ref`, a 1 MB config line).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: A run of text without spaces longer than this is cut in a message.
MAX_WORD_CHARS = 200
#: A message longer than this (after its words are cut) is cut in the middle.
MAX_MESSAGE_CHARS = 2000
_KEPT = 60  # characters kept at each end of what is cut


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """` (did you mean 'x'?)` naming the closest of `known` to a misspelt `value`, or ""."""
    import difflib  # only a run with a misspelling pays for it

    close = difflib.get_close_matches(value, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def bounded(text: str) -> str:
    """`text` on one line, every long word and the whole cut to a readable size.

    What is cut is replaced by `…` and the length it had, so the start and the
    end of a quoted value (and the quotes around it) stay.
    """
    if "\n" in text or "\r" in text:
        text = " ".join(line.strip() for line in text.splitlines())
    if len(text) > MAX_WORD_CHARS:
        text = " ".join(_cut(word, MAX_WORD_CHARS) for word in text.split(" "))
    return _cut(text, MAX_MESSAGE_CHARS)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:_KEPT]}…({len(text):,} characters)…{text[-_KEPT // 3 :]}"


@dataclass(frozen=True)
class Location:
    """A place in a file; line and column are 1-based when known."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a pack, a config or an option."""

    message: str
    location: Location | None = None
    rule: str | None = None
    level: str = "error"  # "error" stops the run; "warning" is only reported

    def __str__(self) -> str:
        # The location is a path from the file system: never cut, and any odd
        # character in it is escaped when the line is printed (engine/printable.py).
        where = f"{self.location}: " if self.location is not None else ""
        parts = [self.level]
        if self.rule is not None:
            parts.append(f"rule {self.rule}")
        parts.append(self.message)
        return where + bounded(": ".join(parts))


class InputError(Exception):
    """The input is wrong (bad pack, config, option or ref): exit status 2."""

    def __init__(self, problems: Problem | str | Iterable[Problem]) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class YamlError(Exception):
    """A YAML text that cannot be read; line and column are 1-based (engine/yaml12.py
    raises it; here so that catching it does not import the YAML loader)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
