"""`policy eval --format sarif`: SARIF 2.1.0 for code scanning, checked against the schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from engine.reporters.sarif import artifact_uri, root_uri

SCHEMA = Path(__file__).parent.parent / "fixtures" / "sarif" / "sarif-schema-2.1.0-rtm.5.json"
PARSE_ERROR = (
    "deploy/broken.yaml:2: does not parse: while parsing a flow node, "
    "did not find expected node content"
)


def sarif(policy, *args) -> tuple[int, str, dict[str, Any]]:
    result = policy("eval", "--format", "sarif", *args)
    return result.exit_code, result.stdout, json.loads(result.stdout)


def schema_errors(log: dict[str, Any]) -> list[str]:
    """Where and why `log` breaks the SARIF 2.1.0 schema (path: message), sorted."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return sorted(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in jsonschema.Draft4Validator(schema).iter_errors(log)
    )


def assert_valid(log: dict[str, Any]) -> None:
    assert schema_errors(log) == []


def test_sarif_log_is_valid_and_has_one_run_of_rulepack(policy, sample) -> None:
    code, _, log = sarif(policy, "--pack", sample.pack, sample.repo)
    assert code == 1
    assert_valid(log)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == (
        "rulepack",
        "0.1.0",
        "0.1.0",
    )
    assert run["originalUriBaseIds"] == {"SRCROOT": {"uri": sample.repo.resolve().as_uri() + "/"}}
    assert run["properties"] == {
        "packs": [{"name": "sample", "version": "1.2.0"}],
        "snapshot": {"kind": "worktree", "ref": None, "commit": sample.commit},
    }


def test_every_rule_is_a_descriptor_with_its_texts_and_level(policy, sample) -> None:
    _, _, log = sarif(policy, "--pack", sample.pack, sample.repo)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [(r["id"], r["defaultConfiguration"]["level"]) for r in rules] == [
        ("deploy.manifests", "error"),
        ("deploy.service", "error"),
        ("security.keys", "warning"),
        ("security.tokens", "note"),
        ("docs.readme", "warning"),
        ("docs.changelog", "note"),
        ("deploy.parses", "error"),
    ]
    service = rules[1]
    assert service["shortDescription"] == {"text": "Services are named | web"}
    remediation = "Rename the Service | use web.\nSee <docs> & 100% of it."
    assert service["fullDescription"] == {"text": remediation}
    assert service["help"] == {"text": remediation}
    assert service["helpUri"] == "https://example.com/naming?a=1&b=2"
    assert service["properties"] == {
        "pack": "sample",
        "category": "deploy",
        "severity": "error",
        "tags": ["deploy"],
    }
    # docs that are not a URI cannot be helpUri (format: uri): they go into the help text
    keys = rules[2]
    assert "helpUri" not in keys
    assert keys["help"] == {"text": "Remove key files.\n\nDocs: see the wiki"}
    # without a remediation the descriptions fall back to the title (GitHub wants them non-empty)
    tokens = rules[3]
    assert tokens["fullDescription"] == tokens["help"] == {"text": "No tokens"}


def test_each_finding_of_a_failed_rule_is_one_located_result(policy, sample) -> None:
    _, _, log = sarif(policy, "--pack", sample.pack, sample.repo)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    summary = []
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["kind"] == "fail"
        (entry,) = result["locations"]  # code scanning refuses a result without one
        physical = entry["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "SRCROOT"
        location = (
            physical["artifactLocation"]["uri"],
            physical.get("region", {}).get("startLine"),
        )
        summary.append((result["ruleId"], result["level"], result["message"]["text"], location))
    assert summary == [
        (
            "deploy.service",
            "error",
            'Service/a|b\n<i>&%,:: metadata.name is "a|b\\n<i>&%,:", expected == "web"',
            ("deploy/service.yaml", 3),
        ),
        # a relative URI reference: the space, |, %, comma and colon are percent-encoded
        (
            "security.keys",
            "warning",
            "should not exist",
            ("notes/odd%20name%7C50%25%2Cx%3Ay.pem", None),
        ),
        ("security.tokens", "note", "matches /token/", ("secrets.txt", 2)),
        # a missing file has no place: the result points at the file the rule expected
        ("docs.readme", "warning", "none of README.md exists", ("README.md", None)),
    ]
    assert run["results"][0]["properties"] == {"document": 1}


def test_an_errored_rule_is_a_tool_execution_notification(policy, sample) -> None:
    _, _, log = sarif(policy, "--pack", sample.pack, sample.repo)
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    assert invocation["toolExecutionNotifications"] == [
        {
            "level": "error",
            "message": {"text": PARSE_ERROR},
            "associatedRule": {"id": "deploy.parses", "index": 6},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "deploy/broken.yaml", "uriBaseId": "SRCROOT"},
                        "region": {"startLine": 2},
                    }
                }
            ],
        }
    ]
    assert all(r["ruleId"] != "deploy.parses" for r in log["runs"][0]["results"])


