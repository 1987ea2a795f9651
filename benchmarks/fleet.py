"""Time `policy fleet` over 200 synthetic repositories with 1 and 2 Dask workers.

    python benchmarks/fleet.py [--repositories 200] [--repeat 3]

The repositories come from generate.py at small sizes (40 to 200 files, in
turns), under benchmarks/.repos/fleet/ (ignored by git), listed in a
REPOS.yaml with five owners and two tags. Each run evaluates benchmarks/pack.yaml
(50 file and manifest rules) at HEAD of every repository, on a local cluster of
N worker processes, recording into a throwaway results store. The figures are
the median wall time of the whole command (cluster start-up included),
repositories per second, and the speed-up of 2 workers over 1.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

POLICY = str(Path(sys.executable).parent / "policy")
PACK = str(HERE / "pack.yaml")
SIZES = (40, 80, 120, 160, 200)
OWNERS = ("@payments", "@search", "@platform", "@identity", "@data")


def fleet_file(count: int, out: Path) -> Path:
    """REPOS.yaml of `count` generated repositories (made once)."""
    lines = []
    for i in range(count):
        root = generate(SIZES[i % len(SIZES)], out / f"r{i:03d}")
        tags = "[backend]" if i % 2 else "[backend, public]"
        lines.append(f"- {{name: r{i:03d}, path: {root}, owner: '{OWNERS[i % 5]}', tags: {tags}}}")
    path = out / "REPOS.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def once(repos: Path, workers: int, folder: Path) -> float:
    env = {**os.environ, "RULEPACK_DATA_DIR": str(folder), "RULEPACK_CACHE_DIR": str(folder)}
    command = [POLICY, "fleet", str(repos), "--pack", PACK, "--workers", str(workers)]
    command += ["--format", "json", "-o", os.devnull]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    took = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"policy fleet failed ({done.returncode}): {done.stderr}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repositories", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    repos = fleet_file(args.repositories, HERE / ".repos" / "fleet")
    times: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.repeat):
            for workers in times:  # in turns, so that a busy moment hits both
                times[workers].append(once(repos, workers, Path(folder)))
    medians = {workers: statistics.median(found) for workers, found in times.items()}
    for workers, took in medians.items():
        rate = args.repositories / took
        print(f"{workers} worker(s): {took:6.2f} s  {rate:6.1f} repositories/s")
    print(f"speed-up of 2 workers over 1: {medians[1] / medians[2]:.2f}x")


if __name__ == "__main__":
    main()
