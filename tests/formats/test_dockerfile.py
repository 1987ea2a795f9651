"""Dockerfiles parse as BuildKit reads them: stages, continuations, heredocs, ARGs, errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, replace
from typing import Any

import dockerfile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.formats import ParseError
from engine.formats.dockerfile import parse

SAMPLE = """\
# syntax=docker/dockerfile:1
ARG RUST_VERSION=1.80
FROM --platform=linux/amd64 rust:${RUST_VERSION}-slim AS builder
RUN apt-get update \\
    # a comment inside the continuation
    && apt-get install -y curl
COPY <<EOF /etc/app.conf
hello
EOF
from gcr.io/distroless/cc@sha256:abc
COPY --from=builder /app /app
user app
CMD ["/app", "--serve"]
"""


def document(text: str) -> dict[str, Any]:
    [parsed] = parse(text)
    assert (parsed.index, parsed.line) == (1, 1)
    data: dict[str, Any] = parsed.data
    return data


def instructions(text: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = document(text)["instructions"]
    return found


def at(line: int, cmd: str, value: str, end: int | None = None, **more: Any) -> dict[str, Any]:
    """An instruction as the document holds it, in stage 0 with no flags unless given."""
    return {
        "cmd": cmd,
        "value": value,
        "line": line,
        "end_line": line if end is None else end,
        "stage": more.pop("stage", 0),
        "flags": more.pop("flags", {}),
        **more,
    }


def with_heredocs(
    line: int, cmd: str, value: str, end: int, *heredocs: tuple[str, str]
) -> dict[str, Any]:
    """An instruction holding `heredocs`, given as (name, content)."""
    return at(line, cmd, value, end, heredocs=[{"name": n, "content": c} for n, c in heredocs])


def from_x(line: int = 1, stage: int = 0) -> dict[str, Any]:
    fields = {"image": "x", "tag": None, "digest": None, "alias": None}
    return at(line, "FROM", "x", stage=stage, **fields)


def test_the_whole_document() -> None:
    assert document(SAMPLE) == {
        "directives": {"syntax": "docker/dockerfile:1"},
        "args": {"RUST_VERSION": "1.80"},
        "stages": [
            {
                "index": 0,
                "image": "rust",
                "tag": "1.80-slim",
                "digest": None,
                "alias": "builder",
                "platform": "linux/amd64",
                "line": 3,
                "from_stage": False,
            },
            {
                "index": 1,
                "image": "gcr.io/distroless/cc",
                "tag": None,
                "digest": "sha256:abc",
                "alias": None,
                "platform": None,
                "line": 10,
                "from_stage": False,
            },
        ],
        "instructions": [
            at(2, "ARG", "RUST_VERSION=1.80", stage=None),
            at(
                3,
                "FROM",
                "--platform=linux/amd64 rust:${RUST_VERSION}-slim AS builder",
                flags={"platform": "linux/amd64"},
                image="rust",
                tag="1.80-slim",
                digest=None,
                alias="builder",
            ),
            at(4, "RUN", "apt-get update     && apt-get install -y curl", 6),
            with_heredocs(7, "COPY", "<<EOF /etc/app.conf\nhello\nEOF", 9, ("EOF", "hello\n")),
            at(
                10,
                "FROM",
                "gcr.io/distroless/cc@sha256:abc",
                stage=1,
                image="gcr.io/distroless/cc",
                tag=None,
                digest="sha256:abc",
                alias=None,
            ),
            at(11, "COPY", "--from=builder /app /app", stage=1, flags={"from": "builder"}),
            at(12, "USER", "app", stage=1),
            at(13, "CMD", '["/app", "--serve"]', stage=1, exec=["/app", "--serve"]),
        ],
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("FROM\tx\nRUN\techo hi\n", [from_x(), at(2, "RUN", "echo hi")], id="tabs"),
        pytest.param(
            'FROM x\nRUN echo "a <<b"\nRUN cat <<< x\nRUN ["<<EOF"]\n',
            [
                from_x(),
                at(2, "RUN", 'echo "a <<b"'),
                at(3, "RUN", "cat <<< x"),
                at(4, "RUN", '["<<EOF"]', exec=["<<EOF"]),
            ],
            id="not-heredocs",
        ),
        pytest.param(
            "FROM x\nRUN <<file.txt\nhello\nfile.txt\nRUN <<'one two'\nbody\none two\n",
            [
                from_x(),
                with_heredocs(2, "RUN", "<<file.txt\nhello\nfile.txt", 4, ("file.txt", "hello\n")),
                with_heredocs(5, "RUN", "<<'one two'\nbody\none two", 7, ("one two", "body\n")),
            ],
            id="heredoc-names",
        ),
        pytest.param(
            "FROM x\nONBUILD RUN <<EOF\necho hi\nEOF\nRUN after\n",
            [
                from_x(),
                with_heredocs(2, "ONBUILD", "RUN <<EOF\necho hi\nEOF", 4, ("EOF", "echo hi\n")),
                at(5, "RUN", "after"),
            ],
            id="onbuild-heredoc",
        ),
        pytest.param(
            "FROM x\nENV C a\\\\\nRUN next\n",
            [from_x(), at(2, "ENV", "C a\\\\"), at(3, "RUN", "next")],
            id="escaped-backslash-at-line-end",
        ),
        pytest.param(
            'FROM x\nRUN --mount=type=cache,target=/x ["a", "b"]\n',
            [
                from_x(),
                at(
                    2,
                    "RUN",
                    '--mount=type=cache,target=/x ["a", "b"]',
                    flags={"mount": "type=cache,target=/x"},
                    exec=["a", "b"],
                ),
            ],
            id="exec-form-after-flags",
        ),
        pytest.param(
            "FROM x\n\fRUN a\nRUN b\f\n",
            [from_x(), at(2, "RUN", "a"), at(3, "RUN", "b")],
            id="form-feeds",
        ),
        pytest.param(
            "FROM x\nRUN a \\\n  # comment\n\n  b \\\n\n  c\n",
            [from_x(), at(2, "RUN", "a   b   c", 7)],
            id="comments-and-empty-lines-in-continuation",
        ),
        pytest.param(
            "FROM x\nRUN <<-EOT cat\n\t\tline\n\t  x\n\t\tEOT\n",
            [
                from_x(),
                with_heredocs(
                    2, "RUN", "<<-EOT cat\n\t\tline\n\t  x\nEOT", 5, ("EOT", "line\n  x\n")
                ),
            ],
            id="tab-stripping-heredoc",
        ),
        pytest.param(
            'FROM x\nRUN <<A cat > f && <<-"B" cat > g\na\nA\n\tb\n\tB\n',
            [
                from_x(),
                with_heredocs(
                    2,
                    "RUN",
                    '<<A cat > f && <<-"B" cat > g\na\nA\n\tb\nB',
                    6,
                    ("A", "a\n"),
                    ("B", "b\n"),
                ),
            ],
            id="two-heredocs-one-stripping-tabs",
        ),
        pytest.param(
            "FROM x\r\nRUN a \\\r\n b\r\nRUN <<EOF\r\nhi\r\nEOF\r\n",
            [
                from_x(),
                at(2, "RUN", "a  b", 3),
                # BuildKit writes a heredoc's lines as they are, carriage returns too
                with_heredocs(4, "RUN", "<<EOF\nhi\r\nEOF", 6, ("EOF", "hi\r\n")),
            ],
            id="crlf",
        ),
        pytest.param("\ufeffFROM x\nRUN a\n", [from_x(), at(2, "RUN", "a")], id="bom"),
        pytest.param(
            'FROM x\nHEALTHCHECK --interval=5s CMD ["curl", "-f", "x"]\n',
            [
                from_x(),
                at(
                    2,
                    "HEALTHCHECK",
                    '--interval=5s CMD ["curl", "-f", "x"]',
                    flags={"interval": "5s"},
                    exec=["curl", "-f", "x"],
                ),
            ],
            id="healthcheck-exec",
        ),
        pytest.param(
            'FROM x\nRUN --mount=target=/a --mount=type=secret,id="a b" --network=none x',
            [
                from_x(),
                at(
                    2,
                    "RUN",
                    '--mount=target=/a --mount=type=secret,id="a b" --network=none x',
                    flags={
                        "mount": ["target=/a", "type=secret,id=a b"],
                        "network": "none",
                    },
                ),
            ],
            id="repeated-flags",
        ),
        pytest.param(
            'FROM x\nCMD ["a" "b"]\nCOPY --link a b\n',
            [
                from_x(),
                at(2, "CMD", '["a" "b"]'),
                at(3, "COPY", "--link a b", flags={"link": True}),
            ],
            id="not-json-and-bare-flag",
        ),
    ],
)
def test_constructs(text: str, expected: list[dict[str, Any]]) -> None:
    assert instructions(text) == expected


def test_parser_directives() -> None:
    data = document(
        "# syntax = docker/dockerfile:1 \n#escape=`\n# other=1\n# syntax=z\nFROM x\nRUN a `\n  b\n"
    )
    assert data["directives"] == {"syntax": "docker/dockerfile:1", "escape": "`"}
    assert data["instructions"][1] == at(6, "RUN", "a   b", 7)


def test_an_unknown_directive_ends_the_directives() -> None:
    with pytest.raises(ParseError) as caught:
        parse("# foo=bar\n# escape=`\nFROM x\nRUN a `\n  b\n")
    # BuildKit took the escape line as a comment: "b" is an instruction of its own
    assert (caught.value.message, caught.value.line, caught.value.column) == (
        "unknown instruction: b",
        5,
        3,
    )


def test_the_check_directive_does_not_hide_the_escape_directive() -> None:
    data = document("# check=skip=all\n# escape=`\nFROM x\nRUN a `\n b\n")
    assert data["directives"] == {"check": "skip=all", "escape": "`"}
    assert data["instructions"][1] == at(4, "RUN", "a  b", 5)


@pytest.mark.parametrize(
    ("text", "stages"),
    [
        ("FROM localhost:5000/app AS base", [("localhost:5000/app", None, None, "base", False)]),
        ("FROM app:1.2@sha256:ff AS x", [("app", "1.2", "sha256:ff", "x", False)]),
        ("FROM ${BASE:-alpine}:3", [("alpine", "3", None, None, False)]),
        ("ARG BASE=\nFROM ${BASE:-alpine}:3", [("alpine", "3", None, None, False)]),
        ("ARG BASE=\nFROM ${BASE-alpine}:3", [("", "3", None, None, False)]),
        ("ARG V=1\nFROM a${V:+-v$V}", [("a-v1", None, None, None, False)]),
        ("FROM a${V:+-v$V}", [("a", None, None, None, False)]),
        ("ARG V=\"1 2\" W='$V' X=$V\nFROM a:${W}-${X}", [("a", "$V-1 2", None, None, False)]),
        ("FROM scratch", [("scratch", None, None, None, False)]),
        (
            "FROM rust AS Build\nFROM build\nFROM build AS x\nFROM X",
            [
                ("rust", None, None, "Build", False),
                ("build", None, None, None, True),
                ("build", None, None, "x", True),
                ("X", None, None, None, True),
            ],
        ),
    ],
)
def test_image_references(text: str, stages: list[tuple[Any, ...]]) -> None:
    found = document(text + "\n")["stages"]
    assert [
        (s["image"], s["tag"], s["digest"], s["alias"], s["from_stage"]) for s in found
    ] == stages


def test_global_args() -> None:
    data = document('ARG A=1 B=2\nARG C="x y" D\nARG E=${A}0\nFROM x\nARG LOCAL=1\n')
    assert data["args"] == {"A": "1", "B": "2", "C": "x y", "D": None, "E": "10"}


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("FROM x\nFOO-BAR y\n", "unknown instruction: FOO-BAR", 2, 1),
        ("FROM x\n  BLAH y\n", "unknown instruction: BLAH", 2, 3),
        ("FROM x\nONBUILD BLAH y\n", "unknown instruction: BLAH", 2, 1),
        ("FROM x\nRUN << EOF\necho hi\nEOF\n", "unknown instruction: echo", 3, 1),
        ("FROM x\nRUN <<EOT\necho hi\n", "unterminated heredoc", 2, None),
        ("FROM x\nRUN <<A\na\nA\nRUN \\\n  <<B\nb\n", "unterminated heredoc", 5, None),
        ("FROM x\nRUN <<A\nENV B\nA\nENV C\n", "ENV must have two arguments", 5, None),
        (
            'FROM x\nRUN a \\\n  b\nCMD ["a", \\\n  1]\n',
            "when using JSON array syntax, arrays must be comprised of strings only",
            4,
            None,
        ),
        (
            "# escape=`\nFROM x\nRUN a `\n  b\nLABEL a `\n\n",
            "LABEL must have two arguments",
            5,
            None,
        ),
        ("# syntax=a\n# syntax=b\nFROM x\n", "only one syntax parser directive can be used", 2, 1),
        ("# escape=x\nFROM x\n", "invalid escape token 'x' does not match ` or \\", 1, 1),
        ("", "file with no instructions", 1, None),
        ("# only\n# comments\n\n", "file with no instructions", 1, None),
        ("FROM x\nRUN a\0b\n", "NUL character", 2, 6),
        (
            "FROM x\nRUN " + "b" * 70_000 + "\nRUN c\n",
            "dockerfile line greater than max allowed size of 65535",
            2,
            None,
        ),
    ],
)
def test_what_does_not_parse(text: str, message: str, line: int, column: int | None) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert (caught.value.message, caught.value.line, caught.value.column) == (message, line, column)


def test_one_refused_dockerfile_makes_its_rule_error(evaluate, make_repo, pack_text) -> None:
    repo = make_repo(
        {
            "good/Dockerfile": "FROM rust:1.80\nUSER app\n",
            "bad/Dockerfile": "FROM rust:1.80\nRUN <<EOF\ncargo build\n",
        }
    )
    pack = pack_text("""\
        - id: pinned
          title: T
          category: general
          check: {manifest: {files: ["*/Dockerfile"], each: "stages", assert: "tag != `null`"}}
        - id: user
          title: T
          category: general
          check: {manifest: {files: [good/Dockerfile], assert: "instructions[-1].value == 'app'"}}
    """)
    run = evaluate(repo, pack)
    assert run.exit_code == 1
    assert run.status("pinned") == "error"
    assert (
        run.result("pinned")["reason"] == "bad/Dockerfile:2: does not parse: unterminated heredoc"
    )
    assert run.status("user") == "pass"


# ---------------------------------------------------------------- differential
# Dockerfiles generated from the constructs above, checked against what
# BuildKit's parser (`dockerfile.parse_string`) says of the same text, and
# against what each construct was written to mean.


@dataclass(frozen=True)
class Expected:
    """One instruction a construct writes: its lines relative to the construct's first."""

    cmd: str
    first: str  # `value` up to its first newline
    line: int = 0
    end: int = 0
    heredocs: tuple[tuple[str, str], ...] = ()
    exec: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Construct:
    lines: tuple[str, ...]
    expected: tuple[Expected, ...]


