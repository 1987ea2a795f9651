"""Pack loading through the real CLI: bad packs name their place, extends, overrides, params."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine.packs.digest import files_digest
from engine.resources import builtin_packs_dir

HEADER = "apiVersion: rulepack/v1\nname: test\nversion: 1.0.0\n"
Q = '"'  # where a quoted value starts
CATEGORY = "categories:\n  - {id: general, title: General}\n"


def rule(check: str, rule_id: str = "r", **fields: str) -> str:
    """One rule item of a block `rules:` list, its check in flow YAML."""
    extra = "".join(f"    {key}: {value}\n" for key, value in fields.items())
    return f"  - id: {rule_id}\n    title: T\n    category: general\n    check: {check}\n" + extra


def builtin_names() -> str:
    """The built-in packs, as an unknown-pack message lists them."""
    return ", ".join(sorted(p.name for p in builtin_packs_dir().iterdir() if p.is_dir()))


def at(text: str, needle: str, nth: int = 1) -> str:
    """`line:column` of the nth occurrence of `needle` in a pack's text."""
    start = -1
    for _ in range(nth):
        start = text.index(needle, start + 1)
    line = text.count("\n", 0, start) + 1
    return f"{line}:{start - (text.rfind(chr(10), 0, start) + 1) + 1}"


@pytest.fixture
def bad_pack(write_pack: Callable[..., Path], policy: Callable[..., object], make_repo):
    """Evaluate a pack that must be refused: exit 2, and the stderr lines."""

    def run(text: str) -> tuple[Path, list[str]]:
        path = write_pack(text)
        done = policy("eval", make_repo({"README.md": "hi"}), "--pack", path, "--format", "json")
        assert done.exit_code == 2, done.stdout + done.stderr
        assert done.stdout == ""
        assert "Traceback" not in done.stderr
        return path, done.stderr.splitlines()

    return run


# -- bad input: each names its file:line:column (and rule) ---------------------------------


def test_a_pack_that_is_not_yaml(bad_pack) -> None:
    path, lines = bad_pack(HEADER + "rules: [\n  - id: r\n    oops: {\n")
    assert lines == [
        f"policy: {path}:5:3: error: not valid YAML: while parsing a flow node, "
        "did not find expected node content"
    ]


def test_an_alias_inside_its_own_node_is_refused_at_the_alias(bad_pack) -> None:
    text = HEADER + CATEGORY + "rules:\n" + rule("&c {all: [*c]}")
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, '*c')}: error: not valid YAML: "
        "alias *c is inside the node it refers to (a loop)"
    ]


def test_an_alias_bomb_in_a_pack_is_refused(bad_pack) -> None:
    bomb = "".join(
        f"  - &{cur} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        for prev, cur in zip("abcdefg", "bcdefgh", strict=True)
    )
    text = HEADER + CATEGORY + "params:\n  x:\n  - &a [1,1,1,1,1,1,1,1,1]\n" + bomb + "rules: []\n"
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, '&g')}: error: not valid YAML: "
        "document expands to more than 1,000,000 nodes through aliases"
    ]


def test_a_pack_that_is_a_list_not_a_mapping(bad_pack) -> None:
    path, lines = bad_pack("- a\n- b\n")
    assert lines == [
        f"policy: {path}:1:1: error: a pack is a YAML mapping with apiVersion, name, "
        "version and rules"
    ]


def test_unknown_key_in_a_rule_suggests_the_right_one(bad_pack) -> None:
    text = HEADER + CATEGORY + "rules:\n" + rule("{file: {exists: [README.md]}}", remediaton="x")
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, 'remediaton')}: error: rule r: unknown key 'remediaton' "
        "(did you mean 'remediation'?)"
    ]


def test_unknown_key_inside_a_check_names_the_key(bad_pack) -> None:
    text = HEADER + CATEGORY + "rules:\n" + rule("{file: {exist: [README.md]}}")
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, 'exist')}: error: rule r: unknown key 'exist' in check.file "
        "(did you mean 'exists'?)"
    ]


def test_unknown_top_level_key(bad_pack) -> None:
    path, lines = bad_pack(HEADER + CATEGORY + "rule: []\n")
    assert lines == [f"policy: {path}:6:1: error: unknown key 'rule' (did you mean 'rules'?)"]


def test_duplicate_rule_id_names_both_places(bad_pack) -> None:
    check = "{file: {exists: [README.md]}}"
    text = HEADER + CATEGORY + "rules:\n" + rule(check, "a") + rule(check, "a")
    path, lines = bad_pack(text)
    first, second = at(text, "a\n"), at(text, "a\n", 2)
    assert lines == [
        f"policy: {path}:{second}: error: rule a: duplicate rule id 'a' "
        f"(first defined at {path}:{first})"
    ]


