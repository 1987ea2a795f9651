"""The user folders: platformdirs' by default, each overridden by its variable."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from engine import folders


def test_the_variables_override_the_platform_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RULEPACK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RULEPACK_CACHE_DIR", str(tmp_path / "cache"))
    assert folders.data_dir() == tmp_path / "data"
    assert folders.cache_dir("parse") == tmp_path / "cache" / "parse"
    assert not (tmp_path / "data").exists()  # nothing is created until something is written


def test_without_them_the_platform_folders_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RULEPACK_DATA_DIR", raising=False)
    monkeypatch.delenv("RULEPACK_CACHE_DIR", raising=False)
    assert folders.data_dir() == Path(platformdirs.user_data_dir("rulepack", appauthor=False))
    assert folders.cache_dir("packs") == Path(
        platformdirs.user_cache_dir("rulepack", appauthor=False), "packs"
    )


def test_a_folder_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    final = tmp_path / "cache" / "abc"
    with pytest.raises(RuntimeError), folders.folder_written_whole(final, Path.is_dir) as part:
        (part / "half").write_text("x")
        raise RuntimeError("stopped halfway")
    assert not final.exists() and list((tmp_path / "cache").iterdir()) == []
    with folders.folder_written_whole(final, Path.is_dir) as part:
        (part / "pack.yaml").write_text("mine")
    assert (final / "pack.yaml").read_text() == "mine"
    # Another process finished first: its complete folder is kept, ours dropped
    with folders.folder_written_whole(final, Path.is_dir) as part:
        (part / "pack.yaml").write_text("second")
    assert (final / "pack.yaml").read_text() == "mine"
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["abc"]
    # A leftover that is not complete is an error, never taken for done
    broken = tmp_path / "cache" / "broken"
    broken.mkdir()
    (broken / "x").write_text("x")
    with pytest.raises(OSError), folders.folder_written_whole(broken, lambda p: False):
        pass
