"""`version` with `satisfies_from`: the range comes from a manifest of the snapshot."""

from __future__ import annotations

CARGO = '[package]\nname = "svc"\nrust-version = "1.75"\n'
MSRV = "{file: Cargo.toml, query: 'package.\"rust-version\"'}"


def rustc(version: str, source: str = MSRV) -> str:
    return f"{{version: {{command: [echo, 'rustc {version}'], satisfies_from: {source}}}}}"


def test_a_minimum_read_from_the_manifest_passes_a_newer_tool(
    evaluate, make_repo, check_pack
) -> None:
    run = evaluate(make_repo({"Cargo.toml": CARGO}), check_pack(rustc("1.80.1")))
    assert (run.status(), run.result()["message"]) == (
        "pass",
        "echo rustc 1.80.1: 1.80.1 satisfies >=1.75.0",
    )


def test_a_minimum_read_from_the_manifest_fails_an_older_tool(
    evaluate, make_repo, check_pack
) -> None:
    run = evaluate(make_repo({"Cargo.toml": CARGO}), check_pack(rustc("1.70.0")))
    assert (run.exit_code, run.status()) == (1, "fail")
    assert [f["message"] for f in run.result()["findings"]] == [
        "echo rustc 1.70.0: 1.70.0 does not satisfy >=1.75.0"
    ]


def test_as_range_takes_the_value_as_an_npm_range(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"package.json": '{"engines": {"node": "^20 || ^22"}}'})
    source = "{file: package.json, query: engines.node, as: range}"

    def check(version: str) -> str:
        return f"{{version: {{command: [echo, 'v{version}'], satisfies_from: {source}}}}}"

    assert evaluate(repo, check_pack(check("22.4.1"))).status() == "pass"
    run = evaluate(repo, check_pack(check("18.19.0")))
    assert [f["message"] for f in run.result()["findings"]] == [
        "echo v18.19.0: 18.19.0 does not satisfy ^20 || ^22"
    ]


def test_the_first_document_where_the_query_is_set_is_used(evaluate, make_repo, check_pack) -> None:
    root = '[workspace]\nmembers = ["a"]\n[workspace.package]\nrust-version = "1.78"\n'
    source = (
        '{file: Cargo.toml, query: \'not_null(workspace.package."rust-version", '
        'package."rust-version")\'}'
    )
    run = evaluate(make_repo({"Cargo.toml": root}), check_pack(rustc("1.77.0", source)))
    assert run.result()["findings"][0]["message"].endswith("1.77.0 does not satisfy >=1.78.0")


def test_no_manifest_or_no_value_skips_with_the_reason(evaluate, make_repo, check_pack) -> None:
    run = evaluate(make_repo({"README.md": "x"}), check_pack(rustc("1.80.0")))
    assert (run.status(), run.result()["reason"]) == (
        "skip",
        "no file matches Cargo.toml to read the range from",
    )
    run = evaluate(make_repo({"Cargo.toml": '[package]\nname = "svc"\n'}), check_pack(rustc("1.8")))
    assert (run.status(), run.result()["reason"]) == (
        "skip",
        'Cargo.toml: `package."rust-version"` is not set',
    )


def test_a_value_that_is_no_version_or_range_is_an_error(evaluate, make_repo, check_pack) -> None:
    run = evaluate(
        make_repo({"Cargo.toml": '[package]\nrust-version = "stable"\n'}), check_pack(rustc("1.8"))
    )
    assert (run.exit_code, run.status(), run.result()["reason"]) == (
        1,
        "error",
        "Cargo.toml: `package.\"rust-version\"` is 'stable', not a version",
    )
    repo = make_repo({"package.json": '{"engines": {"node": ">>20"}}'})
    check = (
        "{version: {command: [echo, v20], "
        "satisfies_from: {file: package.json, query: engines.node, as: range}}}"
    )
    run = evaluate(repo, check_pack(check))
    assert run.status() == "error"
    assert run.result()["reason"] == "package.json: `engines.node`: invalid version range '>>20'"


