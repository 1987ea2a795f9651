"""Trees and indexes holding names git never checks out: `..`, `.git`, absolute paths.

Such a commit or index (made with `git hash-object --literally`, or an index
written by hand) is listed with those entries as not read, and a command
rule's temporary folder never gets them: nothing is written beside or above
it, and no `.git` appears in it.
"""

from __future__ import annotations

import hashlib
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from engine.snapshots.gittree import GitTreeSnapshot
from engine.snapshots.materialize import Layout, write_layout
from tests.conftest import git

#: Prints every path under the folder (dot folders included) and fails, so the finding
#: carries the listing.
LIST_ALL = (
    "import os,sys\n"
    "out=[]\n"
    "for d,ds,fs in os.walk('.'):\n"
    "  out+=[os.path.join(d,n)[2:] for n in fs+ds]\n"
    "sys.exit('\\n'.join(sorted(out)))\n"
)
BAD = b"pwned by the snapshot\n"


def hash_object(repo: Path, data: bytes, kind: str = "blob") -> str:
    done = subprocess.run(
        ["git", "hash-object", "-t", kind, "--literally", "-w", "--stdin"],
        cwd=repo,
        input=data,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode().strip()


def tree(repo: Path, entries: list[tuple[str, str, str]]) -> str:
    """A tree object with exactly these (mode, name, object id) entries, unchecked."""
    data = b"".join(
        mode.encode() + b" " + name.encode() + b"\0" + bytes.fromhex(oid)
        for mode, name, oid in entries
    )
    return hash_object(repo, data, "tree")


def write_index(repo: Path, entries: list[tuple[str, str, str]]) -> None:
    """Write .git/index (version 2) holding these (mode, object id, path) entries."""
    body = b""
    for mode, oid, path in sorted(entries, key=lambda e: e[2].encode()):
        name = path.encode()
        entry = struct.pack(">10I", 0, 0, 0, 0, 0, 0, int(mode, 8), 0, 0, 0)
        entry += bytes.fromhex(oid) + struct.pack(">H", min(len(name), 0xFFF)) + name
        body += entry + b"\0" * (8 - len(entry) % 8)
    data = b"DIRC" + struct.pack(">II", 2, len(entries)) + body
    (repo / ".git" / "index").write_bytes(data + hashlib.sha1(data).digest())


@pytest.fixture
def canary(tmp_path, monkeypatch) -> Path:
    """A folder holding only `tmp`, the folder temporary snapshots are made in."""
    folder = tmp_path / "canary"
    (folder / "tmp").mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(folder / "tmp"))
    return folder


def a_hostile_commit(repo: Path, canary: Path) -> str:
    """A commit whose tree holds, besides `ok.txt`, every kind of name that would escape."""
    bad = hash_object(repo, BAD)
    ok = hash_object(repo, b"fine\n")
    one_file = tree(repo, [("100644", "escaped", bad)])
    config = tree(repo, [("100644", "config", bad)])
    top = tree(
        repo,
        [
            ("100644", str(canary / "absolute"), bad),  # a name that is an absolute path
            ("040000", ".", one_file),
            ("040000", "..", tree(repo, [("040000", "..", one_file)])),
            ("040000", ".GIT", config),
            ("040000", ".git", config),
            ("040000", "git~1", config),
            ("100644", "a/../../slashed", bad),  # a name with slashes in it
            ("100644", "ok.txt", ok),
        ],
    )
    return git(repo, "commit-tree", "-m", "hostile", top).strip()


REFUSED = [
    (None, "unsafe path: an absolute path"),
    ("./escaped", "unsafe path: `.` in the path"),
    (".GIT/config", "unsafe path: `.GIT` names git's own folder"),
    ("../../escaped", "unsafe path: `..` in the path"),
    (".git/config", "unsafe path: `.git` names git's own folder"),
    ("a/../../slashed", "unsafe path: `..` in the path"),
    ("git~1/config", "unsafe path: `git~1` names git's own folder"),
]


