"""`policy test PACK_DIR`: fixtures built as git repositories, mismatches, rule coverage."""

from __future__ import annotations

import os
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

PACK = """\
apiVersion: rulepack/v1
name: demo
version: 1.0.0
params:
  heading: Usage
categories:
  - {id: docs, title: Docs}
rules:
  - id: readme
    title: A README exists
    category: docs
    check: {file: {exists: [README.md]}}
  - id: usage
    title: The README has a usage section
    category: docs
    check: {file: {paths: [README.md], contains: "(?m)^## {{ heading }}"}}
"""

Files = dict[str, str]


@pytest.fixture
def pack_dir(tmp_path: Path) -> Callable[..., Path]:
    """Write a pack folder: pack.yaml plus tests/<case>/ trees given as {path: text}."""

    def make(cases: dict[str, Files], pack: str = PACK, name: str = "demo") -> Path:
        root = tmp_path / name
        root.mkdir()
        (root / "pack.yaml").write_text(pack, encoding="utf-8")
        for case, files in cases.items():
            for relative, text in files.items():
                path = root / "tests" / case / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return make


GOOD_CASES: dict[str, Files] = {
    "documented": {
        "expect.yaml": "rules: {readme: pass, usage: pass}\n",
        "repo/README.md": "# Demo\n\n## Usage\n",
    },
    "undocumented": {
        "expect.yaml": "rules: {readme: fail, usage: fail}\n",
        "repo/main.py": "print()\n",
    },
}


def test_matching_cases_and_full_coverage_exit_0(policy, pack_dir) -> None:
    root = pack_dir(GOOD_CASES)
    done = policy("test", root, "--min-coverage", "100")
    assert done.exit_code == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        f"demo 1.0.0: 2 case(s), 2 rule(s) ({root / 'pack.yaml'})",
        "  ok    documented (2 expectation(s))",
        "  ok    undocumented (2 expectation(s))",
        "coverage: 2 of 2 rule(s) seen passing, failing and, where they can, skipping (100%)",
        "result: ok",
    ]


def test_the_pack_file_itself_may_be_named(policy, pack_dir) -> None:
    root = pack_dir(GOOD_CASES)
    assert policy("test", root / "pack.yaml").exit_code == 0


def test_a_built_in_pack_may_be_named(policy, tmp_path) -> None:
    done = policy("test", "oss", "--min-coverage", "100", cwd=tmp_path)
    assert done.exit_code == 0, done.stdout + done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("oss 1.0.0: 5 case(s), 14 rule(s) (")
    assert first.endswith("rulepacks/oss/pack.yaml)")


def test_a_mismatch_names_rule_expectation_result_and_findings(policy, pack_dir) -> None:
    cases = {
        **GOOD_CASES,
        "wrong": {
            "expect.yaml": "description: Claims a usage section.\nrules:\n  usage: pass\n",
            "repo/README.md": "# Demo\n",
        },
    }
    root = pack_dir(cases)
    done = policy("test", root)
    assert done.exit_code == 1
    expect = root / "tests" / "wrong" / "expect.yaml"
    assert done.stdout.splitlines()[3:8] == [
        "  FAIL  wrong (1 of 1 expectation(s) not met)",
        "        Claims a usage section.",
        f"        usage: expected pass, got fail ({expect}:3:3)",
        "          message: README.md: does not match /(?m)^## Usage/",
        "          - README.md: does not match /(?m)^## Usage/",
    ]
    assert done.stdout.splitlines()[-1] == "result: FAILED (1 mismatch(es))"


