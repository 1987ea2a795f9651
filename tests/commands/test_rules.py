"""`policy rules --pack P`: the rules of a pack, by category."""

from __future__ import annotations

import json

PACK = """\
apiVersion: rulepack/v1
name: team
version: 1.0.0
params: {doc: README.md}
categories:
  - {id: docs, title: Documentation}
  - {id: security, title: Security}
  - {id: empty, title: Nothing here}
rules:
  - {id: docs.readme, title: "{{ doc }} exists", category: docs, tags: [repo],
     check: {file: {exists: ["{{ doc }}"]}}}
  - {id: sec.keys, title: No keys, category: security, severity: warning,
     check: {file: {absent: ["**/*.pem"]}}}
  - {id: docs.license, title: A license, category: docs, severity: info,
     check: {file: {exists: [LICENSE]}}}
"""

CHILD = """\
apiVersion: rulepack/v1
name: child
version: 1.0.0
extends: [{pack: ./team.yaml}]
overrides:
  - {rule: sec.keys, enabled: false}
"""


def test_rules_are_listed_by_category(policy, write_pack) -> None:
    pack = write_pack(PACK, name="team.yaml")
    done = policy("rules", "--pack", pack)
    assert done.exit_code == 0
    assert done.stdout.splitlines() == [
        f"team 1.0.0 (file: {pack}), 3 rules",
        "",
        "Documentation (docs)",
        "  docs.readme   error    README.md exists  [repo]",
        "  docs.license  info     A license",
        "",
        "Security (security)",
        "  sec.keys      warning  No keys",
    ]


def test_params_apply_to_the_listing(policy, write_pack) -> None:
    pack = write_pack(PACK, name="team.yaml")
    done = policy("rules", "--pack", pack, "--param", "doc=DOCS.md", "--format", "json")
    assert json.loads(done.stdout)[0] == {
        "id": "docs.readme",
        "title": "DOCS.md exists",
        "category": "docs",
        "severity": "error",
        "level": None,  # the pack declares no levels
        "weight": 1,
        "tags": ["repo"],
        "enabled": True,
    }


def test_disabled_rules_are_marked(policy, write_pack) -> None:
    write_pack(PACK, name="team.yaml")
    child = write_pack(CHILD, name="child.yaml")
    done = policy("rules", "--pack", child)
    assert "  sec.keys      warning  No keys  (disabled)" in done.stdout.splitlines()
    rows = json.loads(policy("rules", "--pack", child, "--format", "json").stdout)
    assert [(r["id"], r["enabled"]) for r in rows] == [
        ("docs.readme", True),
        ("sec.keys", False),
        ("docs.license", True),
    ]


def test_the_builtin_production_pack_by_name(policy) -> None:
    done = policy("rules", "--pack", "production", "--format", "json")
    assert done.exit_code == 0
    rows = json.loads(done.stdout)
    assert rows and len({r["id"] for r in rows}) == len(rows)
    assert {r["severity"] for r in rows} <= {"error", "warning", "info"}


def test_an_unknown_pack(policy) -> None:
    done = policy("rules", "--pack", "nope")
    assert done.exit_code == 2
    assert done.stderr.startswith("policy: error: unknown pack 'nope' (available: ")
