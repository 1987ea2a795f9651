"""`policy lock` and `--upgrade`, and `policy packs` listing remote packs."""

from __future__ import annotations

import json

import pytest

from engine.packs.remote_cache import cached_folder, folder_digest
from tests.conftest import git
from tests.packs.test_remote import config, remote_pack


@pytest.fixture
def released(pack_repository):
    """base 1.0.0 and 1.1.0 in packs/base."""
    repository = pack_repository()
    for version in ("1.0.0", "1.1.0"):
        repository.release(f"v{version}", {"packs/base/pack.yaml": remote_pack(version=version)})
    return repository


def commit_of(repository, tag: str) -> str:
    return git(repository.bare, "rev-parse", f"{tag}^{{commit}}").strip()


def test_lock_writes_the_tag_commit_and_digest(policy, make_repo, released) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url)})
    done = policy("lock", repo)
    assert done.exit_code == 0, done.stderr
    commit = commit_of(released, "v1.1.0")
    assert done.stdout == (
        f"locked base 1.1.0 (v1.1.0 {commit[:12]}) from {released.url} packs/base\n"
        f"wrote {repo / 'rulepack.lock'}\n"
    )
    digest = folder_digest(cached_folder(commit, "packs/base"))
    assert (repo / "rulepack.lock").read_text() == (
        "# rulepack.lock: the remote packs of this repository's config, pinned.\n"
        "# Written by `policy lock` (`policy lock --upgrade` moves to the newest versions\n"
        "# the config allows). Commit it; do not edit it by hand.\n"
        "lockVersion: 1\n"
        "packs:\n"
        '  - pack: "base"\n'
        f'    url: "{released.url}"\n'
        '    path: "packs/base"\n'
        '    tag: "v1.1.0"\n'
        f'    commit: "{commit}"\n'
        f'    sha256: "{digest}"\n'
    )
    before = (repo / "rulepack.lock").read_bytes()
    assert policy("lock", repo).exit_code == 0
    assert (repo / "rulepack.lock").read_bytes() == before  # the same inputs, the same bytes


def test_plain_lock_keeps_a_version_inside_the_range_and_upgrade_moves(
    policy, make_repo, released
) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url)})
    assert policy("lock", repo).exit_code == 0
    released.release("v1.2.0", {"packs/base/pack.yaml": remote_pack(version="1.2.0")})
    kept = policy("lock", repo)
    assert kept.stdout.startswith("locked base 1.1.0 (v1.1.0 ")
    assert "v1.1.0" in (repo / "rulepack.lock").read_text()
    moved = policy("lock", repo, "--upgrade")
    assert moved.exit_code == 0, moved.stderr
    commit = commit_of(released, "v1.2.0")
    assert moved.stdout.splitlines()[0] == (
        f"locked base 1.2.0 (v1.2.0 {commit[:12]}) from {released.url} packs/base (was 1.1.0)"
    )
    assert '"v1.2.0"' in (repo / "rulepack.lock").read_text()


def test_lock_moves_a_version_the_range_no_longer_allows(policy, make_repo, released) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url)})
    assert policy("lock", repo).exit_code == 0
    (repo / ".rulepack.yaml").write_text(config(released.url, version="~1.0.0"))
    done = policy("lock", repo)
    assert done.stdout.splitlines()[0].startswith("locked base 1.0.0 (v1.0.0 ")
    assert done.stdout.splitlines()[0].endswith(" (was 1.1.0)")


def test_lock_drops_what_the_config_no_longer_names(policy, make_repo, released) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url)})
    assert policy("lock", repo).exit_code == 0
    (repo / ".rulepack.yaml").write_text("packs: [production]\n")
    done = policy("lock", repo)
    assert done.stdout == (f"dropped base 1.1.0 ({released.url})\nwrote {repo / 'rulepack.lock'}\n")
    assert (repo / "rulepack.lock").read_text().endswith("lockVersion: 1\npacks: []\n")