def test_message_and_finding_expectations_are_regexes_on_the_result(policy, pack_dir) -> None:
    cases = {
        "precise": {
            "expect.yaml": """\
                rules:
                  readme: {status: pass, message: '^README\\.md exists$'}
                  usage: {status: fail, finding: '^README\\.md: does not match'}
                """,
            "repo/README.md": "# Demo\n",
        },
        "imprecise": {
            "expect.yaml": """\
                rules:
                  readme: {status: pass, message: 'no such words'}
                  usage: {status: fail, finding: 'nor these'}
                """,
            "repo/README.md": "# Demo\n",
        },
    }
    done = policy("test", pack_dir(cases))
    assert done.exit_code == 1
    lines = done.stdout.splitlines()
    assert "  FAIL  imprecise (2 of 2 expectation(s) not met)" in lines
    assert any("readme: message does not match /no such words/" in line for line in lines)
    assert any("usage: no finding matches /nor these/" in line for line in lines)
    assert "  ok    precise (2 expectation(s))" in lines


def test_coverage_lists_rules_not_seen_both_ways_and_min_coverage_fails_the_run(
    policy, pack_dir
) -> None:
    root = pack_dir({"documented": GOOD_CASES["documented"]})
    report_only = policy("test", root)
    assert report_only.exit_code == 0
    assert report_only.stdout.splitlines()[-3:] == [
        "coverage: 0 of 2 rule(s) seen passing, failing and, where they can, skipping (0%)",
        "  not covered, never fails (2): readme, usage",
        "result: ok",
    ]
    strict = policy("test", root, "--min-coverage", "50")
    assert strict.exit_code == 1
    assert strict.stdout.splitlines()[-1] == "result: FAILED (coverage 0% is below 50%)"


def test_a_status_that_does_not_match_does_not_count_as_coverage(policy, pack_dir) -> None:
    cases = {
        **GOOD_CASES,
        "undocumented": {
            "expect.yaml": "rules: {readme: pass, usage: fail}\n",  # readme really fails
            "repo/main.py": "print()\n",
        },
    }
    done = policy("test", pack_dir(cases), "--min-coverage", "100")
    assert done.exit_code == 1
    assert "  not covered, never fails (1): readme" in done.stdout.splitlines()


def test_default_sets_the_expectation_of_every_rule_not_listed(policy, pack_dir) -> None:
    cases = {
        "documented": {"expect.yaml": "default: pass\n", "repo/README.md": "## Usage\n"},
        "half": {
            "expect.yaml": "default: fail\nrules: {readme: pass}\n",
            "repo/README.md": "# Demo\n",
        },
    }
    done = policy("test", pack_dir(cases), "--min-coverage", "50")
    assert done.exit_code == 0, done.stdout
    assert "  ok    half (2 expectation(s))" in done.stdout.splitlines()
    assert (
        "coverage: 1 of 2 rule(s) seen passing, failing and, where they can, skipping (50%)"
        in done.stdout
    )


def test_a_case_repository_is_a_git_repository(policy, pack_dir) -> None:
    # README.md is git-ignored inside the fixture, so the snapshot does not see it
    cases = {
        "ignored": {
            "expect.yaml": "rules: {readme: fail}\n",
            "repo/.gitignore": "README.md\n",
            "repo/README.md": "## Usage\n",
        }
    }
    done = policy("test", pack_dir(cases))
    assert done.exit_code == 0, done.stdout


def test_extends_inherits_files_removes_and_overrides(policy, pack_dir) -> None:
    cases = {
        "base": {
            "expect.yaml": "rules: {readme: pass, usage: pass}\n",
            "repo/README.md": "## Usage\n",
            "repo/docs/guide.md": "guide\n",
        },
        "no-readme": {
            "expect.yaml": "extends: base\nremove: [repo/README.md]\nrules: {readme: fail}\n",
        },
        "other-readme": {
            "expect.yaml": "extends: base\nrules: {readme: pass, usage: fail}\n",
            "repo/README.md": "# no usage here\n",
        },
    }
    done = policy("test", pack_dir(cases), "--min-coverage", "100")
    assert done.exit_code == 0, done.stdout


def test_extends_reaches_a_case_of_another_pack_by_relative_path(policy, pack_dir) -> None:
    pack_dir(GOOD_CASES, name="first")
    other = pack_dir(
        {
            "borrowed": {
                "expect.yaml": "extends: ../../first/tests/documented\nrules: {usage: pass}\n"
            }
        },
        name="second",
    )
    done = policy("test", other)
    assert done.exit_code == 0, done.stdout + done.stderr