def test_duplicate_mapping_key(bad_pack) -> None:
    text = HEADER + CATEGORY + "rules:\n" + rule("{file: {exists: [README.md]}}", title="again")
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, 'title: again')}: error: rule r: duplicate key 'title' "
        "(YAML would silently keep the last one)"
    ]


def test_duplicate_mapping_key_in_a_pack_found_by_name(
    policy, make_repo, write_pack, tmp_path: Path
) -> None:
    text = HEADER.replace("name: test", "name: dup") + "version: 1.0.1\nrules: []\n"
    pack = write_pack(text, name="dup.yaml", folder=tmp_path / "lib")
    done = policy("eval", make_repo({}), "--pack", "dup", env={"RULEPACK_PATH": str(pack.parent)})
    assert done.exit_code == 2
    assert done.stderr == (
        f"policy: {pack}:4:1: error: duplicate key 'version' "
        "(YAML would silently keep the last one)\n"
    )


def test_invalid_jmespath_names_the_column_in_the_expression(bad_pack) -> None:
    check = '{manifest: {files: [a.json], assert: "spec.replicas >"}}'
    text = HEADER + CATEGORY + "rules:\n" + rule(check)
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, Q + 'spec')}: error: rule r: "
        "invalid JMESPath `spec.replicas >`: the expression ends too early"
    ]


def test_jmespath_with_an_unexpected_token(bad_pack) -> None:
    check = '{manifest: {files: [a.json], where: "a == == b", assert: a}}'
    text = HEADER + CATEGORY + "rules:\n" + rule(check)
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, Q + 'a ==')}: error: rule r: invalid JMESPath `a == == b` "
        "at column 6: unexpected '=='"
    ]


def test_invalid_regex(bad_pack) -> None:
    check = '{file: {paths: [README.md], contains: "(open"}}'
    text = HEADER + CATEGORY + "rules:\n" + rule(check)
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, Q + '(open')}: error: rule r: invalid regex '(open': "
        "missing ), unterminated subpattern at position 0"
    ]


def test_invalid_version_range(bad_pack) -> None:
    check = '{version: {file: a.toml, query: a, satisfies: ">=>1"}}'
    text = HEADER + CATEGORY + "rules:\n" + rule(check)
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, Q + '>=>1')}: error: rule r: invalid version range '>=>1'"
    ]


@pytest.mark.parametrize(
    ("check", "glob", "alternative"),
    [
        ('{file: {exists: ["../secrets"]}}', "../secrets", ""),
        ('{file: {absent: ["a/../../b"]}}', "a/../../b", ""),
        ('{file: {paths: ["*.md"], exclude: ["{..,x}/a"], contains: x}}', "{..,x}/a", "../a"),
        ('{manifest: {files: ["deploy/../.."], assert: a}}', "deploy/../..", ""),
        ('{file: {in_each: "../*", exists: [a]}}', "../*", ""),
        (
            '{version: {files: ["x/{a,..}/b.toml"], query: a, satisfies: "*"}}',
            "x/{a,..}/b.toml",
            "x/../b.toml",
        ),
    ],
)
def test_a_glob_that_leaves_the_root(bad_pack, check: str, glob: str, alternative: str) -> None:
    text = HEADER + CATEGORY + "rules:\n" + rule(check)
    path, lines = bad_pack(text)
    which = f" (its alternative '{alternative}')" if alternative else ""
    assert lines == [
        f"policy: {path}:{at(text, Q + glob)}: error: rule r: glob '{glob}'{which} leaves the "
        "snapshot root ('..' is not allowed)"
    ]


NEVER_FILE = "can never match a file (paths name files, not folders)"