WORDS = st.sampled_from(["a", "b1", "x-y", "$HOME", "'q'", '"d q"', "c:d", "/x/y"])
BODY = st.lists(WORDS, min_size=0, max_size=3).map(" ".join)


@st.composite
def heredoc(draw: st.DrawFn) -> tuple[str, tuple[str, ...], tuple[str, str]]:
    """(opening word, body and terminator lines, (name, content BuildKit writes))."""
    name, word = draw(
        st.sampled_from(
            [
                ("EOF", "EOF"),
                ("file.txt", "file.txt"),
                ("one two", "'one two'"),
                ("Q", '"Q"'),
            ]
        )
    )
    strip = draw(st.booleans())
    tabs = "\t" if strip else ""
    body = draw(st.lists(BODY, max_size=3))
    fd = draw(st.sampled_from(["", "3"]))
    lines = (*(f"{tabs}{line}" for line in body), f"{tabs}{name}")
    content = "".join(f"{line}\n" for line in body)
    return f"{fd}<<{'-' if strip else ''}{word}", lines, (name, content)


@st.composite
def construct(draw: st.DrawFn, escape: str) -> Construct:
    kind = draw(
        st.sampled_from(
            [
                "plain",
                "tab",
                "not-heredoc",
                "exec",
                "flags-exec",
                "heredoc",
                "two-heredocs",
                "onbuild-heredoc",
                "escaped-escape",
                "continuation",
                "form-feed",
                "comment",
                "copy",
            ]
        )
    )
    word = draw(BODY.filter(bool))
    if kind == "plain":
        return Construct((f"RUN echo {word}",), (Expected("RUN", f"echo {word}"),))
    if kind == "tab":
        return Construct((f"WORKDIR\t/{word}",), (Expected("WORKDIR", f"/{word}"),))
    if kind == "not-heredoc":
        line = draw(st.sampled_from(['echo "a <<b"', "cat <<< x", "echo x<<y"]))
        return Construct((f"RUN {line}",), (Expected("RUN", line),))
    if kind in ("exec", "flags-exec"):
        args = draw(st.lists(st.sampled_from(["<<EOF", "a b", "--x", "\\\\"]), max_size=3))
        array = json.dumps(args)
        flags = "--mount=type=cache,target=/x " if kind == "flags-exec" else ""
        cmd = draw(st.sampled_from(["RUN", "CMD", "ENTRYPOINT"]))
        decoded = tuple(json.loads(array))
        return Construct((f"{cmd} {flags}{array}",), (Expected(cmd, flags + array, exec=decoded),))
    if kind in ("heredoc", "two-heredocs", "onbuild-heredoc"):
        docs = [draw(heredoc()) for _ in range(2 if kind == "two-heredocs" else 1)]
        opening = " && ".join(f"cat {word} {d[0]}" for d in docs)
        prefix = "ONBUILD RUN" if kind == "onbuild-heredoc" else "RUN"
        body = tuple(line for d in docs for line in d[1])
        first = f"RUN {opening}" if kind == "onbuild-heredoc" else opening
        cmd = prefix.split()[0]
        expected = Expected(cmd, first, 0, len(body), tuple(d[2] for d in docs))
        return Construct((f"{prefix} {opening}", *body), (expected,))
    if kind == "escaped-escape":
        line = f"ENV C a{escape}{escape}"
        return Construct(
            (line, "RUN next"),
            (Expected("ENV", f"C a{escape}{escape}"), Expected("RUN", "next", 1, 1)),
        )
    if kind == "continuation":
        inner = draw(st.lists(st.sampled_from(["", "  # note", "   "]), max_size=2))
        lines = (f"RUN {word} {escape}", *inner, f"  && {word}")
        return Construct(lines, (Expected("RUN", f"{word}   && {word}", 0, len(lines) - 1),))
    if kind == "form-feed":
        return Construct((f"\fUSER {word}\f",), (Expected("USER", word),))
    if kind == "comment":
        return Construct(("# a comment", ""), ())
    return Construct(
        (f"COPY --from=base /{word} /dst",), (Expected("COPY", f"--from=base /{word} /dst"),)
    )


