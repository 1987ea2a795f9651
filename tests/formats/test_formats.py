"""Manifest formats: chosen by file name, parsed into documents, errors with a line.

Each format is also read end to end by a manifest check through `policy eval`.
"""

from __future__ import annotations

import pytest

from engine.formats import MAX_DEPTH, ParseError, format_for, parse_text, parser


@pytest.mark.parametrize(
    ("path", "format_name"),
    [
        ("deploy/app.yaml", "yaml"),
        ("a.yml", "yaml"),
        ("A.YAML", "yaml"),
        ("package.json", "json"),
        ("Cargo.toml", "toml"),
        ("Cargo.lock", "toml"),
        ("setup.cfg", "ini"),
        ("tox.ini", "ini"),
        (".editorconfig", "ini"),
        ("coverage.xml", "xml"),
        ("Dockerfile", "dockerfile"),
        ("svc/Dockerfile.prod", "dockerfile"),
        ("Containerfile", "dockerfile"),
        ("build.dockerfile", "dockerfile"),
        ("README", "text"),
        ("notes.md", "text"),
    ],
)
def test_format_by_file_name(path: str, format_name: str) -> None:
    assert format_for(path) == format_name


@pytest.mark.parametrize(
    ("format_name", "text", "data"),
    [
        ("json", '{"a": [1, true, null]}', {"a": [1, True, None]}),
        (
            "toml",
            '[package]\nname = "x"\nrust-version = "1.75"\n',
            {"package": {"name": "x", "rust-version": "1.75"}},
        ),
        (
            "ini",
            "top=1\n[section]\nKey = %(not)s interpolated\n",
            {"top": "1", "section": {"Key": "%(not)s interpolated"}},
        ),
        (
            "xml",
            '<coverage line-rate="0.9"><p>a</p><p>b</p><q/></coverage>',
            {"coverage": {"@line-rate": "0.9", "p": ["a", "b"], "q": None}},
        ),
        ("text", "one\ntwo\n", {"content": "one\ntwo\n", "lines": ["one", "two"]}),
    ],
)
def test_one_document_formats(format_name: str, text: str, data: object) -> None:
    [document] = parser(format_name)(text)
    assert (document.index, document.line, document.data) == (1, 1, data)


@pytest.mark.parametrize(
    ("format_name", "text", "message", "line"),
    [
        ("json", '{"a": 1, // comment\n}', "Expecting property name enclosed in double quotes", 1),
        ("toml", "a = 1\na = 2\n", "Cannot overwrite a value", 2),
        ("toml", "a = 1\nb = [\n", "Invalid value at the end of the file", 2),
        ("xml", "<a>", "no element found", 1),
        ("xml", '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', "entities are disabled", None),
        ("yaml", "a: [1\n", "while parsing a flow sequence, did not find expected ',' or ']'", 2),
    ],
)
def test_errors_name_the_line(format_name: str, text: str, message: str, line: int | None) -> None:
    with pytest.raises(ParseError) as caught:
        parser(format_name)(text)
    assert (caught.value.message, caught.value.line) == (message, line)


RULES = [
    ("docker", "Dockerfile", "stages[-1].image == 'debian' && instructions[-1].cmd == 'USER'"),
    ("ini", "setup.cfg", "\"tool:pytest\".addopts == '-q'"),
    ("xml", "coverage.xml", 'to_number(coverage."@line-rate") >= `0.8`'),
    ("text", "CODEOWNERS", "contains(content, '@team')"),
    ("toml", "Cargo.toml", "package.edition == '2021'"),
    ("json", "package.json", "engines.node == '>=20'"),
]


def test_each_format_through_a_manifest_check(evaluate, make_repo, pack_text) -> None:
    repo = make_repo(
        {
            "Dockerfile": "FROM rust:1.80 AS build\nFROM debian:12-slim\nUSER app\n",
            "setup.cfg": "[tool:pytest]\naddopts = -q\n",
            "coverage.xml": '<coverage line-rate="0.91"/>',
            "CODEOWNERS": "* @team\n",
            "Cargo.toml": '[package]\nedition = "2021"\n',
            "package.json": '{"engines": {"node": ">=20"}}',
            "values.txt": "replicaCount: 3\n",
        }
    )
    text = ""
    for rule_id, path, assertion in RULES:
        text += f"- id: {rule_id}\n  title: T\n  category: general\n  check:\n"
        text += f"    manifest:\n      files: [{path}]\n      assert: >-\n        {assertion}\n"
    text += (
        "- {id: forced, title: T, category: general,"
        " check: {manifest: {files: [values.txt], format: yaml, assert: 'replicaCount == `3`'}}}\n"
    )
    run = evaluate(repo, pack_text(text))
    assert [(r["rule"], r["status"]) for r in run.report["results"]] == [
        *((rule_id, "pass") for rule_id, _, _ in RULES),
        ("forced", "pass"),
    ], [(r["rule"], r["message"]) for r in run.report["results"]]


def test_a_format_option_that_does_not_exist(policy, make_repo, check_pack, write_pack) -> None:
    pack = write_pack(check_pack("{manifest: {files: [a], format: hcl, assert: a}}"))
    done = policy("eval", make_repo({}), "--pack", pack)
    assert done.exit_code == 2
    assert "error: rule r: check.manifest.format: 'hcl' is not one of" in done.stderr