@pytest.mark.parametrize(
    ("check", "glob", "problem"),
    [
        ('{file: {exists: ["vendor/"]}}', "vendor/", f"{NEVER_FILE}: write 'vendor/**'"),
        ('{file: {absent: ["./x.pem"]}}', "./x.pem", ": paths have no leading './': write 'x.pem'"),
        (
            '{file: {paths: ["src/./a.rs"], contains: x}}',
            "src/./a.rs",
            ": paths have no '.' folders: write 'src/a.rs'",
        ),
        (
            '{file: {paths: ["**/*.md"], exclude: ["deploy/**/"], contains: x}}',
            "deploy/**/",
            f"{NEVER_FILE}: write 'deploy/**'",
        ),
        (
            '{file: {in_each: "services/", exists: [Dockerfile]}}',
            "services/",
            "can never match a folder (folder paths have no trailing '/'): write 'services' "
            "for that folder or 'services/*' for each folder in it",
        ),
        (
            '{file: {in_each: "services/*", exists: ["./Dockerfile"]}}',
            "./Dockerfile",
            ": paths have no leading './': write 'Dockerfile'",
        ),
        (
            '{manifest: {files: ["deploy//x.yaml"], assert: a}}',
            "deploy//x.yaml",
            ": paths have no empty folder names ('//'): write 'deploy/x.yaml'",
        ),
        (
            '{version: {file: "./rust-toolchain.toml", query: a, satisfies: "*"}}',
            "./rust-toolchain.toml",
            ": paths have no leading './': write 'rust-toolchain.toml'",
        ),
        (
            '{version: {files: ["crates/"], query: a, satisfies: "*"}}',
            "crates/",
            f"{NEVER_FILE}: write 'crates/**'",
        ),
        (
            '{version: {command: [rustc], satisfies_from: {file: "./Cargo.toml", query: a}}}',
            "./Cargo.toml",
            ": paths have no leading './': write 'Cargo.toml'",
        ),
    ],
)
def test_a_glob_that_can_never_match_names_the_fix(
    bad_pack, check: str, glob: str, problem: str
) -> None:
    text = HEADER + CATEGORY + "rules:\n" + rule(check)
    path, lines = bad_pack(text)
    space = "" if problem.startswith(":") else " "
    assert lines == [
        f"policy: {path}:{at(text, Q + glob)}: error: rule r: '{glob}'{space}{problem}"
    ]


def test_a_fileset_glob_that_can_never_match(bad_pack, policy) -> None:
    head = 'filesets:\n  k8s: {include: ["./k8s/*.yaml"], exclude: ["k8s/templates/"]}\n'
    text = (
        HEADER
        + CATEGORY
        + head
        + "rules:\n"
        + rule("{manifest: {files: {fileset: k8s}, assert: a}}")
    )
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, Q + './k8s')}: error: './k8s/*.yaml': paths have no "
        "leading './': write 'k8s/*.yaml'",
        f"policy: {path}:{at(text, Q + 'k8s/templates')}: error: 'k8s/templates/' {NEVER_FILE}: "
        "write 'k8s/templates/**'",
    ]
    validated = policy("validate", path)
    assert validated.exit_code == 2
    assert validated.stderr.splitlines() == [line.removeprefix("policy: ") for line in lines]


def test_an_absolute_glob_and_a_fileset_glob(bad_pack) -> None:
    head = 'filesets:\n  up: {include: ["../x/**"]}\n'
    check = '{file: {exists: ["/etc/passwd"]}}'
    text = HEADER + CATEGORY + head + "rules:\n" + rule(check)
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, Q + '../x')}: error: glob '../x/**' leaves the snapshot root "
        "('..' is not allowed)",
        f"policy: {path}:{at(text, Q + '/etc')}: error: rule r: glob '/etc/passwd' is absolute; "
        "globs are relative to the snapshot root",
    ]


def test_a_command_cwd_outside_the_root(bad_pack) -> None:
    check = '{command: {run: ["true"], cwd: "../.."}}'
    text = HEADER + CATEGORY + "rules:\n" + rule(check)
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, Q + '../..')}: error: rule r: path '../..' must stay inside "
        "the snapshot root"
    ]


def test_unknown_parameter(bad_pack) -> None:
    text = HEADER + "params: {known: 1}\n" + CATEGORY + "rules:\n"
    text += rule('{file: {exists: ["{{ unknown }}.md"]}}')
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, Q + '{{')}: error: rule r: unknown parameter 'unknown' "
        "(declared: known)"
    ]


def test_unknown_category_fileset_and_condition(bad_pack) -> None:
    text = HEADER + CATEGORY + "rules:\n"
    text += "  - {id: a, title: T, category: nope, check: {file: {exists: [x]}}}\n"
    text += "  - {id: b, title: T, category: general, check: {file: {exists: {fileset: fs}}}}\n"
    text += "  - {id: c, title: T, category: general, check: {condition: cond}}\n"
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, 'nope')}: error: rule a: unknown category 'nope' "
        "(categories: general)",
        f"policy: {path}:{at(text, 'fs}')}: error: rule b: unknown fileset 'fs' "
        "(known: none defined)",
        f"policy: {path}:{at(text, 'cond}')}: error: rule c: unknown condition 'cond' "
        "(known: none defined)",
    ]


def test_unknown_pack_name(policy, make_repo) -> None:
    done = policy("eval", make_repo({}), "--pack", "no-such-pack")
    assert done.exit_code == 2
    assert done.stderr == (
        f"policy: error: unknown pack 'no-such-pack' (available: {builtin_names()})\n"
    )


