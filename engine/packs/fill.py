"""Writing a parameter's value into one field of a pack, by the kind of the field.

A parameter is a value, never code: whatever text it holds, filling it in
cannot change the structure of the expression, pattern or command line
around it.

- JMESPath: the value becomes a JSON literal (`` `5` ``, `` `"text"` ``) where
  it stands bare or inside a backtick literal; inside a `"quoted identifier"`
  its text is JSON-string-escaped; a `'raw string'` holding a placeholder is
  rewritten as the same string in a JSON literal, because jmespath's raw
  strings cannot hold every text (a backslash before the closing quote).
- regex: the value's text matches literally (`re.escape`).
- shell: the value reaches /bin/sh in an environment variable, and the
  command line names the variable (`"${RULEPACK_PARAM_name}"`): the shell
  expands it as one word and never reads it as shell code, wherever the
  placeholder stands (quotes, `$(...)`, here-documents); a list outside quotes
  is one word per item.
- argv: an item that is only a placeholder takes the value (a list splices as
  several items); inside a longer item the text is inserted (no shell reads it).
- text (titles, globs, ranges, numbers): a string that is only a placeholder
  keeps the value's type; inside a longer string the value's text is inserted.

The text of a value is the string itself, or JSON for anything else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
#: Environment variables through which `shell:` reads parameters.
SHELL_VARIABLE_PREFIX = "RULEPACK_PARAM_"


class FillError(ValueError):
    """A placeholder stands where no value can be written safely."""


#: How one value is written: (name, value, the template before the placeholder) -> text.
Writer = Callable[[str, Any, str], str]


def as_text(value: Any) -> str:
    """A value inside a longer string: a string as is, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _unpaired_backslash(text: str) -> bool:
    """True when `text` ends in an odd run of backslashes: it would escape what follows."""
    return (len(text) - len(text.rstrip("\\"))) % 2 == 1