COMMAND_PACK = """\
apiVersion: rulepack/v1
name: tools
version: 1.0.0
categories:
  - {id: env, title: Environment}
rules:
  - id: rustc
    title: rustc 1.75 or newer
    category: env
    check: {version: {command: [rustc, --version], satisfies: ">=1.75"}}
  - id: git
    title: git is installed
    category: env
    check: {command: {run: [git, --version]}}
"""


def test_stub_programs_in_bin_come_first_and_alone_on_path(policy, pack_dir) -> None:
    stub = "#!/bin/sh\necho 'rustc {version} (abc 2024-01-01)'\n"
    cases = {
        "current": {
            "expect.yaml": "rules:\n  rustc: pass\n"
            "  git: {status: skip, message: '^git is not installed'}\n",
            "bin/rustc": stub.format(version="1.80.0"),
        },
        "old": {
            "expect.yaml": "rules: {rustc: {status: fail, message: '1.70.0 does not satisfy'}}\n",
            "bin/rustc": stub.format(version="1.70.0"),
        },
    }
    root = pack_dir(cases, pack=COMMAND_PACK)
    # written without the executable bit: `policy test` sets it on its copy
    assert not os.access(root / "tests" / "old" / "bin" / "rustc", os.X_OK)
    done = policy("test", root)
    assert done.exit_code == 0, done.stdout


def test_inherit_path_appends_the_machines_path(policy, pack_dir) -> None:
    cases = {
        "machine": {"expect.yaml": "inherit_path: true\nrules: {git: pass}\n"},
        "isolated": {"expect.yaml": "rules: {rustc: skip, git: skip}\n"},
    }
    done = policy("test", pack_dir(cases, pack=COMMAND_PACK))
    assert done.exit_code == 0, done.stdout


def test_no_commands_skips_command_rules(policy, pack_dir) -> None:
    cases = {
        "static": {
            "expect.yaml": "no_commands: true\n"
            "rules: {rustc: {status: skip, message: '^commands are disabled'}}\n",
            "bin/rustc": "#!/bin/sh\necho 'rustc 1.80.0'\n",
        }
    }
    assert policy("test", pack_dir(cases, pack=COMMAND_PACK)).exit_code == 0


def test_params_of_a_case_are_applied_like_param_options(policy, pack_dir) -> None:
    cases = {
        "install-heading": {
            "expect.yaml": "params: {heading: Install}\nrules: {usage: pass}\n",
            "repo/README.md": "## Install\n",
        }
    }
    assert policy("test", pack_dir(cases)).exit_code == 0