def test_unknown_pack_name_in_extends(bad_pack) -> None:
    text = HEADER + "extends:\n  - pack: nothing-here\nrules: []\n"
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, 'nothing')}: error: unknown pack 'nothing-here' "
        f"(available: {builtin_names()})"
    ]


def test_a_pack_file_that_does_not_exist(policy, make_repo, tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    done = policy("eval", make_repo({}), "--pack", missing)
    assert done.exit_code == 2
    assert done.stderr == f"policy: error: cannot read pack {missing}: No such file or directory\n"


def test_extends_cycle_names_the_entry_that_closes_it(write_pack, bad_pack) -> None:
    other_text = (
        "apiVersion: rulepack/v1\nname: b\nversion: 1.0.0\nextends: [{pack: ./pack.yaml}]\n"
    )
    other = write_pack(other_text, name="b.yaml")
    path, lines = bad_pack(
        "apiVersion: rulepack/v1\nname: a\nversion: 1.0.0\nextends: [{pack: ./b.yaml}]\n"
    )
    assert lines == [
        f"policy: {other}:{at(other_text, './pack')}: error: extends cycle: "
        f"{path} -> {other} -> {path}"
    ]


def test_a_pack_that_extends_itself(bad_pack) -> None:
    text = HEADER + "extends: [{pack: ./pack.yaml}]\n"
    path, lines = bad_pack(text)
    assert lines == [f"policy: {path}:{at(text, './')}: error: extends cycle: {path} -> {path}"]


def test_requires_a_newer_engine(bad_pack) -> None:
    path, lines = bad_pack(HEADER + 'requires: ">=99.0.0"\nrules: []\n')
    assert lines == [
        f"policy: {path}:4:11: error: pack 'test' requires rulepack >=99.0.0, "
        "but this is rulepack 0.1.0"
    ]


def test_requires_that_is_not_a_range(bad_pack) -> None:
    path, lines = bad_pack(HEADER + 'requires: "newest"\nrules: []\n')
    assert lines == [f"policy: {path}:4:11: error: invalid version range 'newest'"]


def test_pack_version_must_be_semver(bad_pack) -> None:
    path, lines = bad_pack('apiVersion: rulepack/v1\nname: test\nversion: "1.0"\nrules: []\n')
    assert lines == [
        f"policy: {path}:3:10: error: version '1.0' is not a semantic version (MAJOR.MINOR.PATCH)"
    ]


def test_every_problem_of_a_pack_is_reported_at_once(bad_pack) -> None:
    text = HEADER + CATEGORY + "rules:\n"
    text += rule('{file: {paths: ["../x"], contains: "("}}', "a")
    text += rule('{manifest: {files: [a.yaml], assert: "a =="}}', "b", severity="fatal")
    text += "  - {id: c, title: T, category: other, chek: {file: {exists: [x]}}}\n"
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, Q + '../x')}: error: rule a: glob '../x' leaves the snapshot "
        "root ('..' is not allowed)",
        f"policy: {path}:{at(text, Q + '(')}: error: rule a: invalid regex '(': "
        "missing ), unterminated subpattern at position 0",
        f"policy: {path}:{at(text, Q + 'a ==')}: error: rule b: invalid JMESPath `a ==`: "
        "the expression ends too early",
        f"policy: {path}:{at(text, 'fatal')}: error: rule b: severity: 'fatal' is not one of "
        "['error', 'warning', 'info']",
        f"policy: {path}:{at(text, '{id: c')}: error: rule c: 'check' is a required property",
        f"policy: {path}:{at(text, 'other')}: error: rule c: unknown category 'other' "
        "(categories: general)",
        f"policy: {path}:{at(text, 'chek')}: error: rule c: unknown key 'chek' "
        "(did you mean 'check'?)",
    ]


def test_fields_of_the_wrong_type_are_reported_not_read(bad_pack) -> None:
    text = HEADER + CATEGORY + "rules:\n"
    text += rule("{file: {exists: [x]}}", "a", tags="null", message="5")
    text += rule("{file: {exists: [x]}}", "b", tags="7", remediation="[T]")
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, 'null')}: error: rule a: tags: None is not of type 'array'",
        f"policy: {path}:{at(text, '5')}: error: rule a: message: 5 is not of type 'string'",
        f"policy: {path}:{at(text, '7')}: error: rule b: tags: 7 is not of type 'array'",
        f"policy: {path}:{at(text, '[T]')}: error: rule b: remediation: ['T'] is not of type "
        "'string'",
    ]


def test_an_integer_too_long_to_read_is_refused_at_its_place(bad_pack) -> None:
    text = HEADER + "params: {n: " + "9" * 5000 + "}\n"
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:{at(text, '9')}: error: not valid YAML: an integer of 5,000 digits "
        "(at most 4,300 are read)"
    ]


