"""`version` checks end to end: from a program, from one manifest, from every manifest."""

from __future__ import annotations


def messages(run, rule: str = "r") -> list[str]:
    return [f["message"] for f in run.result(rule)["findings"]]


def program(output: str, satisfies: str, extra: str = "") -> str:
    return f"{{version: {{command: [echo, '{output}'], satisfies: '{satisfies}'{extra}}}}}"


def test_version_from_a_program_passes(evaluate, make_repo, check_pack) -> None:
    run = evaluate(
        make_repo({}), check_pack(program("rustc 1.80.1 (3f5fd8dd4 2024-08-06)", ">=1.75"))
    )
    assert (run.exit_code, run.status(), run.result()["message"]) == (
        0,
        "pass",
        "echo rustc 1.80.1 (3f5fd8dd4 2024-08-06): 1.80.1 satisfies >=1.75",
    )


def test_version_from_a_program_fails_naming_the_version(evaluate, make_repo, check_pack) -> None:
    run = evaluate(make_repo({}), check_pack(program("node v18.19.0", "^20 || ^22")))
    assert (run.exit_code, run.status()) == (1, "fail")
    assert messages(run) == ["echo node v18.19.0: 18.19.0 does not satisfy ^20 || ^22"]


def test_partial_versions_from_a_program(evaluate, make_repo, check_pack) -> None:
    assert evaluate(make_repo({}), check_pack(program("v20", ">=20.0.0 <21"))).status() == "pass"
    assert evaluate(make_repo({}), check_pack(program("tool 1.75", "~1.75.0"))).status() == "pass"


def test_a_pattern_picks_the_version(evaluate, make_repo, check_pack) -> None:
    check = program("built with 2.0.0, rustc 1.80.1", ">=1.75 <2", ", pattern: 'rustc (\\S+)'")
    assert evaluate(make_repo({}), check_pack(check)).status() == "pass"


RULE = "a pre-release satisfies a range only when a comparator names a pre-release of"


def test_a_pre_release_from_a_program_does_not_satisfy_a_release_range(
    evaluate, make_repo, check_pack
) -> None:
    run = evaluate(make_repo({}), check_pack(program("rustc 1.80.0-nightly (72fdf913c)", ">=1.75")))
    assert (run.exit_code, run.status()) == (1, "fail")
    assert messages(run) == [
        "echo rustc 1.80.0-nightly (72fdf913c): 1.80.0-nightly does not satisfy >=1.75 "
        f"({RULE} 1.80.0)"
    ]
    run = evaluate(make_repo({}), check_pack(program("tool 2.0.0-rc.1", ">=2.0.0")))
    assert messages(run) == [
        f"echo tool 2.0.0-rc.1: 2.0.0-rc.1 does not satisfy >=2.0.0 ({RULE} 2.0.0)"
    ]
    python = evaluate(make_repo({}), check_pack(program("Python 3.13.0rc1", ">=3.12")))
    assert messages(python) == [
        f"echo Python 3.13.0rc1: 3.13.0-rc.1 does not satisfy >=3.12 ({RULE} 3.13.0)"
    ]


def test_a_pre_release_satisfies_a_range_naming_one_of_its_version(
    evaluate, make_repo, check_pack
) -> None:
    run = evaluate(make_repo({}), check_pack(program("node v22.0.0-nightly2024", ">=22.0.0-0")))
    assert (run.status(), run.result()["message"]) == (
        "pass",
        "echo node v22.0.0-nightly2024: 22.0.0-nightly2024 satisfies >=22.0.0-0",
    )
    run = evaluate(make_repo({}), check_pack(program("tool 2.0.0-rc.1", ">=2.0.0-rc.2")))
    assert messages(run) == ["echo tool 2.0.0-rc.1: 2.0.0-rc.1 does not satisfy >=2.0.0-rc.2"]


def test_a_pattern_that_leaves_the_tag_out_ignores_it(evaluate, make_repo, check_pack) -> None:
    check = program("rustc 1.80.0-beta.1 (x)", ">=1.75", ", pattern: 'rustc (\\d+\\.\\d+\\.\\d+)'")
    assert evaluate(make_repo({}), check_pack(check)).result()["message"] == (
        "echo rustc 1.80.0-beta.1 (x): 1.80.0 satisfies >=1.75"
    )


