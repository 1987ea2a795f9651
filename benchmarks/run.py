"""Time `policy` beside its floors, and print every figure beside its target.

    python benchmarks/run.py [--sizes 1000 10000 100000] [--repeat 3] [--only targets|table]

Repositories are generated once (benchmarks/.repos/, ignored by git). Each
figure is the median wall time of `repeat` runs, the runs of one group taken
in turns (floor, rulepack, floor, ...), so that a slow spell of a shared
machine slows both sides of a ratio alike. Two parts:

Targets (issue 13), each printed with its floor, the ratio and the target:

- start-up: `policy --version`; `policy eval --pack production --no-commands`
  on a 40-file Rust service; `policy eval --staged` on the 1k repository,
  and on a clone of it with a README, then a YAML file, edited and staged
  before each run (a new line each time: what a pre-commit hook meets);
  floor: `python -c "import yaml"`.
- manifests4.yaml (4 manifest rules) on the working tree at 1k, 10k and 100k
  files with every cache empty (cold: the first run after an install), again
  with only the repository's caches empty (first sight: the parse cache and
  kept verdicts emptied, the engine's own caches, its compiled dataclass
  methods and the built pack, as an earlier run left them), and at 100k again
  with the caches a first run filled (warm: the verdicts it kept; and again
  judging every rule from the parse cache, RULEPACK_VERDICT_CACHE=0); floor:
  benchmarks/floor.py (git ls-files + PyYAML's C loader on every YAML file).
  Peak memory of the cold 100k run.
- files10.yaml (10 file rules) at 100k files: under half a second; the first
  run after the caches were emptied, and the one after it.

Table: benchmarks/pack.yaml (50 file and manifest rules) on the working tree,
`--ref HEAD` and `--staged` at each size, beside floor.py, cache cold.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate, generate_rust_service  # noqa: E402

PYTHON = sys.executable
#: The `policy` timed: this environment's, or another install's (`--policy`).
POLICY = str(Path(sys.executable).parent / "policy")
REPOS = HERE / ".repos"
#: Where the runs keep their caches: emptied before each cold run.
CACHE = Path(tempfile.gettempdir()) / "rulepack-benchmark-cache"
#: The caches of what a repository holds, emptied before a first-sight run; the
#: others (compiled dataclass methods, built packs) belong to the engine and its packs.
REPOSITORY_CACHES = ("parse", "verdicts")
BYTECODE = Path(tempfile.gettempdir()) / "rulepack-benchmark-bytecode"


@dataclass(frozen=True)
class Run:
    """One command to time; `cold` empties the cache folder first, `first_sight` only the
    repository's caches in it (neither is timed)."""

    command: list[str]
    cold: bool = False
    first_sight: bool = False
    env: tuple[tuple[str, str], ...] = ()  # variables set for this run
    before: Callable[[], None] | None = None  # done before the run, not timed


def once(run: Run) -> tuple[float, int]:
    """Wall time and peak memory (KiB, the main process) of one run; exit codes 0
    and 1 are both verdicts."""
    if run.cold:
        shutil.rmtree(CACHE, ignore_errors=True)
    if run.first_sight:
        for kind in REPOSITORY_CACHES:
            shutil.rmtree(CACHE / kind, ignore_errors=True)
    if run.before is not None:
        run.before()
    environ = {**os.environ, "RULEPACK_CACHE_DIR": str(CACHE), **dict(run.env)}
    # An installed rulepack has its bytecode compiled; a checkout run with bytecode
    # writing turned off would compile every module on every run instead. It is kept
    # apart, so that timing another checkout (--policy) writes nothing into it.
    environ.pop("PYTHONDONTWRITEBYTECODE", None)
    environ["PYTHONPYCACHEPREFIX"] = str(BYTECODE)
    started = time.perf_counter()
    process = subprocess.Popen(
        run.command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environ
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.stderr is not None
    stderr = process.stderr.read().decode()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(run.command)} failed ({process.returncode}): {stderr}")
    return elapsed, usage.ru_maxrss


def _clone(repo: str, where: Path) -> Path:
    """A clone of `repo` to edit (made once)."""
    if not where.exists():
        subprocess.run(["git", "clone", "-q", repo, str(where)], check=True)
    return where


def _edit_and_stage(repo: str, path: str) -> None:
    """Add a line no earlier run saw to `path`, and stage it: a new index, one file new."""
    with open(os.path.join(repo, path), "a", encoding="utf-8") as out:
        out.write(f"# edited {time.time_ns()}\n")
    subprocess.run(["git", "-C", repo, "add", path], check=True)