def test_merge_keys_inside_merged_mappings_are_resolved(evaluate, make_repo, write_pack) -> None:
    text = (
        HEADER
        + CATEGORY
        + "rules:\n"
        + rule('{manifest: &one {files: [a.json], assert: "x"}}', "a")
        + rule("{manifest: &two {<<: *one, expect: all}}", "b")
        + rule('{manifest: {<<: *two, assert: "z"}}', "c")  # files from `one`, through `two`
    )
    run = evaluate(make_repo({"a.json": '{"x": 1}'}), write_pack(text))
    assert run.exit_code == 1, run.stderr
    assert [run.status(r) for r in "abc"] == ["pass", "pass", "fail"]
    assert [f["path"] for f in run.result("c")["findings"]] == ["a.json"]


# -- warnings are not errors ----------------------------------------------------------------


def test_not_a_dot_b_is_a_warning_and_the_run_goes_on(evaluate, make_repo, write_pack) -> None:
    check = '{manifest: {files: [a.json], assert: "!spec.paused"}}'
    text = HEADER + CATEGORY + "rules:\n" + rule(check)
    path = write_pack(text)
    run = evaluate(make_repo({"a.json": '{"spec": {"paused": false}}'}), path)
    assert run.stderr == (
        f"policy: {path}:{at(text, Q + '!')}: warning: rule r: "
        "`!spec.paused` means `(!spec).paused`; write `!(spec.paused)`\n"
    )
    # `(!spec).paused` is null (false); the rule fails where `!(spec.paused)` would pass
    assert (run.exit_code, run.status()) == (1, "fail")


def test_a_title_cut_by_a_comment_is_a_warning_and_the_run_goes_on(
    evaluate, make_repo, write_pack
) -> None:
    text = HEADER + CATEGORY + "rules:\n" + rule("{file: {exists: [README.md]}}")
    text = text.replace("title: T\n", "title: Tests cover C# code # more\n")
    path = write_pack(text)
    run = evaluate(make_repo({"README.md": "hi"}), path)
    assert run.stderr == (
        f"policy: {path}:{at(text, '# more')}: warning: rule r: title stops at ` #`: "
        "YAML reads the rest of the line as a comment; "
        "quote the text (or move the comment to a line of its own)\n"
    )
    assert (run.exit_code, run.status()) == (0, "pass")
    assert run.result()["title"] == "Tests cover C# code"


def test_a_keyword_used_as_a_field_is_a_warning(policy, write_pack) -> None:
    check = '{manifest: {files: [a.json], assert: "enabled == true"}}'
    text = HEADER + CATEGORY + "rules:\n" + rule(check)
    path = write_pack(text)
    done = policy("validate", path)
    assert done.exit_code == 0
    assert done.stdout.splitlines() == [
        f"{path}:{at(text, Q + 'enabled')}: warning: rule r: `true` here is a field named 'true'; "
        "the literal is `true` in backticks",
        "1 file(s) checked: 0 error(s), 1 warning(s)",
    ]


# -- extends, overrides, params --------------------------------------------------------------

BASE = """\
apiVersion: rulepack/v1
name: base
version: {version}
params: {{readme: README.md, level: 1}}
categories:
  - {{id: docs, title: Documentation}}
rules:
  - {{id: base.readme, title: "has {{{{ readme }}}}", category: docs,
     check: {{file: {{exists: ["{{{{ readme }}}}"]}}}}}}
  - {{id: base.license, title: License, category: docs, severity: warning,
     check: {{file: {{exists: [LICENSE]}}}}}}
"""


def child(extends: str, extra: str = "") -> str:
    return (
        f"apiVersion: rulepack/v1\nname: child\nversion: 2.0.0\nextends:\n  - {extends}\n" + extra
    )


def test_extends_by_name_on_the_pack_path_with_a_satisfied_range(
    evaluate, make_repo, write_pack, tmp_path: Path
) -> None:
    library = tmp_path / "library"
    write_pack(BASE.format(version="1.4.0"), name="base.yaml", folder=library)
    pack = write_pack(child('{pack: base, version: "^1.2"}'))
    run = evaluate(make_repo({"README.md": "x"}), pack, env={"RULEPACK_PATH": str(library)})
    assert run.exit_code == 0  # the failing rule is a warning
    assert [(r["rule"], r["pack"], r["status"]) for r in run.report["results"]] == [
        ("base.readme", "child", "pass"),
        ("base.license", "child", "fail"),
    ]
    # the digest covers both files of the chain, named without their folders
    digest = files_digest(
        [
            ("file:pack.yaml", pack.read_bytes()),
            ("path:base.yaml", (library / "base.yaml").read_bytes()),
        ]
    )
    assert run.report["packs"] == [
        {"name": "child", "version": "2.0.0", "source": "file", "path": str(pack), "digest": digest}
    ]


