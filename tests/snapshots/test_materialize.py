"""Command rules on `--ref` and `--staged`: the snapshot written to a temporary folder.

Made once per run and only when a command rule runs; removed afterwards,
also when the run fails or is interrupted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from engine.snapshots.gitobjects import GitObjectsSnapshot
from engine.snapshots.gittree import GitTreeSnapshot
from engine.snapshots.materialize import TEMP_PREFIX
from tests.conftest import git

#: Prints what the folder holds (type, executable bit, content or link target) and fails,
#: so that the finding carries the listing.
LIST_FILES = (
    "import os,sys\n"
    "out=[]\n"
    "for d,ds,fs in os.walk('.'):\n"
    "  ds[:]=sorted(x for x in ds if x!='.git')\n"
    "  for n in sorted(fs+[x for x in ds if os.path.islink(os.path.join(d,x))]):\n"
    "    p=os.path.join(d,n)[2:]\n"
    "    if os.path.islink(os.path.join(d,n)): out.append(p+' -> '+os.readlink(p))\n"
    "    else: out.append(p+(' x ' if os.access(p,os.X_OK) else ' - ')+open(p).read().strip())\n"
    "  out+= [os.path.join(d,x)[2:]+'/' for x in ds if not os.listdir(os.path.join(d,x))]\n"
    "sys.exit('\\n'.join(out))\n"
)


def command_pack(pack_text, count: int = 1) -> str:
    rules = "".join(
        f"- id: list{i}\n  title: L\n  category: general\n"
        f"  check: {{command: {{run: [{sys.executable!r}, -c, {LIST_FILES!r}]}}}}\n"
        for i in range(count)
    )
    return pack_text(
        rules + "- id: r\n  title: T\n  category: general\n  check: {file: {exists: ['**/*']}}\n"
    )


@pytest.fixture
def temp_root(tmp_path, monkeypatch) -> Path:
    """A fresh folder that tempfile uses for this test (in-process runs)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def materialized(monkeypatch) -> list[Path]:
    """Every folder a git snapshot materialized during the test."""
    made: list[Path] = []
    original = GitObjectsSnapshot.materialize

    def spy(self):
        manager = original(self)

        class Recording:
            def __enter__(self_inner):
                folder = manager.__enter__()
                made.append(folder)
                return folder

            def __exit__(self_inner, *exc):
                return manager.__exit__(*exc)

        return Recording()

    monkeypatch.setattr(GitObjectsSnapshot, "materialize", spy)
    return made


def a_repo(make_repo) -> Path:
    repo = make_repo({"src/main.txt": "committed\n", "run.sh": "#!/bin/sh\n", "vendor/.keep": None})
    os.chmod(repo / "run.sh", 0o755)
    os.symlink("src/main.txt", repo / "main-link")
    os.symlink("src", repo / "src-link")
    os.symlink("../outside", repo / "leaves")
    os.symlink("missing", repo / "broken")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "layout")
    return repo


EXPECTED_LISTING = [
    "exit code 1 (expected 0)",
    "main-link -> src/main.txt",
    "run.sh x #!/bin/sh",
    "src-link -> src",
    "src/main.txt - committed",
    "vendor/.keep - ",
]


@pytest.mark.parametrize("kind", ["--ref", "--staged"])
def test_the_command_runs_in_a_checkout_like_folder_that_is_then_removed(
    make_repo, evaluate, pack_text, temp_root, materialized, kind
) -> None:
    repo = a_repo(make_repo)
    (repo / "src/main.txt").write_text("edited, not committed\n")
    args = ["--ref", "HEAD"] if kind == "--ref" else ["--staged"]

    run = evaluate(repo, command_pack(pack_text), *args)

    message = run.result("list0")["findings"][0]["message"]
    assert [line.rstrip() for line in message.splitlines()] == [
        line.rstrip() for line in EXPECTED_LISTING
    ]
    assert len(materialized) == 1
    assert materialized[0].parent == temp_root and materialized[0].name.startswith(TEMP_PREFIX)
    assert list(temp_root.iterdir()) == []


def test_made_once_for_several_command_rules(
    make_repo, evaluate, pack_text, temp_root, materialized
) -> None:
    repo = a_repo(make_repo)

    run = evaluate(repo, command_pack(pack_text, count=3), "--ref", "HEAD", "--jobs", "2")

    assert [run.status(f"list{i}") for i in range(3)] == ["fail", "fail", "fail"]
    assert len(materialized) == 1
    assert list(temp_root.iterdir()) == []


def test_not_made_without_a_command_rule_to_run(
    make_repo, evaluate, pack_text, check_pack, materialized
) -> None:
    repo = a_repo(make_repo)

    plain = evaluate(repo, check_pack("{file: {exists: ['run.sh']}}"), "--ref", "HEAD")
    disabled = evaluate(repo, command_pack(pack_text), "--staged", "--no-commands")
    filtered = evaluate(repo, command_pack(pack_text), "--ref", "HEAD", "--rule", "r")

    assert (plain.status(), disabled.status("list0"), filtered.status("list0")) == (
        "pass",
        "skip",
        "skip",
    )
    assert materialized == []


def test_removed_when_the_run_fails(make_repo, policy, write_pack, pack_text, temp_root) -> None:
    repo = a_repo(make_repo)
    pack = write_pack(command_pack(pack_text))

    done = policy("eval", repo, "--ref", "HEAD", "--pack", pack, "-o", "/dev/full")

    assert done.exit_code == 2  # the report cannot be written (no space), after the commands ran
    assert done.stderr.endswith("No space left on device\n")
    assert list(temp_root.iterdir()) == []


def test_removed_when_the_body_raises(make_repo, temp_root) -> None:
    repo = a_repo(make_repo)
    snapshot = GitTreeSnapshot.open(repo, "HEAD")
    try:
        with pytest.raises(KeyboardInterrupt), snapshot.materialize() as folder:
            assert (folder / "src/main.txt").read_text() == "committed\n"
            raise KeyboardInterrupt
    finally:
        snapshot.close()
    assert not folder.exists()
    assert list(temp_root.iterdir()) == []


def test_removed_on_ctrl_c(make_repo, write_pack, pack_text, policy_exe, tmp_path) -> None:
    repo = a_repo(make_repo)
    temp_root = tmp_path / "tmp"
    temp_root.mkdir()
    started = tmp_path / "started"
    pack = write_pack(
        pack_text(
            "- id: slow\n  title: S\n  category: general\n"
            f"  check: {{command: {{shell: 'touch {started} && sleep 30'}}}}\n"
        )
    )
    process = subprocess.Popen(
        [policy_exe, "eval", str(repo), "--ref", "HEAD", "--pack", str(pack)],
        env={**os.environ, "TMPDIR": str(temp_root)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.exists(), "the command rule never started"
    assert [p.name[: len(TEMP_PREFIX)] for p in temp_root.iterdir()] == [TEMP_PREFIX]

    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=20)

    assert process.returncode == 130
    assert stderr.decode().endswith("policy: interrupted\n")
    assert list(temp_root.iterdir()) == []