def test_the_range_also_applies_to_versions_read_from_files(
    evaluate, make_repo, check_pack
) -> None:
    repo = make_repo(
        {"Cargo.toml": CARGO, "rust-toolchain.toml": '[toolchain]\nchannel = "1.74.1"\n'}
    )
    check = (
        "{version: {file: rust-toolchain.toml, query: toolchain.channel, satisfies_from: "
        + MSRV
        + "}}"
    )
    run = evaluate(repo, check_pack(check))
    assert [f["message"] for f in run.result()["findings"]] == [
        "toolchain.channel: 1.74.1 does not satisfy >=1.75.0"
    ]


def test_satisfies_and_satisfies_from_together_or_incomplete_are_pack_errors(
    policy, write_pack, make_repo, check_pack
) -> None:
    both = check_pack(
        "{version: {command: [rustc, --version], satisfies: '>=1', satisfies_from: " + MSRV + "}}"
    )
    done = policy("validate", write_pack(both))
    assert done.exit_code == 2
    assert "use either `satisfies` or `satisfies_from`, not both" in done.stderr
    incomplete = check_pack(
        "{version: {command: [rustc, --version], satisfies_from: {file: Cargo.toml, as: maximum}}}"
    )
    done = policy("validate", write_pack(incomplete, name="incomplete.yaml"))
    assert done.exit_code == 2
    assert "'query' is a required property" in done.stderr
    assert "'maximum' is not one of ['minimum', 'range']" in done.stderr


WORKSPACE = {
    "Cargo.toml": (
        '[workspace]\nmembers = ["crates/*"]\n[workspace.package]\nrust-version = "1.70"\n'
    ),
    "crates/core/Cargo.toml": '[package]\nname = "core"\nrust-version.workspace = true\n',
    "crates/api/Cargo.toml": '[package]\nname = "api"\nrust-version = "1.78"\n',
    "crates/cli/Cargo.toml": '[package]\nname = "cli"\n',
}
EVERY_MEMBER = (
    "{files: ['**/Cargo.toml'], query: "
    '\'not_null(workspace.package."rust-version", package."rust-version")\'}'
)


def test_with_files_every_manifest_that_sets_the_value_counts(
    evaluate, make_repo, check_pack
) -> None:
    repo = make_repo(WORKSPACE)
    run = evaluate(repo, check_pack(rustc("1.75.0", EVERY_MEMBER)))
    assert (run.status(), [f["message"] for f in run.result()["findings"]]) == (
        "fail",
        ["echo rustc 1.75.0: 1.75.0 does not satisfy >=1.78.0"],
    )
    assert evaluate(repo, check_pack(rustc("1.78.0", EVERY_MEMBER))).status() == "pass"


def test_with_files_ranges_must_all_hold(evaluate, make_repo, check_pack) -> None:
    repo = make_repo(
        {
            "web/package.json": '{"engines": {"node": "^18 || ^20"}}',
            "api/package.json": '{"engines": {"node": ">=18.19"}}',
            "docs/package.json": "{}",
        }
    )
    source = "{files: ['**/package.json'], query: engines.node, as: range}"

    def node(version: str) -> str:
        return f"{{version: {{command: [echo, 'v{version}'], satisfies_from: {source}}}}}"

    assert evaluate(repo, check_pack(node("20.11.0"))).status() == "pass"
    run = evaluate(repo, check_pack(node("18.12.0")))
    assert [f["message"] for f in run.result()["findings"]] == [
        "echo v18.12.0: 18.12.0 does not satisfy >=18.19 ^18 || >=18.19 ^20"
    ]
    run = evaluate(repo, check_pack(node("22.0.0")))
    assert run.status() == "fail"


def test_with_files_and_no_file_setting_it_the_rule_skips(evaluate, make_repo, check_pack) -> None:
    repo = make_repo({"crates/cli/Cargo.toml": '[package]\nname = "cli"\n'})
    run = evaluate(repo, check_pack(rustc("1.75.0", EVERY_MEMBER)))
    assert (run.status(), run.result()["reason"]) == (
        "skip",
        'any matching file: `not_null(workspace.package."rust-version", '
        'package."rust-version")` is not set',
    )
