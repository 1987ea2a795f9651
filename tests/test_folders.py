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
