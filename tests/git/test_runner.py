"""engine/git/runner.py: a repository rulepack reads can make git run none of its programs.

Each test gives an untrusted repository every setting that names a program
(each writes its own marker file, named after the setting, when it runs),
runs the real CLI over it and asserts that no marker appears and that the
run still judged the files. The settings that git would run in rulepack's
commands without the runner (fsmonitor on every index read, clean filters
when diff-files meets a racily clean entry, hooks on a fixture's commit,
the promisor remote of a partial clone) are set up so that they would fire.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest

from engine.errors import InputError
from engine.git.runner import git_reason, run
from tests.conftest import git

#: Every hook git knows of: the canary hooks folder holds each of them.
HOOKS = [
    *("applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit"),
    *("prepare-commit-msg", "commit-msg", "post-commit", "pre-rebase", "post-checkout"),
    *("post-merge", "pre-push", "pre-receive", "update", "proc-receive", "post-receive"),
    *("post-update", "reference-transaction", "push-to-checkout", "pre-auto-gc"),
    *("post-rewrite", "sendemail-validate", "fsmonitor-watchman", "p4-changelist"),
    *("p4-prepare-changelist", "p4-post-changelist", "p4-pre-submit", "post-index-change"),
]

PACK = """\
apiVersion: rulepack/v1
name: canary
version: 1.0.0
categories: [{id: c, title: C}]
rules:
  - id: secrets
    title: No secrets
    category: c
    check: {file: {paths: ["**/*"], not_contains: SECRET}}
  - {id: runs, title: A command runs, category: c, check: {command: {run: [sh, -c, "exit 0"]}}}
"""


def mark(markers: Path, name: str) -> str:
    return f"touch {shlex.quote(str(markers / name))}"


def canary_config(markers: Path, hooks: Path) -> str:
    """Every setting of `.git/config` that names a program, each touching its marker."""
    for hook in HOOKS:
        script = hooks / hook
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text(f"#!/bin/sh\n{mark(markers, 'hook.' + hook)}\n")
        script.chmod(0o755)
    pagers = "".join(
        f'\t{command} = "{mark(markers, "pager." + command)}; cat"\n'
        for command in ("rev-parse", "ls-files", "ls-tree", "cat-file", "diff-files", "config")
    )
    return (
        "[core]\n"
        f'\tfsmonitor = "{mark(markers, "core.fsmonitor")}; true"\n'
        f'\tpager = "{mark(markers, "core.pager")}; cat"\n'
        f'\tsshCommand = "{mark(markers, "core.sshCommand")}"\n'
        f'\taskPass = "{mark(markers, "core.askPass")}"\n'
        f'\teditor = "{mark(markers, "core.editor")}"\n'
        f"\thooksPath = {hooks}\n"
        '[filter "evil"]\n'
        f'\tclean = "{mark(markers, "filter.clean")}; cat"\n'
        f'\tsmudge = "{mark(markers, "filter.smudge")}; cat"\n'
        "\trequired = true\n"
        '[filter "evil=process"]\n'  # a driver name with `=` in it
        f'\tprocess = "{mark(markers, "filter.process")}; cat"\n'
        '[diff "evil"]\n'
        f'\ttextconv = "{mark(markers, "diff.textconv")}; cat"\n'
        f'\tcommand = "{mark(markers, "diff.command")}"\n'
        "[diff]\n"
        f'\texternal = "{mark(markers, "diff.external")}"\n'
        f"[pager]\n{pagers}"
        "[credential]\n"
        f'\thelper = "!{mark(markers, "credential.helper")}"\n'
        "[gpg]\n"
        f'\tprogram = "{mark(markers, "gpg.program")}"\n'
        "[sequence]\n"
        f'\teditor = "{mark(markers, "sequence.editor")}"\n'
    )


def racy(repo: Path) -> None:
    """Make every index entry racily clean, so that diff-files compares content
    (through the clean filter) instead of trusting the recorded stat data."""
    index = Path(git(repo, "rev-parse", "--path-format=absolute", "--git-path", "index").strip())
    newest = max(
        p.stat().st_mtime_ns for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts
    )
    os.utime(index, ns=(newest, newest))


def untrusted_repo(root: Path, where: str) -> tuple[Path, Path]:
    """A repository of two commits (a.txt gets a secret in the second) whose
    configuration names a program for everything; returns it and the markers folder.

    `where` puts that configuration in `.git/config`, in a tracked file that
    `.git/config` includes, or in a git dir that a `.git` file points to.
    """
    repo, markers, hooks = root / "repo", root / "markers", root / "hooks"
    repo.mkdir()
    markers.mkdir()
    if where == "gitfile":
        git(repo, "init", "-q", f"--separate-git-dir={root / 'elsewhere.git'}")
        assert (repo / ".git").is_file()
    else:
        git(repo, "init", "-q")
    (repo / ".gitattributes").write_text("* filter=evil diff=evil\n*.proc filter=evil=process\n")
    (repo / "a.txt").write_text("fine\n")
    (repo / "b.proc").write_text("fine\n")
    (repo / "tools").mkdir()
    (repo / "tools" / "git.config").write_text("# the project's shared git settings\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    (repo / "a.txt").write_text("SECRET\n")
    git(repo, "commit", "-q", "-am", "second")
    racy(repo)
    config = canary_config(markers, hooks)
    git_dir = Path(git(repo, "rev-parse", "--absolute-git-dir").strip())
    if where == "include":
        (repo / "tools" / "git.config").write_text(config)
        with (git_dir / "config").open("a") as out:
            out.write("[include]\n\tpath = ../tools/git.config\n")
    else:
        with (git_dir / "config").open("a") as out:
            out.write(config)
    return repo, markers


def fired(markers: Path) -> list[str]:
    return sorted(os.listdir(markers))


def secret_findings(report: dict) -> list[str]:
    (secrets,) = [r for r in report["results"] if r["rule"] == "secrets"]
    return [f"{f['path']}:{f['line']}" for f in secrets["findings"]]


@pytest.mark.parametrize("where", ["config", "include", "gitfile"])
@pytest.mark.parametrize("how", ["worktree", "staged", "new-since", "diff"])
def test_no_program_of_the_repository_runs(policy, write_pack, tmp_path, where, how) -> None:
    repo, markers = untrusted_repo(tmp_path, where)
    pack = write_pack(PACK)
    args = {
        "worktree": ["eval", repo],
        "staged": ["eval", repo, "--staged"],
        "new-since": ["eval", repo, "--new-since", "HEAD~1"],
        "diff": ["diff", "HEAD~1", "-C", repo],
    }[how]

    done = policy(*args, "--pack", pack, "--format", "json")

    assert fired(markers) == []
    assert done.exit_code == 1, done.stderr
    report = json.loads(done.stdout)
    if how == "diff":
        (change,) = [r for r in report["rules"] if r["rule"] == "secrets"]
        assert (change["change"], [f["path"] for f in change["new"]]) == ("worse", ["a.txt"])
    else:
        assert secret_findings(report) == ["a.txt:1"]


def partial_clone(tmp_path: Path, remote: str, config: dict[str, str]) -> Path:
    """A clone without blobs (they would be fetched when read) whose promisor remote
    is `remote` with `config` set."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "a.txt").write_text("SECRET\n")
    git(source, "init", "-q")
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", "only")
    git(source, "config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--no-local", "--filter=blob:none", "--no-checkout",
        source.as_uri(), str(clone))  # fmt: skip
    git(clone, "remote", "set-url", "origin", remote.format(source=source.as_uri()))
    for key, value in config.items():
        git(clone, "config", key, value)
    return clone