def test_build_metadata_is_ignored(evaluate, make_repo, check_pack) -> None:
    run = evaluate(make_repo({}), check_pack(program("Client Version: v1.30.2+k3s1", ">=1.28")))
    assert run.result()["message"] == "echo Client Version: v1.30.2+k3s1: 1.30.2 satisfies >=1.28"


def test_a_tag_that_is_not_semver_is_not_a_version(evaluate, make_repo, check_pack) -> None:
    check = program("tool 1.2.3-01", "*", ", pattern: 'tool (\\S+)'")
    assert messages(evaluate(make_repo({}), check_pack(check))) == [
        "echo tool 1.2.3-01: '1.2.3-01' is not a version"
    ]


def test_a_pre_release_in_a_manifest(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"pyproject.toml": '[tool.versions]\npython = "3.13.0rc2"\n'})
    check = "{version: {file: pyproject.toml, query: tool.versions.python, satisfies: '>=3.12'}}"
    run = evaluate(repo, check_pack(check))
    assert [(f["path"], f["message"]) for f in run.result()["findings"]] == [
        (
            "pyproject.toml",
            f"tool.versions.python: 3.13.0-rc.2 does not satisfy >=3.12 ({RULE} 3.13.0)",
        )
    ]


def test_no_version_in_the_output_fails(evaluate, make_repo, check_pack) -> None:
    run = evaluate(make_repo({}), check_pack(program("no digits", ">=1")))
    assert messages(run) == ["echo no digits: no version found"]


def test_a_program_that_fails_is_an_error(evaluate, make_repo, check_pack) -> None:
    check = "{version: {command: [sh, -c, 'echo broken >&2; exit 4'], satisfies: '>=1'}}"
    run = evaluate(make_repo({}), check_pack(check))
    assert (run.status(), run.result()["reason"]) == (
        "error",
        "sh -c echo broken >&2; exit 4 exited 4: broken",
    )


def test_a_missing_program_skips_and_no_commands_skips(evaluate, make_repo, check_pack) -> None:
    missing = evaluate(
        make_repo({}), check_pack("{version: {command: [no-such-tool-xyz], satisfies: '*'}}")
    )
    assert (missing.status(), missing.result()["reason"]) == (
        "skip",
        "no-such-tool-xyz is not installed (not found on PATH)",
    )
    disabled = evaluate(make_repo({}), check_pack(program("1.0.0", "*")), "--no-commands")
    assert disabled.result()["reason"] == "commands are disabled (--no-commands): echo 1.0.0"


def test_version_from_one_manifest(evaluate, make_repo, check_pack) -> None:
    check = "{version: {file: rust-toolchain.toml, query: toolchain.channel, satisfies: '>=1.75'}}"
    good = make_repo({"rust-toolchain.toml": '[toolchain]\nchannel = "1.79"\n'})
    assert evaluate(good, check_pack(check)).status() == "pass"
    old = make_repo({"rust-toolchain.toml": '[toolchain]\nchannel = "1.70.0"\n'})
    run = evaluate(old, check_pack(check))
    assert [(f["path"], f["line"], f["message"]) for f in run.result()["findings"]] == [
        ("rust-toolchain.toml", 1, "toolchain.channel: 1.70.0 does not satisfy >=1.75")
    ]
    stable = make_repo({"rust-toolchain.toml": '[toolchain]\nchannel = "stable"\n'})
    assert messages(evaluate(stable, check_pack(check))) == ["toolchain.channel: no version found"]


