"""The pre-commit hook: `policy hook install|uninstall`, and the pre-commit framework's hook.

Every verdict here comes from a real `git commit` (or the framework's run) in
a temporary repository whose own pack makes the outcome certain: a file that
contains SECRET breaks the rule.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.commands.hook import KEPT_SUFFIX, MARKER
from tests.conftest import git
from tests.test_readme import fenced_blocks

PROJECT_ROOT = Path(__file__).resolve().parents[2]

RULES = """\
- id: no-secrets
  title: No secrets
  category: general
  severity: error
  check: {file: {paths: ["src/**"], not_contains: SECRET}}
"""


@pytest.fixture
def repo(make_repo, pack_text) -> Path:
    return make_repo(
        {
            ".rulepack.yaml": "packs: [./policy.yaml]\n",
            "policy.yaml": pack_text(RULES),
            "src/app.txt": "fine\n",
        }
    )


def commit(
    repo: Path, message: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "commit", "-q", "-m", message], cwd=repo, capture_output=True, text=True, env=env
    )


def head_subject(repo: Path) -> str:
    return git(repo, "log", "-1", "--format=%s").strip()


def test_the_installed_hook_refuses_a_breaking_commit_and_accepts_a_good_one(repo, policy) -> None:
    done = policy("hook", "install", repo)
    hook = repo / ".git/hooks/pre-commit"
    assert (done.exit_code, done.stdout) == (
        0,
        f"policy: installed the pre-commit hook at {hook}\n",
    )
    assert os.access(hook, os.X_OK) and MARKER in hook.read_text()

    (repo / "src/app.txt").write_text("SECRET\n")
    git(repo, "add", "src/app.txt")
    refused = commit(repo, "breaks the rule")

    assert refused.returncode == 1
    assert "src/app.txt:1: matches /SECRET/" in refused.stderr  # git shows hook output there
    assert "rulepack: commit refused (policy eval --staged exited 1)" in refused.stderr
    assert head_subject(repo) == "initial"

    (repo / "src/app.txt").write_text("fine again\n")
    git(repo, "add", "src/app.txt")
    (repo / "src/app.txt").write_text("SECRET, but not staged\n")  # the index is judged
    accepted = commit(repo, "keeps the rules")

    assert accepted.returncode == 0, accepted.stderr
    assert head_subject(repo) == "keeps the rules"


def test_a_blocked_commit_prints_one_screen_with_the_cause_on_top(policy, tmp_path) -> None:
    # A Python service that holds at --fail-on error, with 19 warnings and notes, as
    # services do; the commit adds a private key. (Programs are not run: their
    # verdicts would depend on what this machine has installed.)
    service = tmp_path / "service"
    shutil.copytree(PROJECT_ROOT / "rulepacks/production/tests/python-service/repo", service)
    (service / ".rulepack.yaml").write_text("packs: [production]\n")
    git(service, "init", "-q")
    git(service, "add", "-A")
    git(service, "commit", "-q", "-m", "initial")
    assert policy("hook", "install", service).exit_code == 0
    (service / "deploy").mkdir(exist_ok=True)
    (service / "deploy/tls.key").write_text("-----BEGIN RSA PRIVATE KEY-----\nabc\n")
    git(service, "add", "deploy/tls.key")

    refused = subprocess.run(
        ["git", "commit", "-q", "-m", "adds a key"],
        cwd=service,
        capture_output=True,
        text=True,
        env={**os.environ, "RULEPACK_NO_COMMANDS": "1"},
    )

    lines = (refused.stdout + refused.stderr).splitlines()
    assert refused.returncode == 1
    assert len(lines) <= 40, "\n".join(lines)
    assert lines[0] == (
        "FAIL · 2 rules fail the run at --fail-on error: "
        "sec.no-private-keys, sec.no-dotenv-or-keyfiles"
    )
    assert "           • deploy/tls.key:1: a private key is committed here" in lines[:6]
    assert lines[-3:] == [
        "Not shown (they do not fail the run): 19 failed, 23 passed, 46 skipped",
        "Everything: policy eval --staged --no-commands --trust-repo --show all",
        "rulepack: commit refused (policy eval --staged exited 1); fix what it reports, "
        "or skip the hook once with git commit --no-verify",
    ]
    assert head_subject(service) == "initial"


def test_a_foreign_hook_is_kept_unless_forced_and_restored_on_uninstall(repo, policy) -> None:
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho mine\n")

    refused = policy("hook", "install", repo)
    assert (refused.exit_code, refused.stderr) == (
        2,
        f"policy: error: {hook} exists and was not written by rulepack; use --force to "
        "replace it (it is kept and restored by uninstall)\n",
    )
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    assert policy("hook", "uninstall", repo).stderr == (
        f"policy: error: {hook} was not written by rulepack; leaving it in place\n"
    )

    forced = policy("hook", "install", repo, "--force")
    kept = hook.with_name("pre-commit" + KEPT_SUFFIX)
    assert forced.exit_code == 0
    assert forced.stdout.splitlines()[0] == f"policy: kept the previous hook as {kept}"
    assert MARKER in hook.read_text() and kept.read_text() == "#!/bin/sh\necho mine\n"

    removed = policy("hook", "uninstall", repo)
    assert (removed.exit_code, removed.stdout) == (
        0,
        f"policy: removed the rulepack hook and restored {hook}\n",
    )
    assert hook.read_text() == "#!/bin/sh\necho mine\n" and not kept.exists()


def test_install_twice_then_uninstall(repo, policy) -> None:
    hook = repo / ".git/hooks/pre-commit"
    assert policy("hook", "install", repo).exit_code == 0
    assert policy("hook", "install", repo).exit_code == 0  # ours: replaced without --force

    assert policy("hook", "uninstall", repo).stdout == (
        f"policy: removed the pre-commit hook at {hook}\n"
    )
    assert not hook.exists()
    assert policy("hook", "uninstall", repo).stdout == (
        f"policy: no pre-commit hook at {hook}; nothing to do\n"
    )


def test_core_hooks_path_is_honoured(repo, policy) -> None:
    git(repo, "config", "core.hooksPath", "tools/hooks")

    done = policy("hook", "install", repo / "src")

    assert done.exit_code == 0
    assert MARKER in (repo / "tools/hooks/pre-commit").read_text()
    assert not (repo / ".git/hooks/pre-commit").exists()


def test_a_linked_worktree_uses_the_shared_hooks(repo, policy, tmp_path) -> None:
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", str(linked))

    done = policy("hook", "install", linked)

    assert done.exit_code == 0
    assert MARKER in (repo / ".git/hooks/pre-commit").read_text()


def test_outside_git_is_bad_input(tmp_path, policy) -> None:
    done = policy("hook", "install", tmp_path)

    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: {tmp_path}: not inside a git repository\n",
    )


# -- the pre-commit framework ------------------------------------------------------------


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def project_commit() -> str:
    """The commit of this project the framework installs from (it clones committed files)."""
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip("the pre-commit framework installs hooks from a git checkout of rulepack")
    return done.stdout.strip()


def pre_commit(
    repo: Path, home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**(env or os.environ), "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_pre_commit_try_repo_runs_the_hook_on_what_is_staged(repo, pre_commit_home) -> None:
    (repo / "src/app.txt").write_text("SECRET\n")
    git(repo, "add", "src/app.txt")
    (repo / "src/other.txt").write_text("SECRET, untracked\n")

    done = pre_commit(
        repo, pre_commit_home, "try-repo", str(PROJECT_ROOT), "policy", "--ref", project_commit()
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert "rulepack policy" in done.stdout and "Failed" in done.stdout
    assert "src/app.txt:1: matches /SECRET/" in done.stdout
    assert "src/other.txt" not in done.stdout


def test_pre_commit_installed_hook_refuses_and_accepts_commits(repo, pre_commit_home) -> None:
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {PROJECT_ROOT}\n    rev: {project_commit()}\n"
        "    hooks: [{id: policy}]\n"
    )
    git(repo, "add", ".pre-commit-config.yaml")
    installed = pre_commit(repo, pre_commit_home, "install")
    assert installed.returncode == 0, installed.stderr

    (repo / "src/app.txt").write_text("SECRET\n")
    git(repo, "add", "src/app.txt")
    refused = commit(repo, "breaks the rule")

    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "src/app.txt:1: matches /SECRET/" in refused.stdout + refused.stderr
    assert head_subject(repo) == "initial"

    (repo / "src/app.txt").write_text("fine again\n")
    git(repo, "add", "src/app.txt")
    accepted = commit(repo, "keeps the rules")

    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert head_subject(repo) == "keeps the rules"


def test_the_installed_hook_trusts_the_repository_it_is_installed_in(
    make_repo, pack_text, policy, tmp_path
) -> None:
    """`policy hook install` is run by whoever works in the repository: its own packs run
    their programs under the hook, as they would not under a plain `policy eval`."""
    ran = tmp_path / "ran"
    rules = (
        "- id: own-check\n  title: The repository's own program\n  category: general\n"
        f"  check: {{command: {{run: [touch, {str(ran)!r}]}}}}\n"
    )
    repo = make_repo(
        {".rulepack.yaml": "packs: [./policy.yaml]\n", "policy.yaml": pack_text(rules)}
    )

    untrusted = policy("eval", repo, "--staged", "--format", "json")
    assert untrusted.exit_code == 0 and not ran.exists()
    assert '"reason": "not run: the pack comes from the repository (use --trust-repo)"' in (
        untrusted.stdout
    )

    assert policy("hook", "install", repo).exit_code == 0
    (repo / "README.md").write_text("x\n")
    git(repo, "add", "README.md")
    done = commit(repo, "runs the hook")

    assert done.returncode == 0, done.stderr
    assert ran.exists()


def test_the_readme_s_local_hook_runs_the_policy_installed_with_pip(repo, pre_commit_home) -> None:
    # as for a user who ran `pip install rulepack`: its `policy` is on PATH
    venv = Path(sys.executable).parent
    on_path = {**os.environ, "PATH": f"{venv}{os.pathsep}{os.environ['PATH']}"}
    local = fenced_blocks("The pre-commit hook", "yaml")[1]
    (repo / ".pre-commit-config.yaml").write_text(local)
    git(repo, "add", ".pre-commit-config.yaml")
    installed = pre_commit(repo, pre_commit_home, "install", env=on_path)
    assert installed.returncode == 0, installed.stderr

    (repo / "src/app.txt").write_text("SECRET\n")
    git(repo, "add", "src/app.txt")
    refused = commit(repo, "breaks the rule", env=on_path)

    output = refused.stdout + refused.stderr  # git passes the hook's output on to stderr
    assert refused.returncode == 1, output
    assert "rulepack policy" in output and "Failed" in output
    assert "src/app.txt:1: matches /SECRET/" in output
    assert head_subject(repo) == "initial"

    (repo / "src/app.txt").write_text("fine again\n")
    git(repo, "add", "src/app.txt")
    accepted = commit(repo, "keeps the rules", env=on_path)

    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert head_subject(repo) == "keeps the rules"