def test_extends_with_a_range_no_version_satisfies(policy, make_repo, write_pack, tmp_path) -> None:
    library = tmp_path / "library"
    base = write_pack(BASE.format(version="1.4.0"), name="base.yaml", folder=library)
    pack = write_pack(child('{pack: base, version: "^2.0"}'))
    done = policy("eval", make_repo({}), "--pack", pack, env={"RULEPACK_PATH": str(library)})
    assert done.exit_code == 2
    assert done.stderr == (
        f"policy: {pack}:5:12: error: no version of pack 'base' satisfies ^2.0 "
        f"(found 1.4.0 at {base})\n"
    )


def test_extends_by_relative_path_with_a_version(evaluate, make_repo, write_pack, tmp_path) -> None:
    write_pack(BASE.format(version="1.0.0"), name="lib/base.yaml")
    pack = write_pack(child('{pack: ./lib/base.yaml, version: ">=1.0.0 <2"}'))
    run = evaluate(make_repo({"README.md": "x", "LICENSE": "x"}), pack)
    assert run.exit_code == 0
    assert [r["status"] for r in run.report["results"]] == ["pass", "pass"]


def test_extends_by_path_whose_version_is_out_of_range(policy, make_repo, write_pack) -> None:
    base = write_pack(BASE.format(version="1.0.0"), name="base.yaml")
    pack = write_pack(child('{pack: ./base.yaml, version: "~1.1"}'))
    done = policy("eval", make_repo({}), "--pack", pack)
    assert done.exit_code == 2
    assert done.stderr == (
        f"policy: {pack}:5:12: error: no version of pack './base.yaml' satisfies ~1.1 "
        f"(found 1.0.0 at {base})\n"
    )


def test_extends_with_an_invalid_version_range(policy, make_repo, write_pack) -> None:
    write_pack(BASE.format(version="1.0.0"), name="base.yaml")
    pack = write_pack(child('{pack: ./base.yaml, version: "one"}'))
    done = policy("eval", make_repo({}), "--pack", pack)
    assert done.exit_code == 2
    assert done.stderr == f"policy: {pack}:5:34: error: invalid version range 'one'\n"


def test_overrides_change_severity_and_disable_rules(evaluate, make_repo, write_pack) -> None:
    write_pack(BASE.format(version="1.0.0"), name="base.yaml")
    overrides = (
        "overrides:\n"
        "  - {rule: base.readme, enabled: false}\n"
        "  - {rule: base.license, severity: error}\n"
    )
    pack = write_pack(child("{pack: ./base.yaml}", overrides))
    run = evaluate(make_repo({}), pack)
    assert run.exit_code == 1
    readme, license_ = run.report["results"]
    assert (readme["status"], readme["reason"]) == ("skip", "disabled by pack child")
    assert (license_["status"], license_["severity"]) == ("fail", "error")


def test_override_of_an_unknown_rule(bad_pack, write_pack) -> None:
    write_pack(BASE.format(version="1.0.0"), name="base.yaml")
    path, lines = bad_pack(child("{pack: ./base.yaml}", "overrides:\n  - {rule: base.nope}\n"))
    assert lines == [
        f"policy: {path}:7:12: error: rule base.nope: override of unknown rule 'base.nope'"
    ]


def test_params_default_and_a_child_pack_overrides_the_default(
    evaluate, make_repo, write_pack
) -> None:
    write_pack(BASE.format(version="1.0.0"), name="base.yaml")
    pack = write_pack(child("{pack: ./base.yaml}", "params: {readme: DOCS.md}\n"))
    repo = make_repo({"README.md": "x"})
    run = evaluate(repo, pack)
    readme = run.result("base.readme")
    assert (readme["status"], readme["title"]) == ("fail", "has DOCS.md")


PARAMS_PACK = (
    HEADER
    + "params: {name: README.md, count: 2, cap: 1000}\n"
    + CATEGORY
    + """\
rules:
  - id: r
    title: "{{ name }} exists"
    category: general
    check: {file: {exists: ["{{ name }}"]}}
  - id: count
    title: T
    category: general
    check: {manifest: {files: [a.json], assert: "n >= `{{ count }}`"}}
  - id: cap
    title: T
    category: general
    check: {file: {paths: [a.json], contains: n, max_bytes: "{{ cap }}"}}
"""
)


def test_params_from_defaults(evaluate, make_repo) -> None:
    run = evaluate(make_repo({"README.md": "x", "a.json": '{"n": 2}'}), PARAMS_PACK)
    assert [r["status"] for r in run.report["results"]] == ["pass", "pass", "pass"]
    assert run.result("r")["title"] == "README.md exists"


