"""Reading a pack repository: tags, a shallow fetch, and nothing run or written elsewhere."""

from __future__ import annotations

from pathlib import Path

from engine.folders import cache_dir
from engine.git.remote import fetch_folder, remote_tags
from engine.git.runner import run
from tests.conftest import git
from tests.packs.test_remote import config, remote_pack


def test_tags_name_their_commits_annotated_or_not(pack_repository) -> None:
    repository = pack_repository()
    light = repository.release("v1.0.0", {"a": "1"})
    annotated = repository.release("v1.1.0", {"a": "2"}, annotated=True)
    assert remote_tags(repository.url) == {"v1.0.0": light, "v1.1.0": annotated}


def test_a_fetch_reads_one_folder_of_one_tag(pack_repository) -> None:
    repository = pack_repository()
    commit = repository.release("v1.0.0", {"p/pack.yaml": "x", "p/sub/f.txt": "y", "other": "z"})
    fetched = fetch_folder(repository.url, "v1.0.0", "p")
    assert fetched is not None
    assert fetched.commit == commit
    assert fetched.files == (("pack.yaml", b"x"), ("sub/f.txt", b"y"))
    assert fetch_folder(repository.url, "v1.0.0", "nope") is None


def test_only_file_https_and_ssh_transports_are_allowed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    done = run(["ls-remote", f"ext::sh -c touch% {marker}"], tmp_path)
    assert not done.ok
    assert "transport 'ext' not allowed" in done.stderr
    assert not marker.exists()


def test_fetching_writes_nothing_into_the_evaluated_repository_and_runs_nothing(
    policy, make_repo, pack_repository, tmp_path, monkeypatch
) -> None:
    marker = tmp_path / "smudged"
    repository = pack_repository()
    (repository.work / "target").write_text("outside")
    files = {
        "packs/base/pack.yaml": remote_pack(),
        "packs/base/.gitattributes": "* filter=evil\n",
    }
    repository.release("v1.0.0", files)
    (repository.work / "packs/base/link").symlink_to("../../target")
    repository.release("v1.0.1", {"packs/base/pack.yaml": remote_pack(version="1.0.1")})
    repo = make_repo({".rulepack.yaml": config(repository.url)})
    # the user's own filter would run on a checkout: a fetch checks nothing out
    git(repo, "config", "--global", "filter.evil.smudge", f"touch {marker}")
    # inside a git hook, GIT_DIR names the repository being committed to
    monkeypatch.setenv("GIT_DIR", str(repo / ".git"))
    done = policy("lock", repo)
    assert done.exit_code == 0, done.stderr
    monkeypatch.delenv("GIT_DIR")
    assert git(repo, "tag", "--list") == ""
    assert not marker.exists()
    commit = git(repository.bare, "rev-parse", "v1.0.1").strip()
    cached = cache_dir("packs") / commit / "packs%2Fbase"
    assert sorted(p.name for p in cached.iterdir()) == [".gitattributes", "pack.yaml"]