@pytest.mark.parametrize(
    ("remote", "setting"),
    [("{source}", "remote.origin.uploadpack"), ("ssh://example.invalid/r", "core.sshCommand")],
)
def test_a_partial_clone_fetches_nothing(policy, write_pack, tmp_path, remote, setting) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    program = f"{mark(markers, setting)}; exit 1"
    clone = partial_clone(tmp_path, remote, {setting: program})
    probe = subprocess.run(  # without the runner, reading a missing blob runs the program
        ["git", "cat-file", "-p", "HEAD:a.txt"], cwd=clone, capture_output=True
    )
    assert fired(markers) == [setting], probe.stderr
    os.unlink(markers / setting)

    done = policy("eval", clone, "--ref", "HEAD", "--pack", write_pack(PACK), "--format", "json")

    assert fired(markers) == []
    results = {r["rule"]: r for r in json.loads(done.stdout)["results"]}
    blob = git(clone, "rev-parse", "HEAD:a.txt").strip()
    why = f"object {blob} cannot be read from git (could not fetch {blob} from promisor remote)"
    assert results["secrets"]["notes"] == [{"path": "a.txt", "message": f"not read: {why}"}]
    assert (results["runs"]["status"], results["runs"]["message"]) == (
        "error",
        f"the snapshot cannot be written to a folder: {why}",
    )


def test_a_submodule_is_not_asked_for_its_status(make_repo, evaluate, tmp_path) -> None:
    """diff-files would run `git status` in each submodule, which reads the submodule's
    own configuration (a filter the superproject's configuration does not name)."""
    markers = tmp_path / "markers"
    markers.mkdir()
    inner = make_repo({".gitattributes": "* filter=inner\n", "x.txt": "x\n"})
    repo = make_repo({"a.txt": "SECRET\n"})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "lib")
    git(repo, "commit", "-q", "-m", "submodule")
    git(repo / "lib", "config", "filter.inner.clean", f"{mark(markers, 'submodule.filter')}; cat")
    racy(repo / "lib")

    run_ = evaluate(repo, PACK.replace('"**/*"', '"a.txt"'))

    assert fired(markers) == []
    assert secret_findings(run_.report) == ["a.txt:1"]