def test_case_selects_cases_and_the_output_is_the_same_every_run(policy, pack_dir) -> None:
    root = pack_dir(GOOD_CASES)
    first = policy("test", root, "--case", "documented")
    second = policy("test", root, "--case", "documented")
    assert first.exit_code == 0
    assert first.stdout == second.stdout
    assert "undocumented" not in first.stdout
    assert "(only the selected cases)" in first.stdout
    unknown = policy("test", root, "--case", "nope")
    assert unknown.exit_code == 2
    assert unknown.stderr == "policy: error: no case 'nope' (cases: documented, undocumented)\n"


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        (
            "rules: {readme: pass, usag: fail}\n",
            "1:23: error: pack demo has no rule 'usag' (did you mean 'usage'?)",
        ),
        (
            "rules:\n  readme: passes\n",
            "2:11: error: rules.readme: 'passes' is not one of ['pass', 'fail', 'skip', 'error']",
        ),
        ("rule: {readme: pass}\n", "1:1: error: unknown key 'rule' (did you mean 'rules'?)"),
        ("rules: {readme: pass\n", "2:1: error: not valid YAML: "),
        ("rules: {readme: pass}\nrules: {usage: pass}\n", "2:1: error: duplicate key 'rules'"),
        (
            "params: {headline: X}\n",
            "error: params: pack demo declares no parameter 'headline' (declared: heading)",
        ),
        (
            "params: {heading: 2}\n",
            "error: parameter 'heading' must be a string like its default 'Usage' (pack demo), "
            "not a number 2",
        ),
        (
            "rules: {readme: {status: pass, message: '(unclosed'}}\n",
            "1:41: error: rule readme: invalid regex '(unclosed': "
            "missing ), unterminated subpattern",
        ),
        (
            "remove: ['../outside']\n",
            "1:10: error: glob '../outside' leaves the snapshot root ('..' is not allowed)",
        ),
        (
            "remove: ['repo/docs/']\n",
            "1:10: error: 'repo/docs/' can never match a file (paths name files, not folders): "
            "write 'repo/docs/**'",
        ),
    ],
)
def test_a_bad_expect_yaml_is_an_input_error_at_its_place(
    policy, pack_dir, expect: str, message: str
) -> None:
    root = pack_dir({"case": {"expect.yaml": expect}})
    done = policy("test", root)
    assert done.exit_code == 2
    where = root / "tests" / "case" / "expect.yaml"
    assert done.stderr.startswith(
        f"policy: {where}:" if message[0].isdigit() else f"policy: {where}"
    )
    assert message in done.stderr, done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_an_extends_cycle_or_missing_base_is_an_input_error(policy, pack_dir) -> None:
    cycle = pack_dir(
        {"a": {"expect.yaml": "extends: b\n"}, "b": {"expect.yaml": "extends: a\n"}},
        name="cycle",
    )
    done = policy("test", cycle)
    assert done.exit_code == 2
    assert "extends cycle: a -> b -> a" in done.stderr
    missing = pack_dir({"a": {"expect.yaml": "extends: nowhere\n"}}, name="missing")
    done = policy("test", missing)
    assert done.exit_code == 2
    assert "extends 'nowhere': no case there" in done.stderr


def test_a_pack_folder_without_fixtures_or_pack_is_an_input_error(policy, tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    done = policy("test", tmp_path / "empty")
    assert done.exit_code == 2
    assert done.stderr == f"policy: error: {tmp_path / 'empty'}: no pack.yaml in this folder\n"
    (tmp_path / "empty" / "pack.yaml").write_text(PACK)
    done = policy("test", tmp_path / "empty")
    assert done.exit_code == 2
    assert "no fixtures (expected tests/<case>/expect.yaml beside the pack)" in done.stderr
    (tmp_path / "empty" / "tests" / "stray").mkdir(parents=True)
    done = policy("test", tmp_path / "empty")
    assert done.exit_code == 2
    assert "case 'stray' has no expect.yaml" in done.stderr


def test_a_broken_pack_is_an_input_error(policy, pack_dir) -> None:
    root = pack_dir(
        GOOD_CASES,
        pack=PACK.replace(
            "category: docs\n    check: {file: {exists",
            "category: nowhere\n    check: {file: {exists",
        ),
    )
    done = policy("test", root)
    assert done.exit_code == 2
    assert "unknown category 'nowhere'" in done.stderr


@pytest.mark.parametrize("percent", ["120", "-1"])
def test_min_coverage_must_be_a_percentage(policy, pack_dir, percent) -> None:
    done = policy("test", pack_dir(GOOD_CASES), "--min-coverage", percent)
    assert done.exit_code == 2
    assert done.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--min-coverage': {float(percent)} "
        "is not in the range 0<=x<=100."
    )


def test_fixtures_stay_their_own_repositories_inside_a_git_hook(policy, tmp_path) -> None:
    """A hook's GIT_DIR / GIT_INDEX_FILE point at the outer repository; fixtures ignore them."""
    outer = tmp_path / "outer"
    outer.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=outer, check=True)
    done = policy(
        "test",
        "production",
        "--case",
        "python-service",
        env={"GIT_DIR": str(outer / ".git"), "GIT_INDEX_FILE": str(outer / ".git" / "index")},
    )
    assert done.exit_code == 0, done.stdout
    assert not (outer / ".git" / "index").exists()  # nothing was added to the outer repository


