"""Shared test helpers: real git repositories in temp folders, and the real CLI.

- `make_repo(files, commit=True)` writes files (str or bytes; `None` makes an
  empty file) into a fresh folder, runs `git init`, adds and commits them.
- `policy(*args, cwd=...)` runs the click application in-process (CliRunner)
  and returns a result with `exit_code`, `stdout`, `stderr`.
- `policy_exe` is the installed `policy` console script, for subprocess tests.
- `write_pack(folder, text)` writes a pack file and returns its path.
- `pack_text(rules, head="")` is a whole pack around the YAML of its rules (one
  category, `general`); `check_pack(check)` is a pack whose one rule `r` has
  that check.
- `evaluate(repo, pack, *args)` runs `policy eval --format json` and returns
  the exit code, the parsed report and stderr (`.status(rule)`, `.result(rule)`).
- `pack_repository()` is a repository of packs published as a bare repository
  (`.url`, a file:// URL); `.release(tag, files)` commits files and pushes a tag.
- `count_parses` lists the format of every text this process parses.

Git is isolated from the user's configuration for every test, and the
user's RULEPACK_* variables (pack path, option defaults) are unset.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    config = home / ".gitconfig"
    config.write_text(
        "[user]\n\tname = Test\n\temail = test@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n"
        '[protocol "file"]\n\tallow = always\n'
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for variable in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        monkeypatch.delenv(variable, raising=False)  # set when tests run inside a git hook
    for variable in [name for name in os.environ if name.startswith("RULEPACK_")]:
        monkeypatch.delenv(variable)  # the user's pack path and option defaults stay out
    monkeypatch.delenv("NO_COLOR", raising=False)
    # No test reads or writes the user's own results store or caches.
    monkeypatch.setenv("RULEPACK_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("RULEPACK_CACHE_DIR", str(home / "cache"))


def git(root: Path, *args: str) -> str:
    """Run git in `root`; fail the test with git's message when it fails."""
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)} failed: {done.stderr}"
    return done.stdout


@contextlib.contextmanager
def unreadable_in_worktree(*paths: str) -> Iterator[None]:
    """While the block runs, the working tree cannot read `paths` (permission denied)."""
    from engine.snapshots.worktree import WorktreeSnapshot

    real = WorktreeSnapshot.read_capped

    def failing(self: WorktreeSnapshot, path: str, max_bytes: int) -> bytes | int:
        if path in paths:
            raise PermissionError(13, "Permission denied")
        return real(self, path, max_bytes)

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(WorktreeSnapshot, "read_capped", failing)
        yield


