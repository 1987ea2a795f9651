"""Dockerfiles parse the way BuildKit reads them: stages, continuations, heredocs, ARGs."""

from __future__ import annotations

import pytest

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


@pytest.fixture(scope="module")
def sample() -> dict:
    [document] = parse(SAMPLE)
    assert (document.index, document.line) == (1, 1)
    return document.data


def test_instructions_with_lines_stages_and_upper_case_commands(sample) -> None:
    assert [(i["cmd"], i["line"], i["end_line"], i["stage"]) for i in sample["instructions"]] == [
        ("ARG", 2, 2, None),
        ("FROM", 3, 3, 0),
        ("RUN", 4, 6, 0),
        ("COPY", 7, 9, 0),
        ("FROM", 10, 10, 1),
        ("COPY", 11, 11, 1),
        ("USER", 12, 12, 1),
        ("CMD", 13, 13, 1),
    ]


def test_continuations_are_joined_and_comments_inside_dropped(sample) -> None:
    run = sample["instructions"][2]
    assert run["value"] == "apt-get update     && apt-get install -y curl"


def test_heredocs_stay_inside_their_instruction(sample) -> None:
    copy = sample["instructions"][3]
    assert copy["value"] == "<<EOF /etc/app.conf\nhello\nEOF"
    assert copy["heredocs"] == [{"name": "EOF", "content": "hello\n"}]


def test_from_fields_with_global_args_substituted(sample) -> None:
    first, second = (i for i in sample["instructions"] if i["cmd"] == "FROM")
    assert {k: first[k] for k in ("image", "tag", "digest", "alias")} == {
        "image": "rust",
        "tag": "1.80-slim",
        "digest": None,
        "alias": "builder",
    }
    assert first["flags"] == {"platform": "linux/amd64"}
    assert {k: second[k] for k in ("image", "tag", "digest", "alias")} == {
        "image": "gcr.io/distroless/cc",
        "tag": None,
        "digest": "sha256:abc",
        "alias": None,
    }
    assert [s["platform"] for s in sample["stages"]] == ["linux/amd64", None]


def test_directives_args_flags_and_exec_form(sample) -> None:
    assert sample["directives"] == {"syntax": "docker/dockerfile:1"}
    assert sample["args"] == {"RUST_VERSION": "1.80"}
    assert sample["instructions"][5]["flags"] == {"from": "builder"}
    assert sample["instructions"][7]["exec"] == ["/app", "--serve"]
    assert "exec" not in sample["instructions"][6]


@pytest.mark.parametrize(
    ("line", "image", "tag", "digest", "alias"),
    [
        ("FROM localhost:5000/app AS base", "localhost:5000/app", None, None, "base"),
        ("FROM app:1.2@sha256:ff AS x", "app", "1.2", "sha256:ff", "x"),
        ("FROM ${BASE:-alpine}:3", "alpine", "3", None, None),
        ("FROM scratch", "scratch", None, None, None),
    ],
)
def test_image_references(line, image, tag, digest, alias) -> None:
    [stage] = parse(line + "\n")[0].data["stages"]
    assert (stage["image"], stage["tag"], stage["digest"], stage["alias"]) == (
        image,
        tag,
        digest,
        alias,
    )
    assert stage["from_stage"] is False


def test_a_stage_built_from_an_earlier_stage() -> None:
    stages = parse("FROM rust AS Build\nFROM build\n")[0].data["stages"]
    assert [s["from_stage"] for s in stages] == [False, True]


def test_the_escape_directive() -> None:
    data = parse("# escape=`\nFROM x\nRUN a `\n  b\n")[0].data
    assert data["directives"] == {"escape": "`"}
    assert data["instructions"][1]["value"] == "a   b"


def test_tab_stripping_heredoc() -> None:
    data = parse("FROM x\nRUN <<-EOT\n\techo hi\n\tEOT\nRUN after\n")[0].data
    assert data["instructions"][1]["heredocs"] == [{"name": "EOT", "content": "echo hi\n"}]
    assert data["instructions"][2]["line"] == 5


def test_an_empty_dockerfile_has_no_instructions() -> None:
    assert parse("")[0].data == {"directives": {}, "args": {}, "stages": [], "instructions": []}


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("FROM x\nFOO-BAR y\n", "unknown instruction 'FOO-BAR'", 2),
        ("FROM x\nRUN <<EOT\necho hi\n", "heredoc <<EOT is never closed", 2),
    ],
)
def test_what_does_not_parse(text: str, message: str, line: int) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert (caught.value.message, caught.value.line) == (message, line)
