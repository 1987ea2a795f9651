"""Same answer everywhere: on a clean checkout, the working tree, `--ref HEAD` and
`--staged` give the same report (apart from timings and the `snapshot` block).

A property over generated repositories: nested folders, non-ASCII and spaced
names, empty files, executable bits, and symlinks to files, to folders,
dangling and leaving the root. The pack has content checks (which read every
file and report what they pass over) and a command rule whose finding lists
the folder it ran in, so the materialized copy is compared too.
"""

from __future__ import annotations

import json
import os
import posixpath
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import git

NAMES = ["a", "b.txt", "src", "données", "日本語.md", "x y", "README.md", "ü.yaml", "lib"]
TEXTS = ["", "plain\n", "SECRET\n", "# title\nSECRET twice SECRET\n", "ünïcödé\n", "no newline"]

#: Lists the folder: files with executable bit and content, symlinks that stay inside
#: it (the ones a materialized copy keeps), then fails so the finding carries the list.
LIST_FILES = (
    "import os,sys\n"
    "root=os.path.realpath('.')\n"
    "out=[]\n"
    "for d,ds,fs in os.walk('.'):\n"
    "  ds[:]=sorted(x for x in ds if x!='.git')\n"
    "  for n in sorted(fs+[x for x in ds if os.path.islink(os.path.join(d,x))]):\n"
    "    p=os.path.join(d,n)[2:]\n"
    "    if os.path.islink(p):\n"
    "      r=os.path.realpath(p)\n"
    "      if r.startswith(root+os.sep) and os.path.exists(r):\n"
    "        out.append(p+' -> '+os.readlink(p))\n"
    "    else: out.append(p+(' x ' if os.access(p,os.X_OK) else ' - ')+repr(open(p).read()))\n"
    "sys.exit('\\n'.join(out))\n"
)

PACK = f"""\
apiVersion: rulepack/v1
name: same
version: 1.0.0
categories: [{{id: general, title: General}}]
rules:
  - id: secrets
    title: No secrets
    category: general
    check: {{file: {{paths: ["**/*"], not_contains: SECRET}}}}
  - id: headings
    title: Markdown starts with a heading
    category: general
    check: {{file: {{paths: ["**/*.md"], contains: "^#"}}}}
  - id: text-files
    title: Some text file
    category: general
    check: {{file: {{exists: ["**/*.txt"]}}}}
  - id: listing
    title: The folder commands run in
    category: general
    check: {{command: {{run: [{sys.executable!r}, -c, {LIST_FILES!r}]}}}}
"""


@st.composite
def repositories(draw) -> tuple[dict[str, tuple[str, bool]], dict[str, str]]:
    """Files (path -> (text, executable)) and symlinks (path -> target)."""
    paths = draw(
        st.lists(
            st.lists(st.sampled_from(NAMES), min_size=1, max_size=3).map("/".join),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    files: dict[str, tuple[str, bool]] = {}
    for path in sorted(paths, key=len):  # a path cannot be both a file and a folder
        if not any(path.startswith(f + "/") for f in files):
            files[path] = (draw(st.sampled_from(TEXTS)), draw(st.booleans()))
    folders = sorted({posixpath.dirname(p) for p in files} - {""})
    taken = set(files) | set(folders)
    links: dict[str, str] = {}
    for _ in range(draw(st.integers(0, 4))):
        folder = draw(st.sampled_from(["", *folders]))
        path = posixpath.join(folder, f"link{len(links)}")
        if path in taken:
            continue
        kind = draw(st.sampled_from(["file", "folder", "dangling", "outside"]))
        if kind == "file":
            target = posixpath.relpath(draw(st.sampled_from(sorted(files))), folder or ".")
        elif kind == "folder" and folders:
            target = posixpath.relpath(draw(st.sampled_from(folders)), folder or ".")
        elif kind == "outside":
            target = "../" * (folder.count("/") + 2) + "outside.txt"
        else:
            target = "missing.txt"
        links[path] = target
        taken.add(path)
    return files, links


def build(root: Path, files: dict[str, tuple[str, bool]], links: dict[str, str]) -> None:
    for path, (text, executable) in files.items():
        full = root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text(text, encoding="utf-8")
        os.chmod(full, 0o755 if executable else 0o644)
    for path, target in links.items():
        os.symlink(target, root / path)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "generated")


def comparable(stdout: str) -> dict:
    report = json.loads(stdout)
    del report["snapshot"]
    for result in report["results"]:
        del result["duration_ms"]
    return report


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(repositories())
def test_worktree_ref_and_index_agree_on_a_clean_checkout(policy, repo_parts) -> None:
    files, links = repo_parts
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "repo"
        root.mkdir()
        build(root, files, links)
        pack = Path(folder) / "pack.yaml"
        pack.write_text(PACK, encoding="utf-8")
        runs = {
            name: policy("eval", root, "--pack", pack, "--format", "json", *args)
            for name, args in {
                "worktree": (),
                "ref": ("--ref", "HEAD"),
                "staged": ("--staged",),
            }.items()
        }
        assert {name: run.exit_code for name, run in runs.items()} == dict.fromkeys(runs, 1)
        worktree = comparable(runs["worktree"].stdout)
        listing = worktree["results"][3]["findings"][0]["message"]
        assert listing.startswith("exit code 1 (expected 0)")  # the command did run
        assert comparable(runs["ref"].stdout) == worktree
        assert comparable(runs["staged"].stdout) == worktree
