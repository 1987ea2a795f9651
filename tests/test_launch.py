"""What `policy` imports: a run loads only the modules it uses.

Start-up is most of a small run's time, so a module that a plain run does not
use is imported where it is used (README, speed). The test runs the real
program in a fresh interpreter and reads `sys.modules` when it exits.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from engine import dataclass_code
from engine.folders import cache_dir

#: Loaded by a cached `policy eval --pack production --no-commands` once, now only
#: where they are needed: node-semver for ranges that are not plain comparators,
#: wcmatch for globs the index cannot answer itself, logging (node-semver's),
#: concurrent.futures for command rules, shutil to find programs, difflib for a
#: misspelt name, the pack builder when the pack cache misses, the `schema:` check's
#: loader, and the models and helpers of other commands (diff, test statistics,
#: shell completion).
NOT_LOADED = (
    "nodesemver",
    "wcmatch",
    "logging",
    "concurrent.futures",
    "shutil",
    "difflib",
    "tempfile",
    "engine.packs.build",
    "engine.checks.manifest_schema",
    "engine.model.diff",
    "engine.model.teststats",
    "engine.completion",
)

#: Runs engine.launch.main as the `policy` script does, then writes the names of
#: the modules loaded to the file named by its first argument.
RECORDER = """\
import sys
record = sys.argv.pop(1)
sys.argv[0] = "policy"
try:
    from engine.launch import main
    main()
finally:
    with open(record, "w") as out:
        out.write("\\n".join(sorted(sys.modules)))
"""

EVAL = ("eval", "--pack", "production", "--no-commands")

SERVICE = {
    "Cargo.toml": '[package]\nname = "svc"\nversion = "0.1.0"\nedition = "2021"\n',
    "src/main.rs": "fn main() {}\n",
    "src/lib.rs": "pub fn answer() -> u32 { 42 }\n",
    "README.md": "# svc\n",
    "Dockerfile": "FROM rust:1.80\nCOPY . .\nRUN cargo build --release\n",
    "k8s/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: svc}\n",
}


def _eval_modules(repo: Path, record: Path, *more: str) -> tuple[int, str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", RECORDER, str(record), *EVAL, *more],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    return done.returncode, done.stdout, set(record.read_text().split("\n"))


def test_a_cached_eval_of_the_built_in_pack_leaves_unused_modules_unloaded(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    repo = make_repo(SERVICE)
    _eval_modules(repo, tmp_path / "first.txt")  # fills the pack and parse caches
    (table,) = cache_dir(dataclass_code.KIND).iterdir()  # the dataclass methods compiled
    written = table.stat().st_mtime_ns
    code, stdout, loaded = _eval_modules(repo, tmp_path / "second.txt")
    assert table.stat().st_mtime_ns == written  # the second run compiled none of them
    assert code == 1  # the report was written: this small service fails rules
    assert "Success rate:" in stdout
    assert "engine.commands.eval" in loaded  # the record is of a real run
    assert sorted(name for name in NOT_LOADED if name in loaded) == []


@pytest.mark.parametrize(
    ("format_name", "shown"), [("table", "Success rate:"), ("json", '"results"')]
)
def test_a_report_off_a_terminal_loads_no_rich(
    make_repo: Callable[..., Path], tmp_path: Path, format_name: str, shown: str
) -> None:
    repo = make_repo(SERVICE)
    code, stdout, loaded = _eval_modules(repo, tmp_path / "record.txt", "--format", format_name)
    assert code == 1
    assert shown in stdout
    assert sorted(name for name in loaded if name.split(".")[0] == "rich") == []


def test_a_first_run_of_a_valid_pack_of_ones_own_imports_no_jsonschema(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # a user's pack is checked against the schema on every build (each edit, every run
    # with an empty cache); jsonschema words the problems of one that is not valid
    repo = make_repo(SERVICE)
    pack = tmp_path / "mine.yaml"
    pack.write_text(
        "apiVersion: rulepack/v1\nname: mine\nversion: 1.0.0\n"
        "categories: [{id: docs, title: Docs}]\n"
        "rules:\n- {id: readme, title: README, category: docs, severity: warning,\n"
        "   check: {file: {exists: README.md}}}\n"
        "- {id: replicas, title: Replicas, category: docs, severity: warning,\n"
        "   check: {manifest: {files: 'k8s/*.yaml', assert: 'kind == `Deployment`'}}}\n"
    )
    command = [sys.executable, "-c", RECORDER, str(tmp_path / "record.txt"), "eval"]
    done = subprocess.run([*command, "--pack", str(pack)], cwd=repo, capture_output=True, text=True)
    loaded = set((tmp_path / "record.txt").read_text().split("\n"))
    assert (done.returncode, done.stderr) == (0, "")
    assert "engine.packs.build" in loaded  # the pack was built, and so checked
    assert sorted(name for name in loaded if name.split(".")[0] == "jsonschema") == []
    pack.write_text(pack.read_text().replace("severity: warning", "severity: worrying", 1))
    done = subprocess.run([*command, "--pack", str(pack)], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == (
        f"policy: {pack}:6:57: error: rule readme: severity: 'worrying' is not one of "
        "['error', 'warning', 'info']\n"
    )
