"""engine/packtest/build.py: a case written as a committed git repository, stubs beside it."""

from __future__ import annotations

import os
from pathlib import Path

from engine.packtest.build import build_case, case_environ
from engine.packtest.cases import read_cases
from tests.conftest import git


def one_case(root: Path, files: dict[str, str]) -> Path:
    for relative, text in {"expect.yaml": "{}\n", **files}.items():
        path = root / "tests" / "case" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "tests"


def test_the_repository_is_committed_with_the_same_id_every_time(tmp_path) -> None:
    (case,) = read_cases(one_case(tmp_path / "pack", {"repo/a.txt": "a\n", "repo/sub/b": "b\n"}))

    commits = []
    for build in ("first", "second"):
        assert build_case(case, tmp_path / build) is None  # no stubs
        repo = tmp_path / build / "repo"
        assert git(repo, "status", "--porcelain") == ""
        assert git(repo, "ls-files").splitlines() == ["a.txt", "sub/b"]
        commits.append(git(repo, "rev-parse", "HEAD").strip())

    assert commits[0] == commits[1]
    assert git(tmp_path / "first" / "repo", "log", "-1", "--format=%an %ae %s") == (
        "rulepack fixture fixture@rulepack.invalid fixture\n"
    )


def test_stubs_are_executable_and_first_on_path(tmp_path) -> None:
    (case,) = read_cases(one_case(tmp_path / "pack", {"bin/tool": "#!/bin/sh\necho hi\n"}))

    bin_dir = build_case(case, tmp_path / "built")

    assert bin_dir == tmp_path / "built" / "bin"
    assert os.access(bin_dir / "tool", os.X_OK)
    assert case_environ(bin_dir, inherit_path=False)["PATH"] == str(bin_dir)
    inherited = case_environ(bin_dir, inherit_path=True)["PATH"]
    assert inherited == f"{bin_dir}{os.pathsep}{os.environ['PATH']}"


def test_a_hooks_git_dir_does_not_reach_the_fixture(tmp_path, monkeypatch) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q")
    monkeypatch.setenv("GIT_DIR", str(outer / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(outer / ".git" / "index"))
    (case,) = read_cases(one_case(tmp_path / "pack", {"repo/a.txt": "a\n"}))

    build_case(case, tmp_path / "built")

    assert (tmp_path / "built" / "repo" / ".git").is_dir()
    assert not (outer / ".git" / "index").exists()
