"""Shared test helpers: real git repositories in temp folders, and the real CLI.

- `make_repo(files, commit=True)` writes files (str or bytes; `None` makes an
  empty file) into a fresh folder, runs `git init`, adds and commits them.
- `policy(*args, cwd=...)` runs the click application in-process (CliRunner)
  and returns a result with `exit_code`, `stdout`, `stderr`.
- `policy_exe` is the installed `policy` console script, for subprocess tests.
- `write_pack(folder, text)` writes a pack file and returns its path.

Git is isolated from the user's configuration for every test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    config = home / ".gitconfig"
    config.write_text(
        "[user]\n\tname = Test\n\temail = test@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n"
        "[protocol \"file\"]\n\tallow = always\n"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("RULEPACK_PATH", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


def git(root: Path, *args: str) -> str:
    """Run git in `root`; fail the test with git's message when it fails."""
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)} failed: {done.stderr}"
    return done.stdout


def write_files(root: Path, files: dict[str, str | bytes | None]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content or ""), encoding="utf-8")


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1_000_000))

    def make(
        files: dict[str, str | bytes | None] | None = None, *, commit: bool = True,
        git_init: bool = True,
    ) -> Path:
        root = tmp_path / f"repo{next(counter)}"
        root.mkdir()
        write_files(root, files or {})
        if git_init:
            git(root, "init", "-q")
            if commit:
                git(root, "add", "-A")
                git(root, "commit", "-q", "--allow-empty", "-m", "initial")
        return root

    return make


@pytest.fixture
def write_pack(tmp_path: Path) -> Callable[..., Path]:
    def write(text: str, name: str = "pack.yaml", folder: Path | None = None) -> Path:
        path = (folder or tmp_path / "packs") / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def _cwd(path: Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    with contextlib.chdir(path):
        yield


@pytest.fixture
def policy() -> Callable[..., CliResult]:
    """Run `policy ARGS` in-process; `input` feeds stdin, `env` adds variables."""

    def run(*args: str | os.PathLike[str], cwd: Path | None = None,
            env: dict[str, str] | None = None) -> CliResult:
        runner = CliRunner()
        with _cwd(cwd):
            result = runner.invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture(scope="session")
def policy_exe() -> str:
    """The installed `policy` console script."""
    candidate = Path(sys.executable).parent / "policy"
    found = str(candidate) if candidate.exists() else shutil.which("policy")
    assert found, "the `policy` console script is not installed (pip install -e '.[test]')"
    return found