PLAIN_SCALARS = (str, int, float, bool, type(None))

RICH = {
    "yaml": "a: &x {k: [1, 2.5, true, null, .inf]}\nb: *x\nwhen: 2024-01-01\n---\n- !Ref x\n",
    "json": '{"a": [1, 2.5, true, null, {"b": "c"}], "n": 1e400}',
    "toml": (
        "d = 2024-01-01\nt = 07:32:00\ndt = 1979-05-27T07:32:00Z\nl = 1979-05-27T07:32:00\n"
        'f = inf\n[[p]]\nx = [1, 2.5, "s", {y = false}]\n'
    ),
    "dockerfile": "# syntax=docker/dockerfile:1\nARG V=1\nFROM a:${V} AS b\n"
    'COPY --from=b --chmod=755 x y\nCMD ["/app"]\nRUN <<EOF\necho\nEOF\n',
    "ini": "top\n[s]\nk = v\nempty\n",
    "xml": '<a x="1"><b>t</b><b>u</b><c/><d y="2">z</d></a>',
    "text": "one\ntwo\n",
}


@pytest.mark.parametrize("format_name", sorted(RICH))
def test_every_format_yields_plain_data(format_name: str) -> None:
    """JSON-like data only: what JMESPath compares, and what worker processes send back."""
    pending = [document.data for document in parser(format_name)(RICH[format_name])]
    seen = 0
    while pending:
        value = pending.pop()
        seen += 1
        if type(value) is dict:  # exactly: marshal refuses subclasses such as OrderedDict
            assert all(type(key) is str for key in value), value
            pending.extend(value.values())
        elif type(value) is list:
            pending.extend(value)
        else:
            assert type(value) in PLAIN_SCALARS, (type(value), value)
    assert seen > 3


# -- bounds: deep nesting and large files, in every format -------------------------------

DEEP = 100_000
TOO_DEEP = {
    "json": "[" * DEEP + "]" * DEEP,
    "yaml": "[" * 300 + "]" * 300 + "\n",  # libyaml itself stops flow nesting at 1,000
    "toml": "a = " + "[" * DEEP + "]" * DEEP + "\n",
    "xml": "<a>" * DEEP + "</a>" * DEEP,
}


@pytest.mark.parametrize("format_name", sorted(TOO_DEEP))
def test_data_nested_past_the_limit_is_a_parse_error(format_name: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_text(format_name, TOO_DEEP[format_name])
    assert (caught.value.message, caught.value.line) == (
        f"nested deeper than {MAX_DEPTH} levels",
        1,
    )


def test_data_nested_to_the_limit_parses() -> None:
    [document] = parse_text("json", "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert document.line == 1


HUGE = 900_000  # under the 1 MiB cap of manifest checks
LARGE = {
    "json": '{"a": "' + "x" * HUGE + '"}',
    "yaml": "a: " + "x" * HUGE + "\n",
    "toml": 'a = "' + "x" * HUGE + '"\n',
    "xml": "<a>" + "x" * HUGE + "</a>",
    "ini": "[s]\na = " + "x" * HUGE + "\n",
    "dockerfile": "FROM debian\nRUN " + "x" * HUGE + "\n",
    "text": "x" * HUGE,
}


@pytest.mark.parametrize("format_name", sorted(LARGE))
def test_a_large_file_under_the_cap_is_judged(evaluate, make_repo, check_pack, format_name) -> None:
    run = evaluate(
        make_repo({"big": LARGE[format_name]}),
        check_pack(f"{{manifest: {{files: [big], format: {format_name}, assert: '@'}}}}"),
    )
    if format_name == "dockerfile":  # BuildKit's parser refuses lines over 64 KiB
        assert (run.status(), run.result()["message"]) == (
            "error",
            "big:2: does not parse: dockerfile line greater than max allowed size of 65535",
        )
    else:
        assert (run.exit_code, run.status()) == (0, "pass")


LONG_INTEGER = "9" * 5000  # more digits than Python converts (4,300)
#: Repository files that do not parse: name -> text, the line and the reason reported.
UNREADABLE = {
    **{
        f"deep.{name}": (text, 1, f"nested deeper than {MAX_DEPTH} levels")
        for name, text in TOO_DEEP.items()
    },
    **{
        f"long.{name}": (text, 2, "an integer of 5,000 digits (at most 4,300 are read)")
        for name, text in {
            "json": '{"a": 1,\n "b": ' + LONG_INTEGER + "}",
            "yaml": "a: 1\nb: " + LONG_INTEGER + "\n",
            "toml": "a = 1\nb = " + LONG_INTEGER + "\n",
        }.items()
    },
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_a_file_that_does_not_parse_makes_its_rule_error_with_path_and_line(
    evaluate, make_repo, check_pack, name: str
) -> None:
    text, line, reason = UNREADABLE[name]
    format_name = name.rpartition(".")[2]
    run = evaluate(
        make_repo({name: text}),
        check_pack(f"{{manifest: {{files: [{name}], format: {format_name}, assert: '@'}}}}"),
    )
    assert (run.exit_code, run.status(), run.result()["message"]) == (
        1,
        "error",
        f"{name}:{line}: does not parse: {reason}",
    )
    findings = [(f["path"], f["line"], f["message"]) for f in run.result()["findings"]]
    assert findings == [(name, line, f"does not parse: {reason}")]
