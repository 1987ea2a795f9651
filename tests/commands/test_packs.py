"""`policy packs`: every pack available by name, with version, source and rule count."""

from __future__ import annotations

import json
from pathlib import Path

MINE = """\
apiVersion: rulepack/v1
name: {name}
version: 2.1.0
categories:
  - {{id: general, title: General}}
rules:
  - {{id: a, title: A, category: general, check: {{file: {{exists: [a]}}}}}}
  - {{id: b, title: B, category: general, check: {{file: {{exists: [b]}}}}}}
"""


def listing(policy, cwd: Path | None = None, env: dict[str, str] | None = None) -> list[dict]:
    done = policy("packs", "--format", "json", cwd=cwd, env=env)
    assert done.exit_code == 0, done.stderr
    return json.loads(done.stdout)


def test_the_builtin_production_pack_is_listed(policy, make_repo) -> None:
    rows = listing(policy, cwd=make_repo({}))
    production = next(r for r in rows if r["name"] == "production")
    rules = json.loads(policy("rules", "--pack", "production", "--format", "json").stdout)
    assert production == {
        "name": "production",
        "version": production["version"],
        "source": "builtin",
        "rules": len(rules),
        "path": "rulepacks/production/pack.yaml",
        "problem": None,
        "shadowed": False,
    }
    assert production["rules"] > 0
    assert all(r["source"] == "builtin" for r in rows)


def test_packs_on_the_path_and_in_the_repository(policy, make_repo, write_pack, tmp_path) -> None:
    library = tmp_path / "library"
    write_pack(MINE.format(name="team"), name="team.yaml", folder=library)
    write_pack(MINE.format(name="production"), name="production.yaml", folder=library)
    repo = make_repo(
        {
            ".rulepack/packs/local/pack.yaml": MINE.format(name="local"),
            ".rulepack/packs/team.yaml": MINE.format(name="team"),
        }
    )
    rows = listing(policy, cwd=repo, env={"RULEPACK_PATH": str(library)})
    summary = [(r["name"], r["version"], r["source"], r["rules"], r["shadowed"]) for r in rows]
    # the repository's own packs come last: a name found elsewhere is not theirs
    assert summary[:2] == [
        ("production", "2.1.0", "path", 2, False),
        ("team", "2.1.0", "path", 2, False),
    ]
    assert summary[-2:] == [
        ("local", "2.1.0", "repo", 2, False),
        ("team", "2.1.0", "repo", 2, True),
    ]
    assert ("production", "builtin", True) in [
        (r["name"], r["source"], r["shadowed"]) for r in rows
    ]
    assert rows[-2]["path"] == ".rulepack/packs/local/pack.yaml"


def test_with_trust_repo_the_repository_packs_come_first(
    policy, make_repo, write_pack, tmp_path
) -> None:
    library = tmp_path / "library"
    write_pack(MINE.format(name="team"), name="team.yaml", folder=library)
    repo = make_repo({".rulepack/packs/team.yaml": MINE.format(name="team")})
    path = {"RULEPACK_PATH": str(library)}
    by_option = policy("packs", "--format", "json", "--trust-repo", cwd=repo, env=path)
    by_variable = policy(
        "packs", "--format", "json", cwd=repo, env={**path, "RULEPACK_TRUST_REPO": "1"}
    )
    for done in (by_option, by_variable):
        assert done.exit_code == 0, done.stderr
        rows = [(r["name"], r["source"], r["shadowed"]) for r in json.loads(done.stdout)]
        assert rows[:2] == [("team", "repo", False), ("team", "path", True)]


def test_the_table_lists_name_version_source_rules(policy, make_repo, write_pack, tmp_path) -> None:
    library = tmp_path / "library"
    pack = write_pack(MINE.format(name="team"), name="team.yaml", folder=library)
    done = policy("packs", cwd=make_repo({}), env={"RULEPACK_PATH": str(library)})
    assert done.exit_code == 0
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "SOURCE", "RULES", "PATH"]
    assert lines[1].split() == ["team", "2.1.0", "path", "2", str(pack)]
    assert any(line.split()[:3] == ["production", line.split()[1], "builtin"] for line in lines)


def test_an_invalid_pack_is_listed_with_its_problem(
    policy, make_repo, write_pack, tmp_path
) -> None:
    library = tmp_path / "library"
    write_pack(
        "apiVersion: rulepack/v1\nname: broken\nversion: [\n", name="broken.yaml", folder=library
    )
    done = policy("packs", cwd=make_repo({}), env={"RULEPACK_PATH": str(library)})
    assert done.exit_code == 0
    line = done.stdout.splitlines()[1]
    assert line.startswith("broken  ")
    assert "(invalid: " in line and "broken.yaml:4:1: error: not valid YAML" in line
