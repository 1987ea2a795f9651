"""The remote pack cache: folders by commit id, written whole, never outside themselves."""

from __future__ import annotations

import pytest

from engine.errors import InputError
from engine.folders import cache_dir
from engine.packs.digest import files_digest
from engine.packs.remote_cache import cached_folder, folder_digest, folder_files, store

COMMIT = "c" * 40


def test_a_stored_folder_holds_the_files_and_their_digest() -> None:
    files = [("pack.yaml", b"name: x\n"), ("tests/case/expect.yaml", b"{}\n")]
    folder = store(COMMIT, "packs/x", files)
    assert folder == cache_dir("packs") / COMMIT / "packs%2Fx"
    assert folder_files(folder) == files
    assert folder_digest(folder) == files_digest(files)
    assert cached_folder(COMMIT, "") == cache_dir("packs") / COMMIT / "."
    # a second store of the same commit (another run meanwhile) keeps the first
    assert store(COMMIT, "packs/x", [("other", b"")]) == folder
    assert folder_files(folder) == files
    assert [p.name for p in folder.parent.iterdir()] == ["packs%2Fx"]  # no partial folder left


@pytest.mark.parametrize("path", ["../escape", "a/../../b", "/etc/x", "a\\b", "a//b"])
def test_a_path_that_could_leave_the_folder_is_refused(path: str) -> None:
    with pytest.raises(InputError) as raised:
        store(COMMIT, "p", [("ok", b""), (path, b"x")])
    assert str(raised.value) == f"error: a remote pack holds the unsafe path {path!r}"
    assert not cached_folder(COMMIT, "p").exists()
    assert [p.name for p in cached_folder(COMMIT, "p").parent.iterdir()] == []