def _each_placeholder(template: str, params: Mapping[str, Any], write: Writer) -> str:
    """`template` with each placeholder of a parameter replaced by `write(name, value,
    prefix)`, `prefix` being the template before it; placeholders of no parameter stay."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            return match.group(0)
        return write(name, params[name], template[: match.start()])

    return PLACEHOLDER.sub(one, template)


def _unescaped(prefix: str, name: str, text: str) -> str:
    """`text`, unless a backslash ending `prefix` would escape its first character."""
    if _unpaired_backslash(prefix):
        raise FillError(
            f"a `\\` right before {{{{ {name} }}}} would escape the value's first character"
        )
    return text


# -- text -------------------------------------------------------------------------------


def text(template: str, params: Mapping[str, Any], keep: frozenset[str] = frozenset()) -> Any:
    """A plain text field; names in `keep` (a `message:`'s facts) are left as written."""
    filled = {name: value for name, value in params.items() if name not in keep}
    whole = PLACEHOLDER.fullmatch(template.strip())
    if whole and whole.group(1) in filled:
        return filled[whole.group(1)]
    return _each_placeholder(template, filled, lambda _, value, __: as_text(value))


# -- regex ------------------------------------------------------------------------------


def regex(template: str, params: Mapping[str, Any]) -> str:
    """A regex field: each value matches its own text literally."""
    return _each_placeholder(
        template,
        params,
        lambda name, value, prefix: _unescaped(prefix, name, re.escape(as_text(value))),
    )


# -- argv -------------------------------------------------------------------------------


def argv(items: list[Any], params: Mapping[str, Any]) -> list[Any]:
    """A `run:`/`command:` list: whole-placeholder items take the value, lists splice."""
    filled: list[Any] = []
    for item in items:
        if not isinstance(item, str):
            filled.append(item)
            continue
        whole = PLACEHOLDER.fullmatch(item.strip())
        if whole and whole.group(1) in params:
            value = params[whole.group(1)]
            values = value if isinstance(value, list) else [value]
            filled.extend(as_text(v) for v in values)
            continue
        filled.append(_each_placeholder(item, params, lambda _, value, __: as_text(value)))
    return filled


# -- shell ------------------------------------------------------------------------------


#: How a variable is named in each quoting state: always expanded as one word of text.
_SHELL_REFERENCES = {"plain": '"${{{}}}"', "double": "${{{}}}", "single": "'\"${{{}}}\"'"}


def shell(template: str, params: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """A `shell:` command line naming variables instead of values, and those variables.

    How a variable is named depends only on whether the placeholder stands
    outside quotes (or in `$(...)`), in '...' or in "..."; were that judged
    wrong (the shell's grammar has more corners than this scan), the worst is
    a word split differently, never a value read as code: the value is not in
    the text.
    """
    variables: dict[str, str] = {}

    def write(name: str, value: Any, prefix: str) -> str:
        state = _shell_state(prefix)
        if state == "plain" and isinstance(value, list):
            names = [f"{SHELL_VARIABLE_PREFIX}{name}_{i}" for i in range(1, len(value) + 1)]
            for variable, item in zip(names, value, strict=True):
                _define(variables, variable, as_text(item))
            text = " ".join(_SHELL_REFERENCES["plain"].format(variable) for variable in names)
        else:
            variable = f"{SHELL_VARIABLE_PREFIX}{name}"
            _define(variables, variable, as_text(value))
            text = _SHELL_REFERENCES[state].format(variable)
        return text if state == "single" else _unescaped(prefix, name, text)

    return _each_placeholder(template, params, write), variables


def _define(variables: dict[str, str], name: str, value: str) -> None:
    if variables.get(name, value) != value:
        raise FillError(f"two parameters would both be passed as ${name}; rename one")
    variables[name] = value


def _shell_state(text: str) -> str:
    """The quoting after `text`: plain (also inside `$(...)`, where quoting starts
    afresh), single ('...') or double ("...")."""
    states = ["plain"]
    i = 0
    while i < len(text):
        char, state = text[i], states[-1]
        if state == "single":
            if char == "'":
                states.pop()
        elif char == "\\":
            i += 1  # the next character is escaped, in plain text and in "..."
        elif text.startswith("$(", i):
            states.append("command")
            i += 1
        elif state == "double":
            if char == '"':
                states.pop()
        elif char == "'":
            states.append("single")
        elif char == '"':
            states.append("double")
        elif state == "command" and char == "(":
            states.append("command")
        elif state == "command" and char == ")":
            states.pop()
        i += 1
    return "plain" if states[-1] == "command" else states[-1]


# -- JMESPath ---------------------------------------------------------------------------

_DELIMITED = {"`": "literal", "'": "raw", '"': "quoted"}


def jmespath(template: str, params: Mapping[str, Any]) -> str:
    """A JMESPath field: every value becomes a literal, or the text of one.

    The template is cut where jmespath's lexer changes state (a backtick
    literal, a raw string, a quoted identifier: each runs to its unescaped
    closing delimiter, a backslash escaping any character), and each piece
    is filled as its state requires.
    """
    fillers = {"bare": _bare, "literal": _literal, "raw": _raw, "quoted": _quoted, "open": _open}
    return "".join(fillers[kind](piece, params) for kind, piece in _jmespath_pieces(template))


def _jmespath_pieces(template: str) -> list[tuple[str, str]]:
    """The template cut into bare text and delimited tokens (with their delimiters);
    a token never closed is "open": it stays unfilled, and jmespath rejects it."""
    pieces: list[tuple[str, str]] = []
    start = i = 0
    while i < len(template):
        delimiter = template[i]
        if delimiter not in _DELIMITED:
            i += 1
            continue
        if start < i:
            pieces.append(("bare", template[start:i]))
        j = i + 1
        while j < len(template) and template[j] != delimiter:
            j += 2 if template[j] == "\\" else 1
        if j >= len(template):
            pieces.append(("open", template[i:]))
            return pieces
        pieces.append((_DELIMITED[delimiter], template[i : j + 1]))
        start = i = j + 1
    if start < len(template):
        pieces.append(("bare", template[start:]))
    return pieces


def _in_backticks(json_text: str) -> str:
    """JSON text as it stands inside a backtick literal (which ends at a bare backtick)."""
    return json_text.replace("`", "\\`")


def _open(piece: str, params: Mapping[str, Any]) -> str:
    return piece


def _bare(piece: str, params: Mapping[str, Any]) -> str:
    return _each_placeholder(piece, params, lambda _, value, __: f"`{_in_backticks(_json(value))}`")


def _quoted(piece: str, params: Mapping[str, Any]) -> str:
    """A quoted identifier: JSON string text between the quotes."""
    return _each_placeholder(
        piece,
        params,
        lambda name, value, prefix: _unescaped(prefix, name, _json(as_text(value))[1:-1]),
    )


def _literal(piece: str, params: Mapping[str, Any]) -> str:
    """A backtick literal: the value's JSON, or its text inside a JSON string there."""

    def write(name: str, value: Any, prefix: str) -> str:
        in_string = _json_string_state(prefix[1:])  # after the opening backtick
        json_text = _json(as_text(value))[1:-1] if in_string else _json(value)
        return _unescaped(prefix, name, _in_backticks(json_text))

    return _each_placeholder(piece, params, write)


def _json_string_state(text: str) -> bool:
    """Whether a JSON string is open after `text` (inside a backtick literal)."""
    in_string = False
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 1
        elif text[i] == '"':
            in_string = not in_string
        i += 1
    return in_string


def _raw(piece: str, params: Mapping[str, Any]) -> str:
    """A raw string with a placeholder: the same string, as a JSON literal."""
    if not PLACEHOLDER.search(piece):
        return piece
    decoded: list[str] = []
    pos = 0
    inner = piece[1:-1]
    for match in PLACEHOLDER.finditer(inner):
        decoded.append(inner[pos : match.start()].replace("\\'", "'"))  # as jmespath reads it
        pos = match.end()
        name = match.group(1)
        decoded.append(as_text(params[name]) if name in params else match.group(0))
    decoded.append(inner[pos:].replace("\\'", "'"))
    return f"`{_in_backticks(_json(''.join(decoded)))}`"