def test_a_fixture_that_ships_its_own_git_folder_runs_nothing(policy, tmp_path) -> None:
    """`policy test` commits each case with git: a case's repo/.git (hooks, fsmonitor,
    a clean filter) would run on `git add` and `git commit`."""
    markers = tmp_path / "markers"
    markers.mkdir()
    root = tmp_path / "pack"
    case = root / "tests" / "case"
    (case / "repo" / ".git" / "hooks").mkdir(parents=True)
    (root / "pack.yaml").write_text(PACK.replace("  - {id: runs", "  # - {id: runs"))
    (case / "expect.yaml").write_text("rules: {secrets: fail}\n")
    (case / "repo" / "a.txt").write_text("SECRET\n")
    (case / "repo" / ".gitattributes").write_text("* filter=evil\n")
    (case / "repo" / ".git" / "config").write_text(
        "[core]\n"
        f'\tfsmonitor = "{mark(markers, "core.fsmonitor")}; true"\n'
        '[filter "evil"]\n'
        f'\tclean = "{mark(markers, "filter.clean")}; cat"\n'
    )
    for hook in HOOKS:
        script = case / "repo" / ".git" / "hooks" / hook
        script.write_text(f"#!/bin/sh\n{mark(markers, 'hook.' + hook)}\n")
        script.chmod(0o755)

    done = policy("test", root)

    assert fired(markers) == []
    assert (done.exit_code, done.stdout.splitlines()[1]) == (0, "  ok    case (1 expectation(s))")


def test_hook_install_reads_core_hooks_path_and_runs_nothing(policy, tmp_path) -> None:
    repo, markers = untrusted_repo(tmp_path, "include")
    hooks = tmp_path / "hooks"  # what the included configuration sets core.hooksPath to
    (hooks / "pre-commit").unlink()  # a canary, but not rulepack's: install would refuse

    done = policy("hook", "install", repo)

    assert (done.exit_code, done.stdout, done.stderr) == (
        0,
        f"policy: installed the pre-commit hook at {hooks / 'pre-commit'}\n",
        "",
    )
    assert fired(markers) == []


# -- the runner itself ----------------------------------------------------------------


def test_a_command_rulepack_does_not_run_is_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="git log is not a command rulepack runs"):
        run(["log"], tmp_path)


def test_the_users_own_config_is_kept(make_repo, monkeypatch, tmp_path) -> None:
    """Only the repository is untrusted: GIT_CONFIG_GLOBAL and the system file are the user's."""
    repo = make_repo({"a.txt": "x\n"})
    config = tmp_path / "mine.gitconfig"
    config.write_text("[rulepack]\n\tmine = yes\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))

    done = run(["config", "--get", "rulepack.mine"], repo)

    assert (done.ok, done.stdout) == (True, b"yes\n")


def test_git_missing_from_path_is_an_input_error(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError) as raised:
        run(["rev-parse", "--git-dir"], tmp_path)
    assert [p.message for p in raised.value.problems] == [
        "git is not installed (not found on PATH)"
    ]


@pytest.mark.parametrize(
    ("stderr", "reason"),
    [
        ("fatal: not a git repository (or any of the parent directories): .git\n",
         "not a git repository (or any of the parent directories): .git"),
        ("fatal: unknown repository extension found:\n\tfoo\n",
         "unknown repository extension found: foo"),
        ("warning: ignored\nerror: pathspec 'x' did not match\n", "pathspec 'x' did not match"),
        ("something odd\nlast words\n", "last words"),
        ("", "no reason given"),
    ],
)  # fmt: skip
def test_git_reason_is_gits_own_line(stderr: str, reason: str) -> None:
    assert git_reason(stderr) == reason


def test_a_refused_repository_names_gits_reason(make_repo, evaluate) -> None:
    repo = make_repo({"a.txt": "SECRET\n"})
    git(repo, "config", "extensions.rulepacktestunknown", "yes")
    git(repo, "config", "core.repositoryformatversion", "1")

    run_ = evaluate(repo, PACK)

    assert (run_.exit_code, run_.stderr) == (
        2,
        f"policy: error: {repo.resolve()}: git refuses to read this repository: "
        "unknown repository extension found: rulepacktestunknown\n",
    )


def test_dubious_ownership_is_an_error_not_a_folder_walk(make_repo, evaluate) -> None:
    """git refuses a repository another user owns (`safe.directory`); reading it as a
    plain folder would read `.git/` too."""
    if os.geteuid() != 0:
        pytest.skip("only root can give a folder to another user")
    repo = make_repo({"a.txt": "fine\n"})
    subprocess.run(["chown", "-R", "65534:65534", str(repo)], check=True)

    run_ = evaluate(repo, PACK)

    resolved = repo.resolve()
    assert (run_.exit_code, run_.stderr) == (
        2,
        f"policy: error: {resolved}: git refuses to read this repository: detected dubious "
        f"ownership in repository at '{resolved}' (if you trust it: "
        f"git config --global --add safe.directory {resolved})\n",
    )
