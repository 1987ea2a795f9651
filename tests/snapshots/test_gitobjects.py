"""Git snapshots read a file's working-tree copy only when its bytes are the blob's,
and never through a symlinked folder."""

from __future__ import annotations

import os
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.snapshots import gitobjects
from engine.snapshots.gitindex import GitIndexSnapshot
from engine.snapshots.gitobjects import GitObjectsSnapshot, blob_id
from engine.snapshots.gittree import GitTreeSnapshot
from tests.conftest import commit_all, git


def open_counting(root, kind: str = "staged") -> GitObjectsSnapshot:
    """The index (or HEAD's tree), counting the blobs read from git."""
    snapshot = (
        GitIndexSnapshot.open(root) if kind == "staged" else GitTreeSnapshot.open(root, "HEAD")
    )
    read_one, read_many = snapshot._blobs.read_capped, snapshot._blobs.read_many_capped
    snapshot.from_git = []  # type: ignore[attr-defined]

    def one(object_id: str, max_bytes: int):
        snapshot.from_git.append(object_id)  # type: ignore[attr-defined]
        return read_one(object_id, max_bytes)

    def many(object_ids: list[str], max_bytes: int):
        snapshot.from_git.extend(object_ids)  # type: ignore[attr-defined]
        return read_many(object_ids, max_bytes)

    snapshot._blobs.read_capped, snapshot._blobs.read_many_capped = one, many  # type: ignore[method-assign]
    return snapshot


@pytest.mark.parametrize("kind", ["staged", "ref"])
def test_unchanged_files_are_read_from_their_copies_and_edited_ones_from_git(
    make_repo, kind: str
) -> None:
    repo = make_repo({"a.txt": "alpha\n", "b.txt": "beta\n", "c.txt": "gamma\n"})
    (repo / "b.txt").write_text("edited, not committed\n")
    (repo / "c.txt").write_text("gamma\n")  # rewritten with the same bytes: still the blob's
    snapshot = open_counting(repo, kind)
    try:
        texts = snapshot.read_many_capped(["a.txt", "b.txt", "c.txt"], 1 << 20)
        assert texts == [b"alpha\n", b"beta\n", b"gamma\n"]  # the blobs' bytes, all three
        assert snapshot.read_capped("b.txt", 1 << 20) == b"beta\n"
        blob_b = git(repo, "rev-parse", ":b.txt").strip()
        assert snapshot.from_git == [blob_b, blob_b]  # only the edited one came from git
    finally:
        snapshot.close()


@pytest.mark.parametrize("kind", ["staged", "ref"])
def test_a_file_behind_a_folder_swapped_for_a_symlink_is_read_from_git(
    make_repo, tmp_path, monkeypatch, kind: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("fine\n")  # the blob's bytes: reading it would pass
    repo = make_repo({"conf/secret": "fine\n"})
    (repo / "conf" / "secret").unlink()
    (repo / "conf").rmdir()
    os.symlink(outside, repo / "conf")
    opened: list[str] = []
    real = gitobjects.read_file_capped
    monkeypatch.setattr(
        gitobjects, "read_file_capped", lambda path, cap: opened.append(path) or real(path, cap)
    )
    snapshot = open_counting(repo, kind)
    try:
        assert snapshot.read_capped("conf/secret", 1 << 20) == b"fine\n"
        assert opened == []  # nothing outside the root was opened
        assert len(snapshot.from_git) == 1
    finally:
        snapshot.close()


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=300))
def test_blob_ids_are_the_ids_git_gives(data: bytes) -> None:
    done = subprocess.run(
        ["git", "hash-object", "--stdin"], input=data, capture_output=True, check=True
    )
    assert blob_id(data, 40) == done.stdout.decode().strip()


def test_sha256_blob_ids_are_the_ids_a_sha256_repository_gives(tmp_path) -> None:
    git(tmp_path, "init", "-q", "--object-format=sha256")
    done = subprocess.run(
        ["git", "hash-object", "--stdin"], input=b"hello\n", capture_output=True, cwd=tmp_path
    )
    assert blob_id(b"hello\n", 64) == done.stdout.decode().strip()


@pytest.mark.parametrize("with_link", [False, True])
def test_the_fingerprint_names_each_file_by_path_blob_and_link_target(make_repo, with_link) -> None:
    files = {"a.yaml": "a: 1\n", "docs/b.md": "# b\n"}
    root = make_repo(files)
    if with_link:
        os.symlink("a.yaml", root / "link.yaml")
        git(root, "add", "link.yaml")
        git(root, "commit", "-q", "-m", "link")
    snapshot = GitTreeSnapshot.open(root, "HEAD")
    ids = {path: blob_id(text.encode(), 40) for path, text in files.items()}
    records = [f"{path}\0{ids[path]}\0" for path in sorted(files)]
    if with_link:
        records.append(f"link.yaml\0{ids['a.yaml']}\0a.yaml")  # sorts last
    assert snapshot.fingerprint() == gitobjects.fingerprint_of("git", records, ())
    (root / "a.yaml").write_text("a: 2\n")
    commit_all(root, "edit")
    edited = GitTreeSnapshot.open(root, "HEAD")
    assert edited.fingerprint() != snapshot.fingerprint()
    for opened in (snapshot, edited):  # a symlink's target was read through git
        opened.close()
