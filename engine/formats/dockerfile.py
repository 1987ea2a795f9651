"""Dockerfiles, parsed the way BuildKit reads them.

One document:

    {"directives": {"syntax": "docker/dockerfile:1"},
     "args": {"RUST_VERSION": "1.80"},            # global ARGs, before the first FROM
     "stages": [{"index": 0, "image": "rust", "tag": "1.80-slim", "digest": null,
                 "alias": "builder", "platform": null, "line": 3, "from_stage": false}],
     "instructions": [{"cmd": "FROM", "value": "rust:1.80-slim AS builder", "line": 3,
                       "end_line": 3, "stage": 0, "flags": {}, ...FROM fields}, ...]}

Continuation lines are joined as Docker joins them (the escape character and
the newline removed), comments inside a continuation are dropped, heredocs
(`RUN <<EOF ... EOF`) stay inside their instruction (`value` holds the body,
`heredocs` lists each one), and `cmd` is upper-case. Global ARG defaults are
substituted into FROM, so `FROM rust:${RUST_VERSION}` reports the real tag.
"""

from __future__ import annotations

import json
import re
from typing import Any

from engine.formats import ParseError
from engine.yaml12 import Document

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$")
_HEREDOC = re.compile(r"<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_VARIABLE = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+]([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)
_FLAG = re.compile(r"^--([a-z][a-z0-9-]*)(?:=(\S*))?$")


def _directives(lines: list[str]) -> tuple[dict[str, str], int]:
    """Parser directives at the top of the file, and the index of the first other line."""
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        match = _DIRECTIVE.match(line.strip())
        if not match or match.group(1).lower() in found:
            return found, i
        found[match.group(1).lower()] = match.group(2)
    return found, len(lines)


def _substitute(text: str, args: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        default = match.group(2)
        value = args.get(name)
        if value is None or (value == "" and default is not None):
            return default or ""
        return value

    return _VARIABLE.sub(replace, text)


def _flags(words: list[str]) -> tuple[dict[str, Any], list[str]]:
    flags: dict[str, Any] = {}
    while words:
        match = _FLAG.match(words[0])
        if not match:
            break
        flags[match.group(1)] = match.group(2) if match.group(2) is not None else True
        words = words[1:]
    return flags, words


def _split_image(reference: str) -> tuple[str, str | None, str | None]:
    """`registry:5000/app:1.2@sha256:..` -> (`registry:5000/app`, `1.2`, `sha256:..`)."""
    image, _, digest = reference.partition("@")
    name, tag = image, None
    colon = image.rfind(":")
    if colon > image.rfind("/"):
        name, tag = image[:colon], image[colon + 1 :]
    return name, tag, digest or None


def _from_fields(
    value: str, args: dict[str, str], aliases: set[str], index: int, line: int
) -> dict[str, Any]:
    flags, words = _flags(value.split())
    reference = _substitute(words[0], args) if words else ""
    alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    image, tag, digest = _split_image(reference)
    return {
        "index": index,
        "image": image,
        "tag": tag,
        "digest": digest,
        "alias": alias,
        "platform": flags.get("platform"),
        "line": line,
        "from_stage": image.lower() in aliases,
    }


def _heredoc_bodies(
    first: str, lines: list[str], at: int, opened_at: int
) -> tuple[list[dict[str, str]], list[str], int]:
    """Collect the heredocs an instruction opens; returns (heredocs, raw lines, next index)."""
    heredocs: list[dict[str, str]] = []
    raw: list[str] = []
    for match in _HEREDOC.finditer(first):
        strip_tabs, name = match.group(1) == "-", match.group(3)
        body: list[str] = []
        while at < len(lines):
            line = lines[at]
            at += 1
            raw.append(line)
            if (line.lstrip("\t") if strip_tabs else line).rstrip() == name:
                break
            body.append(line.lstrip("\t") if strip_tabs else line)
        else:
            raise ParseError(f"heredoc <<{name} is never closed", opened_at)
        heredocs.append({"name": name, "content": "\n".join(body) + "\n" if body else ""})
    return heredocs, raw, at


def parse(text: str) -> list[Document]:
    lines = text.splitlines()
    directives, start = _directives(lines)
    escape = directives.get("escape", "\\")[:1] or "\\"
    instructions: list[dict[str, Any]] = []
    stages: list[dict[str, Any]] = []
    args: dict[str, str] = {}
    aliases: set[str] = set()
    i = start
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        first_line = i + 1
        logical = ""
        while True:
            line = lines[i]
            i += 1
            body = line.rstrip()
            if body.endswith(escape):
                logical += body[: -len(escape)]
                # comment and blank lines inside a continuation are skipped
                while i < len(lines) and (
                    not lines[i].strip() or lines[i].lstrip().startswith("#")
                ):
                    i += 1
                if i >= len(lines):
                    break
                continue
            logical += line
            break
        cmd, _, value = logical.strip().partition(" ")
        if not re.fullmatch(r"[A-Za-z]+", cmd):
            raise ParseError(f"unknown instruction {cmd!r}", first_line, 1)
        value = value.strip()
        heredocs: list[dict[str, str]] = []
        if "<<" in value and cmd.upper() in ("RUN", "COPY", "ADD"):
            heredocs, raw, i = _heredoc_bodies(value, lines, i, first_line)
            if raw:
                value = value + "\n" + "\n".join(raw)
        instruction: dict[str, Any] = {
            "cmd": cmd.upper(),
            "value": value,
            "line": first_line,
            "end_line": i,
            "stage": len(stages) - 1 if stages else None,
        }
        instruction["flags"] = _flags(value.split())[0] if value.startswith("--") else {}
        if heredocs:
            instruction["heredocs"] = heredocs
        if value.startswith("["):
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if isinstance(parsed, list) and all(isinstance(p, str) for p in parsed):
                instruction["exec"] = parsed
        if instruction["cmd"] == "FROM":
            stage = _from_fields(value, args, aliases, len(stages), first_line)
            stages.append(stage)
            if stage["alias"]:
                aliases.add(stage["alias"].lower())
            instruction["stage"] = stage["index"]
            instruction.update({k: stage[k] for k in ("image", "tag", "digest", "alias")})
        elif instruction["cmd"] == "ARG" and not stages:
            name, _, default = value.partition("=")
            args[name.strip()] = default.strip().strip("\"'")
        instructions.append(instruction)
    document = {
        "directives": directives,
        "args": args,
        "stages": stages,
        "instructions": instructions,
    }
    return [Document(1, 1, document)]