def test_version_from_every_manifest(evaluate, make_repo, check_pack) -> None:
    repo = make_repo(
        {
            "Cargo.toml": '[package]\nname = "root"\nrust-version = "1.80"\n',
            "crates/a/Cargo.toml": '[package]\nname = "a"\nrust-version = "1.70"\n',
            "crates/b/Cargo.toml": '[package]\nname = "b"\n',
        }
    )
    check = (
        "{version: {files: ['**/Cargo.toml'], query: 'package.\"rust-version\"',"
        " satisfies: '>=1.75'}}"
    )
    run = evaluate(repo, check_pack(check))
    assert run.status() == "fail"
    assert run.result()["message"] == "2 versions do not satisfy >=1.75"
    assert [(f["path"], f["message"]) for f in run.result()["findings"]] == [
        ("crates/a/Cargo.toml", 'package."rust-version": 1.70.0 does not satisfy >=1.75'),
        ("crates/b/Cargo.toml", 'package."rust-version": no version found'),
    ]


def test_numbers_in_manifests_are_versions(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({".nvmrc.yaml": "node: 20\n", "tool.json": '{"v": 1.75}'})
    pack = check_pack(
        "{all: [{version: {file: .nvmrc.yaml, query: node, satisfies: '^20'}},"
        " {version: {file: tool.json, query: v, satisfies: '~1.75'}}]}"
    )
    assert evaluate(repo, pack).status() == "pass"


def test_version_files_with_a_format_override(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({".tool-versions": "python 3.12.1\n"})
    check = "{version: {file: .tool-versions, format: text, query: content, satisfies: '>=3.11'}}"
    assert evaluate(repo, check_pack(check)).status() == "pass"


def test_no_manifest_matched_skips(evaluate, make_repo, check_pack) -> None:
    check = "{version: {files: ['**/Cargo.toml'], query: package.version, satisfies: '*'}}"
    run = evaluate(make_repo({"a.txt": "x"}), check_pack(check))
    assert (run.exit_code, run.status(), run.result()["reason"]) == (
        0,
        "skip",
        "no file matches **/Cargo.toml",
    )


def test_the_skip_names_the_config_excludes_that_left_files_out(
    evaluate, make_repo, check_pack
) -> None:
    check = "{version: {files: ['**/Cargo.toml'], query: package.version, satisfies: '*'}}"
    repo = make_repo({"vendor/x/Cargo.toml": "", ".rulepack.yaml": "exclude: [vendor/**]\n"})
    assert evaluate(repo, check_pack(check)).result()["reason"] == (
        "no file matches **/Cargo.toml (1 file left out by the config's exclude: vendor/**)"
    )


def test_a_manifest_that_does_not_parse_is_an_error(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"Cargo.toml": "[package\n"})
    check = "{version: {files: [Cargo.toml], query: package.version, satisfies: '*'}}"
    run = evaluate(repo, check_pack(check))
    assert run.status() == "error"
    assert run.result()["reason"].startswith("Cargo.toml:1: does not parse: ")


def test_a_version_check_needs_one_source(policy, make_repo, check_pack, write_pack) -> None:
    pack = write_pack(check_pack("{version: {satisfies: '*'}}"))
    done = policy("eval", make_repo({}), "--pack", pack)
    assert done.exit_code == 2
    assert done.stderr.endswith(
        "error: rule r: a version check takes exactly one of: command (or shell), file, files\n"
    )


def test_a_version_from_a_shell_command_line(evaluate, make_repo, check_pack) -> None:
    """`shell:` is a program source like `command:` (the schema offers both)."""
    run = evaluate(
        make_repo({}),
        check_pack("{version: {shell: 'echo tool 1.2.3 | cut -d\" \" -f2', satisfies: '>=1'}}"),
    )
    assert (run.status(), run.result()["message"]) == (
        "pass",
        '/bin/sh -c echo tool 1.2.3 | cut -d" " -f2: 1.2.3 satisfies >=1',
    )


def test_a_version_check_takes_command_or_shell_not_both(
    policy, make_repo, check_pack, write_pack
) -> None:
    check = "{version: {command: [echo, '1'], shell: 'echo 1', satisfies: '*'}}"
    pack = write_pack(check_pack(check))
    done = policy("eval", make_repo({}), "--pack", pack)
    assert done.exit_code == 2
    assert done.stderr.endswith("error: rule r: use either `command` (argv) or `shell`, not both\n")
