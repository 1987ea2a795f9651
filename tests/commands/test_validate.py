"""`policy validate FILE...`: every problem of every file, one line each; exit 2 on errors."""

from __future__ import annotations

from pathlib import Path

from engine.resources import builtin_packs_dir

GOOD = """\
apiVersion: rulepack/v1
name: good
version: 1.0.0
categories:
  - {id: general, title: General}
rules:
  - id: readme
    title: A README exists
    category: general
    check: {file: {exists: [README.md]}}
"""

# Five mistakes, on lines 9, 10, 11, 12 and 15.
SEVERAL = """\
apiVersion: rulepack/v1
name: several
version: 1.0.0
categories:
  - {id: general, title: General}
rules:
  - id: a
    title: A
    category: elsewhere
    severity: high
    check: {manifest: {files: ["**/*.yaml"], where: "kind ==", assert: "a"}}
    remediaton: Fix it.
  - id: b
    title: B
    category: general
    check: {file: {paths: ["../up/*"], not_contains: "[unclosed"}}
"""


def test_a_good_pack_is_ok(policy, write_pack) -> None:
    path = write_pack(GOOD)
    done = policy("validate", path)
    assert done.exit_code == 0
    assert done.stdout == f"{path}: ok\n1 file(s) checked: 0 error(s), 0 warning(s)\n"
    assert done.stderr == ""


def test_every_problem_in_a_file_is_reported_with_its_place(policy, write_pack) -> None:
    path = write_pack(SEVERAL)
    done = policy("validate", path)
    assert done.exit_code == 2
    assert done.stderr.splitlines() == [
        f"{path}:9:15: error: rule a: unknown category 'elsewhere' (categories: general)",
        f"{path}:10:15: error: rule a: severity: 'high' is not one of ['error', 'warning', 'info']",
        f"{path}:11:53: error: rule a: invalid JMESPath `kind ==`: the expression ends too early",
        f"{path}:12:5: error: rule a: unknown key 'remediaton' (did you mean 'remediation'?)",
        f"{path}:16:28: error: rule b: glob '../up/*' leaves the snapshot root "
        "('..' is not allowed)",
        f"{path}:16:54: error: rule b: invalid regex '[unclosed': "
        "unterminated character set at position 0",
    ]
    assert done.stdout == "1 file(s) checked: 6 error(s), 0 warning(s)\n"


def test_several_files_each_reported(policy, write_pack) -> None:
    good = write_pack(GOOD, name="good.yaml")
    bad = write_pack(SEVERAL, name="bad.yaml")
    done = policy("validate", good, bad)
    assert done.exit_code == 2
    assert done.stdout.splitlines() == [
        f"{good}: ok",
        "2 file(s) checked: 6 error(s), 0 warning(s)",
    ]
    assert all(line.startswith(f"{bad}:") for line in done.stderr.splitlines())


def test_warnings_alone_do_not_fail(policy, write_pack) -> None:
    path = write_pack(
        GOOD.replace(
            "check: {file: {exists: [README.md]}}",
            'check: {manifest: {files: [a.json], assert: "!a.b"}}',
        )
    )
    done = policy("validate", path)
    assert done.exit_code == 0
    assert done.stdout.splitlines() == [
        f"{path}:10:49: warning: rule readme: `!a.b` means `(!a).b`; write `!(a.b)`",
        "1 file(s) checked: 0 error(s), 1 warning(s)",
    ]


CUT = """\
apiVersion: rulepack/v1
name: cut
version: 1.0.0
description: Checks for C# projects # and F#
categories:
  - {id: general, title: General}
  - id: docs
    title: Docs # and notes
rules:
  - id: csharp
    title: Tests cover C# code # more
    category: general
    severity: error  # a comment after a value that is not a text
    check: {file: {exists: [README.md]}}
    description: "Quoted text keeps # and all"
    remediation: Add a test project
      next to the code # and this line's end
  - id: block
    title: 'C# too' # after quotes: nothing is cut
    category: docs
    check: {file: {exists: [README.md]}}
    description: |
      A block keeps # and all
"""


def test_a_text_cut_by_a_comment_is_a_warning_naming_the_fix(policy, write_pack) -> None:
    path = write_pack(CUT)
    done = policy("validate", path)
    fix = (
        "YAML reads the rest of the line as a comment; "
        "quote the text (or move the comment to a line of its own)"
    )
    assert done.stdout.splitlines() == [
        f"{path}:4:37: warning: description stops at ` #`: {fix}",
        f"{path}:8:17: warning: title stops at ` #`: {fix}",
        f"{path}:11:32: warning: rule csharp: title stops at ` #`: {fix}",
        f"{path}:17:24: warning: rule csharp: remediation stops at ` #`: {fix}",
        "1 file(s) checked: 0 error(s), 4 warning(s)",
    ]
    assert done.exit_code == 0


def test_a_missing_file(policy, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    done = policy("validate", missing)
    assert done.exit_code == 2
    assert done.stderr == f"error: cannot read pack {missing}: No such file or directory\n"


def test_a_file_that_is_not_yaml(policy, write_pack) -> None:
    path = write_pack("name: [unclosed\n")
    done = policy("validate", path)
    assert done.exit_code == 2
    assert done.stderr == (
        f"{path}:2:1: error: not valid YAML: while parsing a flow sequence, "
        "did not find expected ',' or ']'\n"
    )


def test_problems_of_an_extended_pack_are_reported_in_that_file(policy, write_pack) -> None:
    base = write_pack(SEVERAL.replace("name: several", "name: base"), name="base.yaml")
    path = write_pack(
        "apiVersion: rulepack/v1\nname: top\nversion: 1.0.0\nextends: [{pack: ./base.yaml}]\n",
        name="top.yaml",
    )
    done = policy("validate", path)
    assert done.exit_code == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 6
    assert all(line.startswith(f"{base}:") for line in lines)


def test_validate_needs_a_file(policy) -> None:
    done = policy("validate")
    assert done.exit_code == 2
    assert "Missing argument 'FILES...'" in done.stderr


def test_the_builtin_production_pack_validates(policy) -> None:
    done = policy("validate", builtin_packs_dir() / "production" / "pack.yaml")
    assert done.exit_code == 0, done.stderr
    assert done.stderr == ""