def test_a_clean_run_has_an_empty_results_array(policy, sample) -> None:
    code, _, log = sarif(policy, "--pack", sample.pack, "--rule", "deploy.manifests", sample.repo)
    assert code == 0
    assert_valid(log)
    run = log["runs"][0]
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_rule_ids_shared_by_two_packs_are_qualified(policy, sample, write_pack) -> None:
    other = write_pack(sample.pack.read_text().replace("name: sample", "name: other"), "other.yaml")
    _, _, log = sarif(policy, "--pack", sample.pack, "--pack", other, sample.repo)
    assert_valid(log)
    run = log["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids)) == 14
    assert ids[:2] == ["sample/deploy.manifests", "sample/deploy.service"]
    assert ids[7:9] == ["other/deploy.manifests", "other/deploy.service"]
    assert [(r["ruleId"], r["ruleIndex"]) for r in run["results"]][::4] == [
        ("sample/deploy.service", 1),
        ("other/deploy.service", 8),
    ]


def test_sarif_is_byte_identical_across_runs(policy, sample) -> None:
    _, first, _ = sarif(policy, "--pack", sample.pack, sample.repo)
    _, second, _ = sarif(policy, "--pack", sample.pack, sample.repo)
    assert first == second


def test_uris() -> None:
    assert root_uri("/srv/my repo") == "file:///srv/my%20repo/"
    assert root_uri("/srv/repo/") == "file:///srv/repo/"
    assert artifact_uri("src/a b#1?.rs") == "src/a%20b%231%3F.rs"
    assert artifact_uri("dir/ünï.txt") == "dir/%C3%BCn%C3%AF.txt"


def test_the_schema_check_rejects_what_sarif_forbids(policy, sample) -> None:
    _, _, log = sarif(policy, "--pack", sample.pack, sample.repo)
    log["runs"][0]["results"][0]["level"] = "info"  # rulepack's word, not SARIF's
    del log["runs"][0]["invocations"][0]["executionSuccessful"]
    errors = schema_errors(log)
    assert "runs/0/invocations/0: 'executionSuccessful' is a required property" in errors
    assert any(e.startswith("runs/0/results/0/level: 'info' is not one of") for e in errors)


LOCATION_PACK = """\
apiVersion: rulepack/v1
name: where
version: 1.0.0
categories: [{id: c, title: C}]
rules:
  - id: c.security
    title: A security policy
    category: c
    severity: warning
    check: {file: {exists: ["docs/*.md", "{SECURITY,security}.md"]}}
  - id: c.any-doc
    title: Some docs
    category: c
    severity: warning
    check: {file: {exists: ["docs/*.md"]}}
  - id: c.license
    title: A licence
    category: c
    severity: info
    check: {any: [{file: {exists: ["LICENSE*"]}}, {file: {exists: [COPYING]}}]}
  - id: c.sbom
    title: An SBOM step
    category: c
    severity: info
    check: {file: {paths: ["ci/*.yml", .gitlab-ci.yml], contains: "sbom", match: any}}
"""


def locations(log: dict[str, Any]) -> list[tuple[str, str]]:
    """(rule, uri) of every result, which must have exactly one location."""
    found = []
    for result in log["runs"][0]["results"]:
        (entry,) = result["locations"]
        artifact = entry["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "SRCROOT"
        found.append((result["ruleId"], artifact["uri"]))
    return found


def test_a_finding_without_a_file_points_at_the_rule_file_the_config_or_the_root(
    policy, make_repo, write_pack
) -> None:
    pack = write_pack(LOCATION_PACK)
    bare = make_repo({"ci/build.yml": "steps: []\n"})
    code, _, log = sarif(policy, "--pack", pack, bare)
    assert code == 0  # a warning and an info: the run holds at --fail-on error
    assert_valid(log)
    # the first path the rule names outright (braces expanded) and expects to exist, else
    # the snapshot root: `paths` names files to read if they are there, not files required
    assert locations(log) == [
        ("c.security", "SECURITY.md"),
        ("c.any-doc", "."),
        # one result per part of `any`, both at the one file a part names
        ("c.license", "COPYING"),
        ("c.license", "COPYING"),
        ("c.sbom", "."),
    ]
    configured = make_repo({"ci/build.yml": "steps: []\n", ".rulepack.yaml": "fail_on: never\n"})
    _, _, log = sarif(policy, "--pack", pack, configured)
    assert_valid(log)
    assert locations(log) == [
        ("c.security", "SECURITY.md"),
        ("c.any-doc", ".rulepack.yaml"),
        ("c.license", "COPYING"),
        ("c.license", "COPYING"),
        ("c.sbom", ".rulepack.yaml"),
    ]
    # a --config from outside the snapshot is no place in it: the root again
    outside = write_pack("fail_on: never\n", "config.yaml")
    _, _, log = sarif(policy, "--pack", pack, "--config", outside, configured)
    assert [uri for _, uri in locations(log)] == ["SECURITY.md", ".", "COPYING", "COPYING", "."]


def test_a_large_repository_is_valid_sarif_with_a_location_on_every_result(large_run) -> None:
    from tests.reporters.conftest import LARGE_LABEL_RULES, LARGE_MANIFESTS

    log = json.loads(large_run.read(".sarif"))
    assert_valid(log)
    results = log["runs"][0]["results"]
    # every finding is a result: the label rules', the README's, one `latest` per manifest
    assert len(results) == (LARGE_LABEL_RULES + 1) * LARGE_MANIFESTS + 1
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert len(uris) == LARGE_MANIFESTS + 1
    assert "README.md" in uris  # the file the README rule expected
    assert all(len(r["locations"]) == 1 for r in results)