def test_param_on_the_command_line_is_typed(evaluate, make_repo) -> None:
    repo = make_repo({"DOCS.md": "x", "a.json": '{"n": 2}'})
    run = evaluate(
        repo, PARAMS_PACK, "--param", "name=DOCS.md", "--param", "count=3", "--param", "cap=5"
    )
    assert run.exit_code == 1, run.stderr
    assert run.status("r") == "pass"
    count = run.result("count")
    assert count["findings"][0]["message"] == "n is 2, expected >= 3"
    # `max_bytes: "{{ cap }}"` became the integer 5, not the string "5"
    assert run.result("cap")["findings"][0]["message"].startswith("nothing to check")
    assert run.result("cap")["notes"] == [
        {"path": "a.json", "message": "not read: 8 bytes is over the 5-byte cap"}
    ]


def test_param_from_the_repo_config_and_the_command_line_wins(evaluate, make_repo) -> None:
    repo = make_repo(
        {
            "a.json": '{"n": 2}',
            "README.md": "x",
            ".rulepack.yaml": "params: {count: 5, name: README.md}\n",
        }
    )
    assert evaluate(repo, PARAMS_PACK).status("count") == "fail"
    assert evaluate(repo, PARAMS_PACK, "--param", "count=1").status("count") == "pass"


def test_a_whole_value_placeholder_keeps_a_list(evaluate, make_repo, pack_text) -> None:
    pack = pack_text(
        "- {id: r, title: T, category: general, check: {file: {exists: '{{ names }}'}}}",
        "params: {names: [README.md, README.rst]}\n",
    )
    assert evaluate(make_repo({"README.rst": "x"}), pack).status() == "pass"
    assert evaluate(make_repo({"OTHER": "x"}), pack).result()["findings"][0]["message"] == (
        "none of README.md, README.rst exists"
    )


def test_a_list_param_on_the_command_line(evaluate, make_repo, pack_text) -> None:
    pack = pack_text(
        "- {id: r, title: T, category: general, check: {file: {exists: '{{ names }}'}}}",
        "params: {names: [README.md]}\n",
    )
    repo = make_repo({"docs/index.md": "x"})
    assert evaluate(repo, pack).status() == "fail"
    assert evaluate(repo, pack, "--param", "names=[README.md, docs/*.md]").status() == "pass"


def test_a_param_inside_a_longer_string_is_written_as_json(evaluate, make_repo, pack_text) -> None:
    pack = pack_text(
        "- {id: r, title: 'at least {{ n }}', category: general,"
        " check: {manifest: {files: [a.json], assert: 'tags == `{{ tags }}`'}}}",
        "params: {n: 2, tags: [a, b]}\n",
    )
    run = evaluate(make_repo({"a.json": '{"tags": ["a", "b"]}'}), pack)
    assert (run.status(), run.result()["title"]) == ("pass", "at least 2")


def test_an_undeclared_param_on_the_command_line(policy, make_repo, write_pack) -> None:
    pack = write_pack(PARAMS_PACK)
    done = policy("eval", make_repo({}), "--pack", pack, "--param", "nmae=x")
    assert done.exit_code == 2
    assert done.stderr == (
        "policy: error: --param nmae: no evaluated pack declares this parameter "
        "(declared: cap, count, name)\n"
    )


def test_a_malformed_param_option(policy, make_repo, write_pack) -> None:
    done = policy("eval", make_repo({}), "--pack", write_pack(PARAMS_PACK), "--param", "count")
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: error: --param 'count': expected KEY=VALUE\n",
    )


def test_a_pack_folder_is_its_pack_yaml(evaluate, make_repo, write_pack, tmp_path) -> None:
    folder = tmp_path / "mine"
    pack = write_pack(
        HEADER + CATEGORY + "rules:\n" + rule("{file: {exists: [a]}}"), "pack.yaml", folder
    )
    run = evaluate(make_repo({"a": "x"}), folder)
    assert (run.exit_code, run.report["packs"][0]["path"]) == (0, str(pack))


SPLICED = """\
filesets:
  not_ours: {include: ["**/examples/**", "vendor/**"]}
  manifests:
    include: ["**/*.yaml"]
    exclude: [{fileset: not_ours}, "**/templates/**"]
"""


