"""engine/packtest/cases.py: cases read from expect.yaml, with what they extend and remove."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from engine.errors import InputError
from engine.packtest.cases import case_files, read_cases


def write_cases(root: Path, cases: dict[str, dict[str, str]]) -> Path:
    for case, files in cases.items():
        for relative, text in files.items():
            path = root / case / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_cases_are_sorted_and_extends_chains_resolve_bases_first(tmp_path) -> None:
    tests = write_cases(
        tmp_path / "tests",
        {
            "c-leaf": {"expect.yaml": "extends: b-middle\nrules: {r: fail}\n"},
            "b-middle": {"expect.yaml": "extends: a-base\nparams: {n: 2}\n"},
            "a-base": {"expect.yaml": "description: The base.\ndefault: pass\n"},
        },
    )

    cases = read_cases(tests)

    assert [c.name for c in cases] == ["a-base", "b-middle", "c-leaf"]
    leaf = cases[2]
    assert [b.name for b in leaf.bases] == ["a-base", "b-middle"]
    assert [(e.rule, e.status) for e in leaf.expectations] == [("r", "fail")]
    assert (cases[1].params, cases[0].default, cases[0].description) == (
        {"n": 2},
        "pass",
        "The base.",
    )


def test_case_files_inherit_remove_then_override(tmp_path) -> None:
    tests = write_cases(
        tmp_path / "tests",
        {
            "base": {
                "expect.yaml": "{}\n",
                "repo/README.md": "base readme\n",
                "repo/docs/a.md": "a\n",
                "repo/docs/b.md": "b\n",
                "bin/tool": "#!/bin/sh\n",
            },
            "variant": {
                "expect.yaml": "extends: base\nremove: [repo/docs/*.md, bin/*]\n",
                "repo/README.md": "variant readme\n",
                "repo/docs/c.md": "c\n",
            },
        },
    )
    variant = {c.name: c for c in read_cases(tests)}["variant"]

    files = case_files(variant)

    assert sorted(files) == ["repo/README.md", "repo/docs/c.md"]
    assert files["repo/README.md"].read_text() == "variant readme\n"


def test_every_problem_of_every_case_is_reported_at_once(tmp_path) -> None:
    tests = write_cases(
        tmp_path / "tests",
        {
            "bad-yaml": {"expect.yaml": "rules: {r: pass\n"},
            "bad-status": {"expect.yaml": "rules: {r: passes}\n"},
            "lost": {"expect.yaml": "extends: nowhere\n"},
        },
    )
    (tests / "empty").mkdir()

    with pytest.raises(InputError) as raised:
        read_cases(tests)

    messages = [p.message for p in raised.value.problems]
    assert len(messages) == 4
    assert messages[0].startswith("rules.r: 'passes' is not one of")  # bad-status
    assert messages[1].startswith("not valid YAML: ")  # bad-yaml
    assert messages[2] == "case 'empty' has no expect.yaml"
    assert messages[3].startswith("extends 'nowhere': no case there")  # once all are read


def test_an_expect_file_that_is_not_text_is_located(tmp_path) -> None:
    tests = tmp_path / "tests"
    (tests / "c").mkdir(parents=True)
    (tests / "c" / "expect.yaml").write_bytes(b"rules:\n  r: pa\0ss\n")
    with pytest.raises(InputError) as raised:
        read_cases(tests)
    assert [(p.message, p.location.line, p.location.column) for p in raised.value.problems] == [
        ("not an expect.yaml: a NUL byte: this is not a text file", 2, 8)
    ]
