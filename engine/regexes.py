"""Regular expressions from packs: read exactly as Python's `re` reads them, run with a
time limit.

`re` cannot stop a search that backtracks without end (`(a|aa)+$` over a line of
`a`s), so packs' regexes run on the `regex` engine, which takes a `timeout`. Its
syntax is a superset of `re`'s and reads a few texts differently (`{e<=1}` is
fuzzy matching there, `[[:alpha:]]` a POSIX class), so a pattern is never handed
to it as written: `re` parses it (its errors are the pack's errors), and the
tree `re` built is written out again in plain syntax, every literal escaped, for
`regex` to compile. Both engines then read one and the same pattern.

Bounds: a pattern is at most MAX_PATTERN_CHARS long, has at most MAX_GROUPS
capturing groups, nests at most MAX_NESTING deep, and one search of one text runs at most
TIME_LIMIT seconds; past that the search raises RegexTimeout and the rule errors.
"""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from re import _constants, _parser  # type: ignore[attr-defined]
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import regex

#: The longest pattern a pack may write, in characters.
MAX_PATTERN_CHARS = 4096
#: The most capturing groups a pattern may have.
MAX_GROUPS = 100
#: How deep groups, alternatives and repeats may nest in a pattern.
MAX_NESTING = 50
#: Seconds one search of one text (a file, a program's output) may run.
TIME_LIMIT = 1.0


class RegexTimeout(Exception):
    """A search that ran out of time: the rule errors with this message."""

    def __init__(self, pattern: str) -> None:
        super().__init__(
            f"regex /{pattern}/ gave up after {TIME_LIMIT:g} s: it backtracks too much "
            "on this text (avoid a repeat inside a repeat, such as (a+)+ or (a|aa)*)"
        )
        self.pattern = pattern


@dataclass(frozen=True)
class Regex:
    """A checked pack regex; `pattern` is the text the pack wrote, `plain` the same
    pattern written out for the `regex` engine, which compiles it on first use (a
    pack holds dozens of regexes, and a run on a small repository uses few)."""

    pattern: str
    plain: str = field(compare=False, repr=False)

    @cached_property
    def compiled(self) -> regex.Pattern[str]:
        import regex

        return regex.compile(self.plain, regex.VERSION0)

    def search(self, text: str) -> regex.Match[str] | None:
        """The first match in `text`; raises RegexTimeout past the time limit."""
        try:
            return self.compiled.search(text, timeout=TIME_LIMIT)
        except TimeoutError:
            raise RegexTimeout(self.pattern) from None

    def finditer(self, text: str) -> Iterator[regex.Match[str]]:
        """Every match in `text`; raises RegexTimeout once all of them took too long."""
        deadline = time.monotonic() + TIME_LIMIT
        matches = self.compiled.finditer(text, timeout=TIME_LIMIT)
        while True:
            try:
                match = next(matches)
            except StopIteration:
                return
            except TimeoutError:
                raise RegexTimeout(self.pattern) from None
            if time.monotonic() > deadline:
                raise RegexTimeout(self.pattern)
            yield match


@dataclass(frozen=True)
class Compiled:
    """What compiling a pack's pattern gave: the regex, and warnings to show."""

    regex: Regex
    warnings: tuple[str, ...] = ()