CONDITIONAL_PACK = """\
apiVersion: rulepack/v1
name: demo
version: 1.0.0
categories:
  - {id: build, title: Build}
rules:
  - id: lockfile
    title: A Rust crate commits its Cargo.lock
    category: build
    when: {file: {exists: [Cargo.toml]}}
    check: {file: {exists: [Cargo.lock]}}
  - id: fmt
    title: rustfmt is clean
    category: build
    check: {command: {run: [cargo, fmt, --check]}}
"""

CONDITIONAL_CASES: dict[str, Files] = {
    "locked": {
        "expect.yaml": "rules: {lockfile: pass, fmt: pass}\n",
        "repo/Cargo.toml": "[package]\n",
        "repo/Cargo.lock": "",
        "bin/cargo": "#!/bin/sh\nexit 0\n",
    },
    "unlocked": {
        "expect.yaml": "rules: {lockfile: fail, fmt: fail}\n",
        "repo/Cargo.toml": "[package]\n",
        "bin/cargo": "#!/bin/sh\nexit 1\n",
    },
}


def _executable(root: Path) -> None:
    for stub in root.glob("tests/*/bin/*"):
        stub.chmod(0o755)


def test_a_rule_with_a_skip_condition_is_covered_only_when_a_case_proves_the_skip(
    policy, pack_dir
) -> None:
    root = pack_dir(CONDITIONAL_CASES, CONDITIONAL_PACK)
    _executable(root)
    done = policy("test", root, "--min-coverage", "100")
    assert done.exit_code == 1, done.stdout
    assert done.stdout.splitlines()[-3:] == [
        "coverage: 0 of 2 rule(s) seen passing, failing and, where they can, skipping (0%)",
        "  not covered, never skips (2): lockfile, fmt",
        "result: FAILED (coverage 0% is below 100%)",
    ]


def test_a_skip_caused_by_no_commands_does_not_prove_the_rules_own_skip(policy, pack_dir) -> None:
    cases = {
        **CONDITIONAL_CASES,
        "no-commands": {
            "expect.yaml": "no_commands: true\nrules: {lockfile: skip, fmt: skip}\n",
            "repo/README.md": "# not Rust\n",
        },
    }
    root = pack_dir(cases, CONDITIONAL_PACK)
    _executable(root)
    done = policy("test", root, "--min-coverage", "100")
    assert done.stdout.splitlines()[-2:] == [
        "  not covered, never skips (1): fmt",
        "result: FAILED (coverage 50% is below 100%)",
    ]
    # without the program on PATH the command rule skips by its own condition
    expect = root / "tests" / "no-commands" / "expect.yaml"
    expect.write_text("rules: {lockfile: skip, fmt: skip}\n")
    done = policy("test", root, "--min-coverage", "100")
    assert done.exit_code == 0, done.stdout
    assert done.stdout.splitlines()[-1] == "result: ok"


def test_a_skip_for_want_of_trust_does_not_prove_the_rules_own_skip(policy, pack_dir) -> None:
    # fmt's `untrusted_when` holds where the repository names its own rustfmt: a case's
    # repository is judged without --trust-repo, so the rule is skipped there, but that
    # says nothing of fmt's own skip condition (cargo missing)
    pack = CONDITIONAL_PACK.replace(
        "    check: {command: {run: [cargo, fmt, --check]}}",
        "    untrusted_when: {file: {exists: [rustfmt-path]}}\n"
        "    check: {command: {run: [cargo, fmt, --check]}}",
    )
    cases = {
        **CONDITIONAL_CASES,
        "own-rustfmt": {
            "expect.yaml": (
                "rules:\n  lockfile: skip\n  fmt: {status: skip, message: '^not run: the "
                "repository chooses the program \\(rustfmt-path exists\\) "
                "\\(use --trust-repo\\)$'}\n"
            ),
            "repo/rustfmt-path": "",
            "bin/cargo": "#!/bin/sh\nexit 0\n",
        },
    }
    root = pack_dir(cases, pack)
    _executable(root)
    done = policy("test", root, "--min-coverage", "100")
    assert done.stdout.splitlines()[-4:] == [
        "  ok    unlocked (2 expectation(s))",
        "coverage: 1 of 2 rule(s) seen passing, failing and, where they can, skipping (50%)",
        "  not covered, never skips (1): fmt",
        "result: FAILED (coverage 50% is below 100%)",
    ]