@st.composite
def dockerfiles(draw: st.DrawFn) -> tuple[str, list[Expected]]:
    escape = draw(st.sampled_from(["\\", "`"]))
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("# syntax=docker/dockerfile:1")
    if escape == "`":
        lines.append("# escape=`")
    lines += ["ARG RUST_VERSION=1.80", "FROM --platform=linux/amd64 rust:${RUST_VERSION} AS base"]
    expected = [
        Expected("ARG", "RUST_VERSION=1.80", len(lines) - 1, len(lines) - 1),
        Expected("FROM", lines[-1].removeprefix("FROM "), len(lines), len(lines)),
    ]
    for part in draw(st.lists(construct(escape), max_size=8)):
        offset = len(lines) + 1
        expected += [replace(e, line=e.line + offset, end=e.end + offset) for e in part.expected]
        lines += part.lines
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    text = ending.join(lines) + ending
    # CRLF files: BuildKit keeps each heredoc line as written, so with its "\r"
    if ending == "\r\n":
        expected = [
            replace(e, heredocs=tuple((n, c.replace("\n", "\r\n")) for n, c in e.heredocs))
            for e in expected
        ]
    return text, expected


@settings(max_examples=300, deadline=None)
@given(dockerfiles())
def test_documents_agree_with_buildkit(case: tuple[str, list[Expected]]) -> None:
    text, expected = case
    commands = dockerfile.parse_string(text)
    found = instructions(text)
    assert len(found) == len(commands) == len(expected)
    for instruction, command, wanted in zip(found, commands, expected, strict=True):
        assert instruction["cmd"] == command.cmd.upper() == wanted.cmd
        assert (
            (instruction["line"], instruction["end_line"])
            == (
                command.start_line,
                command.end_line,
            )
            == (wanted.line, wanted.end)
        )
        assert instruction["value"].partition("\n")[0] == wanted.first
        assert instruction.get("exec") == (list(command.value) if command.json else None)
        assert tuple(instruction.get("exec") or ()) == (wanted.exec or ())
        assert [(h["name"], h["content"]) for h in instruction.get("heredocs", [])] == list(
            wanted.heredocs
        )
        if command.sub_cmd is None:
            assert [h["name"] for h in instruction.get("heredocs", [])] == [
                h.name for h in command.heredocs
            ]
    assert document(text)["stages"][0]["tag"] == "1.80"