def compile_regex(pattern: str) -> Compiled:
    """Compile a pack's regex; ValueError says what is wrong (re's own message and position)."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ValueError(
            f"is {len(pattern):,} characters long; a regex may have at most {MAX_PATTERN_CHARS:,}"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            tree = _parser.parse(pattern)
        except re.error as exc:
            column = f" at position {exc.pos}" if exc.pos is not None else ""
            raise ValueError(f"{exc.msg}{column}") from None
        except RecursionError:
            raise ValueError(f"nests more than {MAX_NESTING} levels deep") from None
    if tree.state.groups - 1 > MAX_GROUPS:
        raise ValueError(
            f"has {tree.state.groups - 1:,} groups; a regex may have at most {MAX_GROUPS}"
        )
    notes = tuple(
        f"{warning.message} (a later Python may read it differently; escape `[`, `&`, `-`, "
        "`|` or `~` inside a set with a backslash)"
        for warning in caught
        if issubclass(warning.category, FutureWarning)
    )
    _refuse_self_conditions(tree, frozenset())
    names = {number: name for name, number in tree.state.groupdict.items()}
    text = _flags(tree.state.flags) + _Writer(names).sequence(tree, 0, tree.state.flags)
    return Compiled(Regex(pattern, text), notes)


def _refuse_self_conditions(items: Any, open_groups: frozenset[int]) -> None:
    """A condition `(?(N)...)` inside group N itself tests what an earlier repeat left in
    the group, which `re` and `regex` remember differently (`re` keeps the old capture,
    `regex` has reset it): refused, so that no pattern is read two ways."""
    for op, value in items:
        kind = str(op)
        if kind == "SUBPATTERN":
            number, _, _, body = value
            _refuse_self_conditions(body, open_groups | {number} if number else open_groups)
        elif kind == "GROUPREF_EXISTS":
            number, yes, no = value
            if number in open_groups:
                raise ValueError(
                    f"the condition (?({number})...) is inside group {number}, the group it "
                    "tests, which rulepack cannot run the way re does: test another group"
                )
            for branch in (yes, no or ()):
                _refuse_self_conditions(branch, open_groups)
        elif kind == "BRANCH":
            for alternative in value[1]:
                _refuse_self_conditions(alternative, open_groups)
        elif kind in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            _refuse_self_conditions(value[2], open_groups)
        elif kind == "ATOMIC_GROUP":
            _refuse_self_conditions(value, open_groups)
        elif kind in ("ASSERT", "ASSERT_NOT"):
            _refuse_self_conditions(value[1], open_groups)


# -- writing re's tree out again ------------------------------------------------------

_FLAG_LETTERS = (
    (re.IGNORECASE, "i"),
    (re.MULTILINE, "m"),
    (re.DOTALL, "s"),
    (re.ASCII, "a"),
)
_AT = {
    "AT_BEGINNING": "^",
    "AT_BEGINNING_STRING": r"\A",
    "AT_END": "$",
    "AT_END_STRING": r"\Z",
    "AT_BOUNDARY": r"\b",
    "AT_NON_BOUNDARY": r"\B",
}
#: `re` before Python 3.14 finds no `\B` in an empty text; `regex` finds one.
_B_NEVER_MATCHES_EMPTY = re.search(r"\B", "") is None
_CATEGORY = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


def _flags(flags: int, removed: int = 0) -> str:
    on = "".join(letter for flag, letter in _FLAG_LETTERS if flags & flag)
    off = "".join(letter for flag, letter in _FLAG_LETTERS if removed & flag)
    if not on and not off:
        return ""
    return f"(?{on}-{off})" if off else f"(?{on})"


def _char(code: int) -> str:
    """One character as a literal in any context (in or out of a set)."""
    if code < 128 and (chr(code).isalnum() or chr(code) == "_"):
        return chr(code)
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


#: Letters that `re` and `regex` match differently when case is ignored (the Turkish
#: dotted and dotless i): a literal or set that could match one of them is told
#: explicitly which of them `re` matches.
_CASE_PROBES = "iI\u0131\u0130"


@dataclass(frozen=True)
class _Writer:
    """Writes a tree of re's parser as a pattern both engines read alike."""

    names: dict[int, str]

    def sequence(self, items: Any, depth: int, flags: int) -> str:
        if depth > MAX_NESTING:
            raise ValueError(f"nests more than {MAX_NESTING} levels deep")
        return "".join(self.item(str(op), value, depth + 1, flags) for op, value in items)

    def item(self, op: str, value: Any, depth: int, flags: int) -> str:
        if op in ("LITERAL", "NOT_LITERAL", "IN"):
            return self.one_character(op, value, flags)
        if op == "ANY":
            return "."
        if op == "AT":
            if str(value) == "AT_NON_BOUNDARY" and _B_NEVER_MATCHES_EMPTY:
                return r"(?!\A\Z)\B"
            return _AT[str(value)]
        if op == "BRANCH":
            return "(?:" + "|".join(self.sequence(alt, depth, flags) for alt in value[1]) + ")"
        if op == "SUBPATTERN":
            number, added, removed, body = value
            inner = self.sequence(body, depth, (flags | added) & ~removed)
            if added or removed:
                inner = f"(?{_flags(added, removed)[2:-1]}:{inner})"
            if number is None:
                return inner if added or removed else f"(?:{inner})"
            name = self.names.get(number)
            return f"(?P<{name}>{inner})" if name else f"({inner})"
        if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, body = value
            bounds = f"{{{low},}}" if high == _constants.MAXREPEAT else f"{{{low},{high}}}"
            mode = {"MAX_REPEAT": "", "MIN_REPEAT": "?", "POSSESSIVE_REPEAT": "+"}[op]
            return f"(?:{self.sequence(body, depth, flags)}){bounds}{mode}"
        if op == "ATOMIC_GROUP":
            return f"(?>{self.sequence(value, depth, flags)})"
        if op == "GROUPREF":
            return f"(?:\\g<{value}>)"
        if op == "GROUPREF_EXISTS":
            number, yes, no = value
            other = f"|{self.sequence(no, depth, flags)}" if no is not None else ""
            return f"(?({number}){self.sequence(yes, depth, flags)}{other})"
        if op in ("ASSERT", "ASSERT_NOT"):
            direction, body = value
            behind = "<" if direction < 0 else ""
            kind = "=" if op == "ASSERT" else "!"
            return f"(?{behind}{kind}{self.sequence(body, depth, flags)})"
        raise ValueError(f"uses {op}, which rulepack cannot run")

    def one_character(self, op: str, value: Any, flags: int) -> str:
        """A literal, a negated literal or a set: what matches one character."""
        if op == "LITERAL":
            written = _char(value)
        elif op == "NOT_LITERAL":
            written = f"[^{_char(value)}]"
        else:
            written = _charset(value)
        if not flags & re.IGNORECASE or (op != "IN" and chr(value) not in _CASE_PROBES):
            return written
        return _case_fixed(written, flags)