LEVELLED = PACK.replace(
    "rules:\n",
    "levels: [{id: bronze, title: Bronze}, {id: silver, title: Silver}]\nrules:\n",
).replace(
    "    category: docs\n    check: {file: {paths",
    "    category: docs\n    level: silver\n    check: {file: {paths",
)
AT_EACH_LEVEL = {
    "bare": {"expect.yaml": "level: none\nrules: {readme: fail, usage: fail}\n", "repo/a.txt": ""},
    "readme": {
        "expect.yaml": "level: bronze\nrules: {readme: pass, usage: fail}\n",
        "repo/README.md": "# Demo\n",
    },
    "usage": {
        "expect.yaml": "level: silver\nrules: {readme: pass, usage: pass}\n",
        "repo/README.md": "## Usage\n",
    },
}


def test_a_case_proves_the_level_its_repository_reaches(policy, pack_dir) -> None:
    done = policy("test", pack_dir(AT_EACH_LEVEL, pack=LEVELLED), "--min-coverage", "100")
    assert done.exit_code == 0, done.stdout
    assert done.stdout.splitlines()[1:] == [
        "  ok    bare (3 expectation(s))",
        "  ok    readme (3 expectation(s))",
        "  ok    usage (3 expectation(s))",
        "coverage: 2 of 2 rule(s) seen passing, failing and, where they can, skipping "
        "(100% of rules and levels)",
        "levels: 2 of 2 proven by a case at that level",
        "result: ok",
    ]


def test_a_level_not_reached_is_a_mismatch_naming_what_blocks_it(policy, pack_dir) -> None:
    cases = {**AT_EACH_LEVEL, "readme": {**AT_EACH_LEVEL["readme"]}}
    cases["readme"]["expect.yaml"] = "level: silver\nrules: {readme: pass}\n"
    root = pack_dir(cases, pack=LEVELLED)
    done = policy("test", root)
    assert done.exit_code == 1
    expect = root / "tests" / "readme" / "expect.yaml"
    assert done.stdout.splitlines()[2:4] == [
        "  FAIL  readme (1 of 2 expectation(s) not met)",
        f"        level: expected level silver, got bronze; the next level needs usage "
        f"({expect}:1:8)",
    ]
    assert done.stdout.splitlines()[-1] == "result: FAILED (1 mismatch(es))"


def test_a_level_no_case_proves_lowers_the_coverage(policy, pack_dir) -> None:
    cases = {name: files for name, files in AT_EACH_LEVEL.items() if name != "usage"}
    cases["readme"] = {**cases["readme"], "repo/README.md": "## Usage\n"}
    cases["readme"]["expect.yaml"] = "rules: {readme: pass, usage: pass}\n"
    done = policy("test", pack_dir(cases, pack=LEVELLED), "--min-coverage", "100")
    assert done.exit_code == 1
    assert done.stdout.splitlines()[-4:] == [
        "coverage: 2 of 2 rule(s) seen passing, failing and, where they can, skipping "
        "(50% of rules and levels)",
        "levels: 0 of 2 proven by a case at that level",
        "  not proven (2): bronze, silver",
        "result: FAILED (coverage 50% is below 100%)",
    ]


def test_an_expected_level_the_pack_lacks_is_an_input_error(policy, pack_dir) -> None:
    root = pack_dir({"x": {"expect.yaml": "level: platinum\n", "repo/a": ""}}, pack=LEVELLED)
    done = policy("test", root)
    assert done.exit_code == 2
    expect = root / "tests" / "x" / "expect.yaml"
    assert done.stderr.splitlines() == [
        f"policy: {expect}:1:8: error: level: pack demo has no level 'platinum' "
        "(levels: bronze, silver; none: the repository reaches no level)"
    ]