BROKEN = {
    "unterminated heredoc": "RUN <<NEVER\nsome body",
    "ENV must have two arguments": "ENV ALONE",
    "when using JSON array syntax, arrays must be comprised of strings only": 'CMD ["a", 1]',
    "unknown instruction: RUNN": "RUNN apt-get update",
}


@settings(max_examples=150, deadline=None)
@given(dockerfiles(), st.sampled_from(sorted(BROKEN)), st.integers(min_value=0))
def test_a_refused_file_names_the_line_buildkit_refuses(
    case: tuple[str, list[Expected]], message: str, where: int
) -> None:
    text, expected = case
    lines = text.replace("\r\n", "\n").split("\n")[:-1]
    # between two constructs (an unterminated heredoc goes last: it takes the rest)
    bounds = [e.end for e in expected]
    after = bounds[-1] if message == "unterminated heredoc" else bounds[where % len(bounds)]
    broken = "\n".join([*lines[:after], BROKEN[message], *lines[after:]]) + "\n"
    if not message.startswith("unknown"):
        with pytest.raises(dockerfile.GoParseError, match=re.escape(message)):
            dockerfile.parse_string(broken)
    with pytest.raises(ParseError) as caught:
        parse(broken)
    assert (caught.value.message, caught.value.line) == (message, after + 1)