def test_a_fileset_can_stand_in_a_list_of_globs(make_repo, evaluate, pack_text) -> None:
    repo = make_repo(
        {
            "deploy/app.yaml": "kind: Deployment\n",
            "charts/x/examples/rendered/app.yaml": "kind: Deployment\n",
            "charts/x/templates/app.yaml": "kind: Deployment\n",
            "vendor/lib/app.yaml": "kind: Deployment\n",
        }
    )
    pack = pack_text(
        """
        - id: r
          title: T
          category: general
          check: {file: {absent: {fileset: manifests}}}
        - id: s
          title: T
          category: general
          check: {file: {absent: ["**/*.yaml"], exclude: [{fileset: not_ours}]}}
        """,
        head=SPLICED,
    )
    run = evaluate(repo, pack)
    assert [f["path"] for f in run.result("r")["findings"]] == ["deploy/app.yaml"]
    assert [f["path"] for f in run.result("s")["findings"]] == [
        "charts/x/templates/app.yaml",
        "deploy/app.yaml",
    ]


def test_only_a_known_fileset_without_exclude_can_stand_in_a_list(
    make_repo, policy, write_pack, pack_text
) -> None:
    pack = write_pack(
        pack_text(
            """
            - id: r
              title: T
              category: general
              check:
                file: {absent: ["**/*.yaml"], exclude: [{fileset: manifests}, {fileset: nope}]}
            """,
            head=SPLICED,
        )
    )
    done = policy("validate", pack)
    assert done.exit_code == 2
    assert done.stderr.splitlines() == [
        f"{pack}:16:57: error: rule r: fileset 'manifests' has `exclude`, so its globs "
        "cannot stand in a list of globs",
        f"{pack}:16:79: error: rule r: unknown fileset 'nope' (known: manifests, not_ours)",
    ]


def test_a_built_in_pack_given_an_impossible_number_by_a_param_is_a_pack_error(
    tmp_path: Path,
) -> None:
    """Built-in packs are read without the schema; their parse still says what is wrong."""
    from engine.errors import InputError
    from engine.packs.finder import DiskFolder, PackFinder
    from engine.packs.load import PackLoader

    text = HEADER + "params: {t: 5}\n" + CATEGORY + "rules:\n"
    text += rule('{command: {run: ["true"], timeout: "{{ t }}"}}')
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    finder = PackFinder([DiskFolder(tmp_path, "builtin")])
    for value in (float("nan"), float("inf"), 1e10):  # a string is a type error (test_params)
        with pytest.raises(InputError) as raised:
            PackLoader(finder, params={"t": value}).load("p")
        assert [str(p) for p in raised.value.problems] == [
            f"rulepacks/p.yaml:{at(text, Q + '{{')}: error: rule r: `timeout` must be a number "
            f"above 0 and at most 86,400: {value!r}"
        ]


# -- what is not a pack file at all: each a located line, and exit 2 ----------------------------


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        (
            (HEADER + "description: café\n").encode("utf-16"),
            "1:1",
            "UTF-16 text (it starts with a byte-order mark); save it as UTF-8",
        ),
        ((HEADER + "description: café\n").encode("latin-1"), "4:17", "not UTF-8 text (byte 0xe9)"),
        ((HEADER + "description: a\0b\n").encode(), "4:15", "a NUL byte: this is not a text file"),
        (b"x" * (4 * 1024 * 1024 + 1), "", "larger than 4 MiB, more than rulepack reads"),
    ],
)
def test_a_pack_file_that_is_not_utf8_text_is_refused_where_it_goes_wrong(
    policy, make_repo, tmp_path: Path, data: bytes, where: str, message: str
) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_bytes(data)
    done = policy("eval", make_repo(), "--pack", pack)
    at = f"{pack}:{where}" if where else str(pack)
    assert (done.exit_code, done.stderr) == (2, f"policy: {at}: error: not a pack: {message}\n")


def test_an_endless_pack_file_is_read_no_further_than_the_cap(policy, make_repo) -> None:
    done = policy("eval", make_repo(), "--pack", "/dev/zero")
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: /dev/zero: error: not a pack: larger than 4 MiB, more than rulepack reads\n",
    )


def test_a_pack_found_by_name_in_the_repository_is_read_the_same_way(policy, make_repo) -> None:
    repo = make_repo({".rulepack/packs/ours.yaml": (HEADER + "title: \0\n").encode()})
    done = policy("eval", repo, "--pack", "ours")
    assert (done.exit_code, done.stderr) == (
        2,
        "policy: .rulepack/packs/ours.yaml:4:8: error: not a pack: a NUL byte: this is not a "
        "text file\n",
    )


def test_a_control_character_in_a_pack_is_located(bad_pack) -> None:
    text = HEADER + "description: a\x01b\n" + CATEGORY + "rules: []\n"
    path, lines = bad_pack(text)
    assert lines == [
        f"policy: {path}:4:15: error: not valid YAML: unacceptable character #x0001: control "
        "characters are not allowed"
    ]