#: What `**` matches (no glob reaches `.` or `..`); None: the absolute name.
MATCHED_BY_GLOBS = {None, ".GIT/config", ".git/config", "git~1/config"}


def hostile_pack(pack_text) -> str:
    return pack_text(
        "- id: listing\n  title: L\n  category: general\n"
        f"  check: {{command: {{run: [{sys.executable!r}, -c, {LIST_ALL!r}]}}}}\n"
        "- id: content\n  title: C\n  category: general\n"
        "  check: {file: {paths: ['**'], not_contains: pwned}}\n"
    )


@pytest.mark.parametrize("kind", ["--ref", "--staged"])
def test_entries_that_would_escape_are_refused_listed_and_never_written(
    make_repo, evaluate, pack_text, canary, kind
) -> None:
    repo = make_repo({})
    commit = a_hostile_commit(repo, canary)
    if kind == "--ref":
        args = ["--ref", commit]
    else:  # the same entries in the index
        listed = git(repo, "ls-tree", "-r", "-z", commit).split("\0")
        entries = [line.split(None, 3) for line in listed if line]
        write_index(repo, [(mode, oid, path) for mode, _, oid, path in entries])
        args = ["--staged"]

    run = evaluate(repo, hostile_pack(pack_text), *args)

    listing = run.result("listing")
    assert listing["findings"][0]["message"] == "exit code 1 (expected 0)\nok.txt"
    assert [(n["path"], n["message"]) for n in listing["notes"]] == sorted(
        (path or str(canary / "absolute"), f"not written to the command's folder: {why}")
        for path, why in REFUSED
    )
    assert run.status("content") == "pass"
    assert [(n["path"], n["message"]) for n in run.result("content")["notes"]] == sorted(
        (path or str(canary / "absolute"), f"not read: {why}")
        for path, why in REFUSED
        if path in MATCHED_BY_GLOBS
    )
    assert [p.name for p in canary.iterdir()] == ["tmp"]
    assert list((canary / "tmp").iterdir()) == []


@pytest.mark.parametrize("kind", ["worktree", "--ref", "--staged"])
def test_a_symlink_into_the_git_folder_is_not_followed(
    make_repo, evaluate, check_pack, kind
) -> None:
    repo = make_repo({"ok.txt": "fine\n"})
    git(repo, "config", "canary.value", "pwned")
    os.symlink(".git/config", repo / "config-link")
    os.symlink("sub/../.git", repo / "git-link")
    os.symlink("git-link/config", repo / "through-a-link")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "links")
    args = {"worktree": [], "--ref": ["--ref", "HEAD"], "--staged": ["--staged"]}[kind]

    run = evaluate(repo, check_pack("{file: {paths: ['**'], not_contains: pwned}}"), *args)

    unsafe = "not read: symlink to an unsafe path: `.git` names git's own folder"
    assert (run.exit_code, run.status()) == (0, "pass")
    assert [(n["path"], n["message"]) for n in run.result()["notes"]] == [
        ("config-link", unsafe),
        ("git-link", unsafe),
        ("through-a-link", unsafe),
    ]


def test_writing_never_goes_through_a_symlink_already_in_the_folder(make_repo, tmp_path) -> None:
    # What two names a case-insensitive file system takes for one would do: `Conf` written
    # as a symlink, then `conf/x` written through it.
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "folder"
    root.mkdir()
    os.symlink(outside, root / "conf")
    repo = make_repo({"conf/x": "content\n", "ok": "fine\n"})
    snapshot = GitTreeSnapshot.open(repo, "HEAD")
    try:
        with pytest.raises(OSError) as through_link:
            write_layout(snapshot, Layout(files=("conf/x",)), root)
        with pytest.raises(OSError) as escaping:
            write_layout(snapshot, Layout(files=("ok", "../x")), root)
    finally:
        snapshot.close()
    assert through_link.value.strerror == "cannot write conf/x: Not a directory"
    assert escaping.value.strerror == "refused to write ../x: `..` in the path"
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in root.iterdir()) == ["conf"]  # nothing, not even `ok`