def _case_fixed(written: str, flags: int) -> str:
    """`written` (one character's worth, read with `flags`), told which of the letters
    that the engines fold differently it matches: those that `re` matches."""
    import regex

    prefix = _flags(flags & (re.IGNORECASE | re.ASCII))
    by_re = [c for c in _CASE_PROBES if re.fullmatch(prefix + written, c)]
    by_regex = [c for c in _CASE_PROBES if regex.fullmatch(prefix + written, c, regex.VERSION0)]
    if by_re == by_regex:
        return written
    probes = "".join(_char(ord(c)) for c in _CASE_PROBES)
    chosen = "".join(_char(ord(c)) for c in by_re)
    explicit = f"|(?-i:[{chosen}])" if chosen else ""
    return f"(?:(?-i:(?![{probes}])){written}{explicit})"


def _charset(items: Any) -> str:
    negate = ""
    members = []
    for op, value in items:
        op = str(op)
        if op == "NEGATE":
            negate = "^"
        elif op == "LITERAL":
            members.append(_char(value))
        elif op == "RANGE":
            members.append(f"{_char(value[0])}-{_char(value[1])}")
        elif op == "CATEGORY":
            members.append(_CATEGORY[str(value)])
        else:
            raise ValueError(f"uses {op} in a set, which rulepack cannot run")
    return f"[{negate}{''.join(members)}]"