# Variables in ARG defaults and FROM, against a POSIX shell: BuildKit's lexer
# expands this subset ($X, ${X}, ${X:-w}, ${X-w}, ${X:+w}, ${X+w}, quotes,
# escapes) as the shell does.
PIECES = st.sampled_from(
    [
        "a",
        ":",
        "/",
        "$A",
        "${A}",
        "${B}",
        "${A:-w}",
        "${A-w}",
        "${A:+w}",
        "${A+w}",
        "${A:-$B}",
        "${A-${B}}",
        '"$A b"',
        "'$A'",
        "\\$A",
        '"\\$A"',
        '"${A:+x}"',
        "\"'q'\"",
    ]
)
VALUES = st.sampled_from([None, "", "v", "x y"])


@settings(max_examples=100, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=4).map("".join), VALUES, VALUES)
def test_variables_expand_as_a_posix_shell_expands_them(
    word: str, a: str | None, b: str | None
) -> None:
    env = {name: value for name, value in (("A", a), ("B", b)) if value is not None}
    args = "".join(f'ARG {name}="{value}"\n' for name, value in env.items())
    data = document(f"{args}ARG R={word}\nFROM x\n")
    shell = subprocess.run(
        ["sh", "-c", f"set -f; IFS=; printf %s {word}"],
        env={**env, "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    )
    assert data["args"]["R"] == shell.stdout


def test_a_lone_line_continuation_is_a_file_with_no_instructions(
    evaluate, make_repo, check_pack
) -> None:
    run = evaluate(
        make_repo({"Dockerfile": "\\"}),
        check_pack("{manifest: {files: [Dockerfile], assert: 'stages'}}"),
    )
    assert (run.exit_code, run.status(), run.result()["message"]) == (
        1,
        "error",
        "Dockerfile:1: does not parse: file with no instructions",
    )