def commit_all(root: Path, message: str) -> str:
    """Stage everything in `root` and commit it (empty commits too); the commit's id."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def repository_examples(count: int) -> settings:
    """Hypothesis settings for a test that builds a git repository per example: no
    deadline (git's speed varies), and `tmp_path_factory` is used on purpose."""
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


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
        files: dict[str, str | bytes | None] | None = None,
        *,
        commit: bool = True,
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

    def run(
        *args: str | os.PathLike[str], cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> CliResult:
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


PACK_HEADER = """\
apiVersion: rulepack/v1
name: test
version: 1.0.0
categories:
  - {id: general, title: General}
"""


@pytest.fixture
def pack_text() -> Callable[..., str]:
    """A whole pack: the standard header, `head` (more top-level keys), then `rules`."""

    def build(rules: str, head: str = "") -> str:
        body = textwrap.indent(textwrap.dedent(rules).strip("\n") + "\n", "  ")
        return PACK_HEADER + textwrap.dedent(head) + "rules:\n" + body

    return build


@pytest.fixture
def check_pack(pack_text: Callable[..., str]) -> Callable[..., str]:
    """A pack whose single rule `r` (category general) has `check` (flow YAML)."""

    def build(check: str, head: str = "", **fields: str) -> str:
        extra = "".join(f"\n  {key}: {value}" for key, value in fields.items())
        return pack_text(f"- id: r\n  title: T\n  category: general\n  check: {check}{extra}", head)

    return build


@dataclass
class PackRepository:
    """A repository of packs with tagged releases, published as a bare repository."""

    work: Path
    bare: Path

    @property
    def url(self) -> str:
        return self.bare.as_uri()

    def release(
        self, tag: str, files: dict[str, str | bytes | None], *, annotated: bool = False
    ) -> str:
        """Commit `files`, tag the commit (an annotated tag if asked), push both; the commit id."""
        write_files(self.work, files)
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "--allow-empty", "-m", f"release {tag}")
        git(self.work, "tag", *(["-a", "-m", tag] if annotated else []), tag)
        git(self.work, "push", "-q", str(self.bare), "HEAD:refs/heads/main", f"refs/tags/{tag}")
        return git(self.work, "rev-parse", "HEAD").strip()


@pytest.fixture
def pack_repository(tmp_path: Path) -> Callable[[], PackRepository]:
    counter = iter(range(1_000_000))

    def make() -> PackRepository:
        number = next(counter)
        work, bare = tmp_path / f"packs-work{number}", tmp_path / f"packs{number}.git"
        work.mkdir()
        git(work, "init", "-q")
        git(tmp_path, "init", "-q", "--bare", str(bare))
        return PackRepository(work, bare)

    return make


@dataclass
class EvalRun:
    """One `policy eval --format json`: exit code, report (None on exit 2), stderr."""

    exit_code: int
    report: dict[str, Any] | None
    stderr: str

    def result(self, rule: str = "r") -> dict[str, Any]:
        assert self.report is not None, f"no report (exit {self.exit_code}): {self.stderr}"
        found = [r for r in self.report["results"] if r["rule"] == rule]
        assert len(found) == 1, f"rule {rule} reported {len(found)} times"
        return found[0]

    def status(self, rule: str = "r") -> str:
        return str(self.result(rule)["status"])


@pytest.fixture
def evaluate(
    policy: Callable[..., CliResult], write_pack: Callable[..., Path]
) -> Callable[..., EvalRun]:
    """`policy eval REPO --pack PACK --format json ARGS`; PACK is pack text or a path."""

    def run(
        repo: Path,
        pack: str | Path,
        *args: str | os.PathLike[str],
        env: dict[str, str] | None = None,
    ) -> EvalRun:
        path = pack if isinstance(pack, Path) else write_pack(pack)
        done = policy("eval", repo, "--pack", path, "--format", "json", *args, env=env)
        report = json.loads(done.stdout) if done.exit_code in (0, 1) else None
        return EvalRun(done.exit_code, report, done.stderr)

    return run


@pytest.fixture
def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The formats this process parses text as, one entry per parse (parse caches
    are judged by what they save)."""
    import engine.context

    parsed: list[str] = []
    real = engine.context.parse_text

    def counting(format_name: str, text: str) -> object:
        parsed.append(format_name)
        return real(format_name, text)

    monkeypatch.setattr(engine.context, "parse_text", counting)
    return parsed


# -- processes a run leaves behind (Linux: read from /proc) ----------------------------


def process_alive(pid: int) -> bool:
    """Whether `pid` runs; a zombie (dead, waiting for its parent to read its status) does not."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return stat[stat.rfind(b")") + 2 :].split()[0] not in (b"Z", b"X")


def descendants(pid: int) -> set[int]:
    """The live processes below `pid` now (children, their children...)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_bytes()
            except OSError:
                continue
            parent = int(stat[stat.rfind(b")") + 2 :].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return {p for p in found if process_alive(p)}


def survivors(pids: set[int], within: float = 20.0) -> set[int]:
    """Those of `pids` still alive after waiting up to `within` seconds for them to go
    (a killed process is gone once the kernel has delivered the signal)."""
    deadline = time.monotonic() + within
    alive = {p for p in pids if process_alive(p)}
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)
        alive = {p for p in alive if process_alive(p)}
    return alive


def read_pids(*files: Path) -> set[int]:
    """The pids that programs wrote into `files` (one each)."""
    return {int(f.read_text()) for f in files}


# -- results stores: every store test runs against SQLite and PostgreSQL ----------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """A throwaway PostgreSQL server per test process (tests/store/postgres.py); skipped,
    saying why, only when PostgreSQL is not installed."""
    from tests.store.postgres import server_programs, start_server

    if server_programs() is None:
        pytest.skip("PostgreSQL is not installed (no initdb, pg_ctl): .ci/run installs it")
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


_databases = iter(range(1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a new, empty results store of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'results.db'}"
    server = request.getfixturevalue("postgres_server")
    return str(server.create_database(f"store_{next(_databases)}"))