def test_lock_without_remote_packs_writes_nothing(policy, make_repo) -> None:
    repo = make_repo({".rulepack.yaml": "packs: [production]\n"})
    done = policy("lock", repo)
    assert (done.exit_code, done.stdout) == (
        0,
        "no remote (git:) packs in the config: nothing to lock\n",
    )
    assert not (repo / "rulepack.lock").exists()


def test_lock_beside_a_config_given_by_path(policy, make_repo, released, tmp_path) -> None:
    elsewhere = tmp_path / "settings" / "policy.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(config(released.url))
    repo = make_repo({})
    assert policy("lock", repo, "--config", elsewhere).exit_code == 0
    assert (elsewhere.parent / "rulepack.lock").is_file()
    assert not (repo / "rulepack.lock").exists()
    done = policy("eval", repo, "--config", elsewhere, "--locked", "--format", "json")
    assert done.exit_code == 1, done.stderr
    assert json.loads(done.stdout)["packs"][0]["version"] == "1.1.0"


def test_lock_reports_a_bad_input_like_eval(policy, make_repo, released) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url, version="^9")})
    done = policy("lock", repo)
    assert done.exit_code == 2
    assert done.stderr == (
        f"policy: .rulepack.yaml:2:5: error: no tag of {released.url} satisfies ^9 for pack "
        "'base' (tags: v1.0.0, v1.1.0)\n"
    )
    assert not (repo / "rulepack.lock").exists()


def test_packs_lists_remote_packs_with_their_locked_version(policy, make_repo, released) -> None:
    repo = make_repo({".rulepack.yaml": config(released.url)})
    rows = json.loads(policy("packs", "--format", "json", cwd=repo).stdout)
    unlocked = rows[-1]
    assert unlocked == {
        "name": "base",
        "version": "unlocked",
        "source": "git",
        "rules": 0,
        "path": f"{released.url} packs/base",
        "problem": "not pinned by rulepack.lock: run `policy lock`",
        "shadowed": False,
        "url": released.url,
        "tag": None,
        "commit": None,
    }
    assert policy("lock", repo).exit_code == 0
    rows = json.loads(policy("packs", "--format", "json", cwd=repo).stdout)
    assert rows[-1] == {
        "name": "base",
        "version": "1.1.0",
        "source": "git",
        "rules": 1,
        "path": f"{released.url}@v1.1.0/packs/base",
        "problem": None,
        "shadowed": False,
        "url": released.url,
        "tag": "v1.1.0",
        "commit": commit_of(released, "v1.1.0"),
    }
    table = policy("packs", cwd=repo).stdout.splitlines()
    assert table[-1].split() == ["base", "1.1.0", "git", "1", f"{released.url}@v1.1.0/packs/base"]


def test_lock_pins_the_remote_packs_a_remote_pack_extends(
    policy, make_repo, pack_repository
) -> None:
    base, top = pack_repository(), pack_repository()
    base.release("v1.0.0", {"pack.yaml": remote_pack("base")})
    extends = f'extends:\n  - {{pack: base, git: "{base.url}", version: "^1.0"}}\n'
    top_pack = remote_pack("top", version="3.0.0", head=extends, rules=" []\n")
    top.release("v3.0.0", {"pack.yaml": top_pack})
    repo = make_repo({".rulepack.yaml": config(top.url, version="^3", path=".", name="top")})
    done = policy("lock", repo)
    assert done.exit_code == 0, done.stderr
    pinned = sorted(line.split(" (")[0] for line in done.stdout.splitlines()[:-1])
    assert pinned == ["locked base 1.0.0", "locked top 3.0.0"]
    text = (repo / "rulepack.lock").read_text()
    assert text.count("  - pack: ") == 2 and '    path: ""\n' in text
    evaluated = policy("eval", repo, "--locked", "--format", "json")
    assert evaluated.exit_code == 1, evaluated.stderr
    assert [r["rule"] for r in json.loads(evaluated.stdout)["results"]] == ["readme"]
