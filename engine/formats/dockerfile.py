"""Dockerfiles, parsed by BuildKit's own parser (the `dockerfile` package).

One document:

    {"directives": {"syntax": "docker/dockerfile:1"},
     "args": {"RUST_VERSION": "1.80"},            # global ARGs, before the first FROM
     "stages": [{"index": 0, "image": "rust", "tag": "1.80-slim", "digest": null,
                 "alias": "builder", "platform": null, "line": 3, "from_stage": false}],
     "instructions": [{"cmd": "FROM", "value": "rust:${RUST_VERSION}-slim AS builder", "line": 3,
                       "end_line": 3, "stage": 0, "flags": {}, ...FROM fields}, ...]}

BuildKit decides what an instruction is and which lines it spans: continuation
lines are joined, comments inside a continuation dropped, heredocs
(`RUN <<EOF ... EOF`) kept inside their instruction (`value` holds the body,
`heredocs` lists each one). `cmd` is upper-case. Global ARG defaults are
substituted into FROM, so `FROM rust:${RUST_VERSION}` reports the real tag.

The package reports BuildKit's result but leaves out a few things the document
needs; each is derived here from what BuildKit did return, never by reading
the file a second way:

- its errors carry no line: `_refused_at` asks BuildKit about one
  instruction's lines at a time to find the one it refuses;
- parser directives: read from the comment lines before the first instruction
  with BuildKit's rule (`_directives`);
- whether a heredoc strips leading tabs (`<<-`): from the instruction's text;
- an ONBUILD trigger's heredocs: from BuildKit's parse of the trigger alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.formats import ParseError
from engine.model.documents import Document

if TYPE_CHECKING:
    from dockerfile import Command, Heredoc

# BuildKit's directive comment, and the directives its parser knows; the first
# other line ends the directives.
_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_KNOWN_DIRECTIVES = ("syntax", "escape", "check")
_CHECK = re.compile(r"^#\s*check\s*=", re.IGNORECASE)
# BuildKit splits an instruction's name from its arguments on these.
_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
# A word that opens a heredoc, as BuildKit matches it: `<<EOF`, `<<-EOF`, `3<<EOF`.
_HEREDOC_WORD = re.compile(r"(?<!\S)\d*<<(-?)(?=[^<\s])")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Appended after a chunk of lines: standing alone, it shows the chunk's last
# instruction is complete; BuildKit joins it to an unfinished continuation and
# takes it as heredoc body inside an unclosed heredoc.
_PROBE_END = "LABEL rulepack.probe=end"
_UNTERMINATED = "unterminated heredoc"
#: Lines fed to BuildKit while looking for the line it refuses, at most.
PROBE_BUDGET = 50_000


def parse(text: str) -> list[Document]:
    """The Dockerfile as one document; a file BuildKit refuses is a located `ParseError`."""
    # Imported here: loading the Go runtime is left to runs that read a Dockerfile.
    import dockerfile

    text = text.removeprefix("\ufeff")  # as BuildKit does
    lines = text.split("\n")
    nul = text.find("\0")
    if nul >= 0:
        # The package hands BuildKit a C string, which would end at the NUL.
        line = text.count("\n", 0, nul) + 1
        raise ParseError("NUL character", line, nul - text.rfind("\n", 0, nul))
    directives, head = _directives(lines)
    # The BuildKit inside the package predates `# check=` and stops reading
    # directives at it; moved after the others, it hides no `# escape=`.
    header = sorted(lines[:head], key=lambda line: bool(_CHECK.match(line.lstrip())))
    if header != lines[:head]:
        lines = header + lines[head:]
        text = "\n".join(lines)
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        message = str(exc)
        if message == "file with no instructions":
            raise ParseError(message, 1) from None
        raise ParseError(message, _refused_at(lines, head, message)) from None
    # A line continuation with nothing after it (a lone `\`) parses as a command
    # without instruction, which Docker builds nothing from.
    commands = tuple(c for c in commands if c.cmd is not None)
    if not commands:
        raise ParseError("file with no instructions", 1)
    known = set(dockerfile.all_cmds())
    builder = _Builder(lines[:head], directives.get("escape", "\\"))
    for command in commands:
        for name in (command.cmd, command.sub_cmd):
            if name is not None and name.lower() not in known:
                line = lines[command.start_line - 1]
                column = len(line) - len(line.lstrip()) + 1
                raise ParseError(f"unknown instruction: {name}", command.start_line, column)
        builder.add(command, lines)
    document = {
        "directives": directives,
        "args": builder.args,
        "stages": builder.stages,
        "instructions": builder.instructions,
    }
    return [Document(1, 1, document)]


def _directives(lines: list[str]) -> tuple[dict[str, str], int]:
    """Parser directives at the top of the file, and how many lines they take.

    The package does not report them. BuildKit's rule: a directive is a
    `# name=value` comment before any other line, instruction, comment or blank.
    """
    found: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        match = _DIRECTIVE.match(line.lstrip())
        name = match.group(1).lower() if match else None
        if match is None or name not in _KNOWN_DIRECTIVES:
            return found, number - 1
        if name in found:
            raise ParseError(f"only one {name} parser directive can be used", number, 1)
        if name == "escape" and match.group(2) not in ("\\", "`"):
            raise ParseError(
                f"invalid escape token {match.group(2)!r} does not match ` or \\", number, 1
            )
        found[name] = match.group(2)
    return found, len(lines)


def _refused_at(lines: list[str], head: int, message: str) -> int | None:
    """The first line of the instruction BuildKit refuses with `message` (None: not found).

    The package gives BuildKit's message without its location. BuildKit parses
    instructions one after another, independently but for the escape directive,
    so each instruction's lines are handed to it alone (after the directives),
    one more line at a time until it accepts them followed by `_PROBE_END`.
    The first instruction it refuses with the file's message is the one. A
    heredoc cut short says "unterminated heredoc" whether or not it closes
    later, so an instruction with that error grows to the end of the file, or
    until `PROBE_BUDGET` lines were read (it is then almost surely the one).
    """
    import dockerfile

    budget = PROBE_BUDGET
    done = head
    while (start := _next_instruction(lines, done)) is not None:
        for stop in range(start + 1, len(lines) + 1):
            budget -= stop - start
            if budget < 0:
                return start + 1
            try:
                probe = dockerfile.parse_string(
                    "\n".join([*lines[:head], *lines[start:stop], _PROBE_END])
                )
            except dockerfile.GoParseError as exc:
                if str(exc) == message != _UNTERMINATED:
                    return start + 1
                continue
            if probe[-1].original == _PROBE_END:
                done = stop
                break
        else:
            return start + 1
    return None


def _next_instruction(lines: list[str], done: int) -> int | None:
    """The index of the first line after `done` that is not blank or a comment."""
    for index in range(done, len(lines)):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("#"):
            return index
    return None


@dataclass
class _Builder:
    """Turns BuildKit's commands, in order, into instructions, stages and global ARGs."""

    directive_lines: list[str]
    escape: str
    instructions: list[dict[str, Any]] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)
    args: dict[str, str | None] = field(default_factory=dict)
    aliases: set[str] = field(default_factory=set)  # stage names so far, lower-case

    def add(self, command: Command, lines: list[str]) -> None:
        # Where BuildKit put the heredocs: the package drops an ONBUILD trigger's.
        holder = command
        if command.sub_cmd is not None and command.end_line > command.start_line:
            holder = self._trigger(command, lines)
        value = _arguments(command.original.partition("\n")[0])
        opening, _, bodies = holder.original.partition("\n")
        heredocs = _heredocs(opening, holder.heredocs)
        if bodies:
            value += "\n" + bodies.removesuffix("\n")
        instruction: dict[str, Any] = {
            "cmd": command.cmd.upper(),
            "value": value,
            "line": command.start_line,
            "end_line": command.end_line,
            "stage": len(self.stages) - 1 if self.stages else None,
            "flags": _flags(command.flags),
        }
        if heredocs:
            instruction["heredocs"] = heredocs
        if command.json and command.sub_cmd is None:
            words = list(command.value)
            instruction["exec"] = words[1:] if instruction["cmd"] == "HEALTHCHECK" else words
        if instruction["cmd"] == "FROM":
            stage = self._stage(command, instruction["flags"])
            instruction["stage"] = stage["index"]
            instruction.update({k: stage[k] for k in ("image", "tag", "digest", "alias")})
        elif instruction["cmd"] == "ARG" and not self.stages:
            for word in command.value:
                name, equals, default = word.partition("=")
                self.args[name] = _expand(default, self.args, self.escape) if equals else None
        self.instructions.append(instruction)

    def _stage(self, command: Command, flags: Mapping[str, Any]) -> dict[str, Any]:
        words = command.value
        reference = _expand(words[0], self.args, self.escape) if words else ""
        alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
        image, tag, digest = _split_image(reference)
        stage = {
            "index": len(self.stages),
            "image": image,
            "tag": tag,
            "digest": digest,
            "alias": alias,
            "platform": flags.get("platform"),
            "line": command.start_line,
            # BuildKit compares stage names case-insensitively.
            "from_stage": image.lower() in self.aliases,
        }
        self.stages.append(stage)
        if alias:
            self.aliases.add(alias.lower())
        return stage

    def _trigger(self, command: Command, lines: list[str]) -> Command:
        """An ONBUILD's trigger instruction, as BuildKit parses its lines alone."""
        import dockerfile

        source = lines[command.start_line - 1 : command.end_line]
        source[0] = re.sub(r"^\s*onbuild", "", source[0], count=1, flags=re.IGNORECASE)
        [trigger] = dockerfile.parse_string("\n".join([*self.directive_lines, *source]))
        return trigger


