"""Time `policy eval` on synthetic monorepos beside the floor, and print the figures.

    python benchmarks/run.py [--sizes 1000 10000 100000] [--repeat 3]

For each size it generates the repository once (benchmarks/.repos/, ignored
by git), then takes the median wall time of `repeat` runs of each of these,
run in turns:

- floor:     benchmarks/floor.py (git ls-files + PyYAML's C loader on every YAML file)
- worktree:  policy eval REPO --pack benchmarks/pack.yaml (50 file and manifest rules)
- ref HEAD:  the same with --ref HEAD (read from git objects)
- staged:    the same with --staged (read from the index)

plus `policy --version`, the start-up cost every command pays. Ratios are
against the floor. Run it on a quiet machine: the figures are wall times.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

PYTHON = sys.executable
POLICY = str(Path(sys.executable).parent / "policy")
PACK = str(HERE / "pack.yaml")


def once(command: list[str]) -> float:
    """Wall time of one run of `command`; exit codes 0 and 1 are both verdicts."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return elapsed


def medians(commands: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """Median wall time of each command, taking turns, so that a slow spell of the
    machine slows every command alike instead of skewing one ratio."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            times[name].append(once(command))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description="rulepack benchmarks")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    version = medians({"version": [POLICY, "--version"]}, max(args.repeat, 5))["version"]
    print(f"policy --version: {version * 1000:.0f} ms")
    print()
    header = f"{'files':>8}  {'floor':>7}  {'worktree':>9}  {'ref HEAD':>9}  {'staged':>7}"
    print(header + "   (seconds; x = multiple of the floor)")
    for size in args.sizes:
        repo = str(generate(size, HERE / ".repos"))
        base = [POLICY, "eval", repo, "--pack", PACK, "--format", "json", "-o", "/dev/null"]
        found = medians(
            {
                "floor": [PYTHON, str(HERE / "floor.py"), repo],
                "worktree": base,
                "ref": [*base, "--ref", "HEAD"],
                "staged": [*base, "--staged"],
            },
            args.repeat,
        )
        floor, worktree, ref, staged = (found[k] for k in ("floor", "worktree", "ref", "staged"))
        print(
            f"{size:>8}  {floor:>6.2f}s  {worktree:>6.2f}s {worktree / floor:>3.1f}x"
            f"  {ref:>6.2f}s {ref / floor:>3.1f}x  {staged:>5.2f}s {staged / floor:>3.1f}x"
        )


if __name__ == "__main__":
    main()