def in_turns(runs: dict[str, Run], repeat: int) -> dict[str, tuple[float, int]]:
    """Median wall time and largest peak memory of each run, taking turns."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    peaks: dict[str, int] = dict.fromkeys(runs, 0)
    for _ in range(repeat):
        for name, run in runs.items():
            elapsed, peak = once(run)
            times[name].append(elapsed)
            peaks[name] = max(peaks[name], peak)
    return {name: (statistics.median(values), peaks[name]) for name, values in times.items()}


def verdict(ok: bool) -> str:
    return "holds" if ok else "MISSED"


def line(what: str, value: float, floor: float, target: float) -> None:
    ratio = value / floor
    print(
        f"  {what:<46} {value:>6.2f} s  floor {floor:>5.2f} s  {ratio:>4.2f}x"
        f"  (target {target:.1f}x: {verdict(ratio <= target)})"
    )


def targets(sizes: list[int], repeat: int) -> None:
    print("Targets (issue 13): median wall time, ratio to the floor")
    yaml_floor = Run([PYTHON, "-c", "import yaml"])
    service = str(generate_rust_service(REPOS))
    small = str(generate(1000, REPOS))
    quiet = ["--format", "json", "-o", os.devnull]
    edited = str(_clone(small, REPOS / "repo-1000-edited"))
    staged = [POLICY, "eval", edited, "--pack", "production", "--staged", "--no-commands", *quiet]
    found = in_turns(
        {
            "floor": yaml_floor,
            "version": Run([POLICY, "--version"]),
            "service": Run(
                [POLICY, "eval", service, "--pack", "production", "--no-commands", *quiet]
            ),
            "staged": Run(
                [POLICY, "eval", small, "--pack", "production", "--staged", "--no-commands", *quiet]
            ),
            # What a pre-commit hook meets: the index with a file edited since the last run.
            "staged readme": Run(staged, before=partial(_edit_and_stage, edited, "README.md")),
            "staged yaml": Run(
                staged,
                before=partial(_edit_and_stage, edited, "services/svc-00000/k8s/service.yaml"),
            ),
        },
        max(repeat, 5),
    )
    floor = found["floor"][0]
    print(f"  start-up floor: python -c 'import yaml' {floor:.3f} s")
    line("policy --version", found["version"][0], floor, 2.0)
    line("eval --pack production --no-commands (40 files)", found["service"][0], floor, 3.0)
    line("eval --staged, same, 1k files", found["staged"][0], floor, 3.0)
    line("  the same, a README edited and staged", found["staged readme"][0], floor, 3.0)
    line("  the same, a YAML file edited and staged", found["staged yaml"][0], floor, 3.0)

    manifests = str(HERE / "manifests4.yaml")
    goals = {1000: 1.5, 10000: 1.0, 100000: 0.8}
    for size in sizes:
        repo = str(generate(size, REPOS))
        command = [POLICY, "eval", repo, "--pack", manifests, *quiet]
        runs = {
            "floor": Run([PYTHON, str(HERE / "floor.py"), repo]),
            "cold": Run(command, cold=True),
            "first sight": Run(command, first_sight=True),  # after the cold run
        }
        if size == max(sizes):
            runs["warm"] = Run(command)  # follows the cold run, whose caches it reads
            # The same, judging every rule again from the parse cache (no kept verdicts).
            runs["parses"] = Run(command, env=(("RULEPACK_VERDICT_CACHE", "0"),))
            files = [POLICY, "eval", repo, "--pack", str(HERE / "files10.yaml")]
            runs["files"] = Run(files)  # no verdict of its rules kept yet
            runs["files again"] = Run(files)  # reads the verdicts the one before kept
        found = in_turns(runs, repeat)
        floor = found["floor"][0]
        goal = goals.get(size, 1)
        line(f"4 manifest rules, {size:,} files, cold", found["cold"][0], floor, goal)
        line("  the same, engine caches kept (first sight)", found["first sight"][0], floor, goal)
        if "warm" in found:
            line(f"4 manifest rules, {size:,} files, warm", found["warm"][0], floor, 0.3)
            line("  the same, verdicts judged again", found["parses"][0], floor, 0.3)
            peak = found["cold"][1] / 1024
            ok = verdict(peak < 300)
            print(f"  {'peak memory, cold run':<46} {peak:>6.0f} MiB  (target 300 MiB: {ok})")
            for name, what in (
                ("files", f"10 file rules, {size:,} files"),
                ("files again", "  the same again"),
            ):
                files = found[name][0]
                print(f"  {what:<46} {files:>6.2f} s  (target 0.5 s: {verdict(files <= 0.5)})")


def table(sizes: list[int], repeat: int) -> None:
    pack = str(HERE / "pack.yaml")
    print("50-rule pack (benchmarks/pack.yaml), parse cache cold")
    header = f"{'files':>8}  {'floor':>7}  {'worktree':>9}  {'ref HEAD':>9}  {'staged':>7}"
    print(header + "   (seconds; x = multiple of the floor)")
    for size in sizes:
        repo = str(generate(size, REPOS))
        base = [POLICY, "eval", repo, "--pack", pack, "--format", "json", "-o", os.devnull]
        found = in_turns(
            {
                "floor": Run([PYTHON, str(HERE / "floor.py"), repo]),
                "worktree": Run(base, cold=True),
                "ref": Run([*base, "--ref", "HEAD"], cold=True),
                "staged": Run([*base, "--staged"], cold=True),
            },
            repeat,
        )
        floor, worktree, ref, staged = (found[k][0] for k in ("floor", "worktree", "ref", "staged"))
        print(
            f"{size:>8}  {floor:>6.2f}s  {worktree:>6.2f}s {worktree / floor:>3.1f}x"
            f"  {ref:>6.2f}s {ref / floor:>3.1f}x  {staged:>5.2f}s {staged / floor:>3.1f}x"
        )


PARTS: dict[str, Callable[[list[int], int], None]] = {"targets": targets, "table": table}


def main() -> None:
    parser = argparse.ArgumentParser(description="rulepack benchmarks")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=sorted(PARTS))
    parser.add_argument("--policy", help="another `policy` to time (an older build)")
    args = parser.parse_args()
    if args.policy:
        global POLICY
        POLICY = args.policy
    for name, part in PARTS.items():
        if args.only in (None, name):
            part(args.sizes, args.repeat)
            print()


if __name__ == "__main__":
    main()