def _arguments(first_line: str) -> str:
    """An instruction's first line without its name, as BuildKit splits them."""
    parts = _WHITESPACE.split(first_line.strip(), maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def _heredocs(first_line: str, heredocs: Sequence[Heredoc]) -> list[dict[str, str]]:
    """BuildKit's heredocs, with the tabs that `<<-` strips stripped from the content.

    The package does not say which heredocs strip tabs: the i-th word opening a
    heredoc in the first line belongs to the i-th heredoc (a quoted `"x <<y"`
    before a real heredoc would shift this; BuildKit's own lexer is not
    exposed). BuildKit writes the content with leading tabs removed from each
    line (its ChompHeredocContent).
    """
    if not heredocs:
        return []
    chomps = [match.group(1) == "-" for match in _HEREDOC_WORD.finditer(first_line)]
    found = []
    for index, heredoc in enumerate(heredocs):
        content = heredoc.content
        if index < len(chomps) and chomps[index]:
            content = re.sub(r"(?m)^\t+", "", content)
        found.append({"name": heredoc.name, "content": content})
    return found


def _flags(flags: Sequence[str]) -> dict[str, Any]:
    """`--name=value` -> {name: value}, `--name` -> {name: true}; a repeated flag lists values."""
    found: dict[str, Any] = {}
    for flag in flags:
        name, equals, value = flag.removeprefix("--").partition("=")
        given: Any = value if equals else True
        if name not in found:
            found[name] = given
        elif isinstance(found[name], list):
            found[name].append(given)
        else:
            found[name] = [found[name], given]
    return found


def _split_image(reference: str) -> tuple[str, str | None, str | None]:
    """`registry:5000/app:1.2@sha256:..` -> (`registry:5000/app`, `1.2`, `sha256:..`)."""
    image, _, digest = reference.partition("@")
    name, tag = image, None
    colon = image.rfind(":")
    if colon > image.rfind("/"):
        name, tag = image[:colon], image[colon + 1 :]
    return name, tag, digest or None


def _expand(word: str, args: Mapping[str, str | None], escape: str = "\\") -> str:
    """A word as BuildKit's shell lexer expands it: quotes removed, `$X` and `${X...}` replaced.

    Supports what FROM and ARG defaults use: `$X`, `${X}`, `${X:-w}`, `${X-w}`,
    `${X:+w}`, `${X+w}`; an unset name expands to nothing.
    """
    return _Lexer(word, args, escape).word(stop=None)


@dataclass
class _Lexer:
    """A cursor over one word being expanded."""

    text: str
    args: Mapping[str, str | None]
    escape: str
    at: int = 0

    def word(self, stop: str | None, quoted: bool = False) -> str:
        """Up to `stop` (or the end); `quoted`: inside double quotes."""
        out: list[str] = []
        while self.at < len(self.text) and self.text[self.at] != stop:
            char = self.text[self.at]
            self.at += 1
            escapes = ('"', "$", self.escape) if quoted else None
            if char == "'" and not quoted:
                end = self.text.find("'", self.at)
                end = len(self.text) if end < 0 else end
                out.append(self.text[self.at : end])
                self.at = end + 1
            elif char == '"' and not quoted:
                out.append(self.word(stop='"', quoted=True))
                self.at += 1
            elif char == self.escape and self.at < len(self.text):
                if escapes is not None and self.text[self.at] not in escapes:
                    out.append(char)
                else:
                    out.append(self.text[self.at])
                    self.at += 1
            elif char == "$":
                out.append(self.dollar())
            else:
                out.append(char)
        return "".join(out)

    def dollar(self) -> str:
        braced = self.text.startswith("{", self.at)
        name = _NAME.match(self.text, self.at + braced)
        if name is None:
            return "$"
        self.at = name.end()
        value = self.args.get(name.group())
        if not braced:
            return value or ""
        operator = re.match(r":?[-+]", self.text[self.at :])
        if operator is None:
            if self.text.startswith("}", self.at):
                self.at += 1
                return value or ""
            # a modifier this reading does not know (`${X#prefix}`): left as written
            start = self.text.rfind("$", 0, self.at)
            end = self.text.find("}", self.at)
            self.at = len(self.text) if end < 0 else end + 1
            return self.text[start : self.at]
        self.at += len(operator.group())
        alternative = self.word(stop="}")
        self.at += 1
        unset = value is None or (operator.group().startswith(":") and value == "")
        if operator.group().endswith("-"):
            return alternative if unset else value or ""
        return "" if unset else alternative
