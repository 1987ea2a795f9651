"""Command rules behind command conditions, run with --jobs: do they run at once?

    python benchmarks/conditions.py [--jobs 4] [--seconds 1.0] [--repeat 3]

Two packs of `--jobs` rules each do the same work, one program of `--seconds`
per rule, in a small git repository:

- direct:      each rule's check runs the program;
- conditions:  each rule has its own named condition that runs the program
               (`when: {condition: cN}`), and a check that runs `true`.

With `--jobs N` both should take about one program's time: the conditions are
independent, and nothing but their own evaluation should wait for them. The
floor is that time (`--seconds`); the figures are median wall times of the
whole `policy eval`, start-up included, run in turns.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POLICY = str(Path(sys.executable).parent / "policy")

HEAD = """\
apiVersion: rulepack/v1
name: bench-conditions
version: 1.0.0
categories: [{id: c, title: C}]
"""


def pack(jobs: int, seconds: float, conditions: bool) -> str:
    # `: N` makes each program a different check (equal checks are evaluated once)
    if not conditions:
        rules = "".join(
            f"  - {{id: r{i}, title: T, category: c,"
            f" check: {{command: {{shell: 'sleep {seconds}; : {i}'}}}}}}\n"
            for i in range(jobs)
        )
        return HEAD + "rules:\n" + rules
    named = "".join(
        f"  c{i}: {{command: {{shell: 'sleep {seconds}; : {i}'}}}}\n" for i in range(jobs)
    )
    rules = "".join(
        f"  - {{id: r{i}, title: T, category: c, when: {{condition: c{i}}},"
        ' check: {command: {run: ["true"]}}}\n'
        for i in range(jobs)
    )
    return HEAD + "conditions:\n" + named + "rules:\n" + rules


def once(command: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rulepack-bench-") as scratch:
        root = Path(scratch)
        repo = root / "repo"
        repo.mkdir()
        (repo / "README.md").write_text("bench\n")
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        commands = {}
        for name, conditions in (("direct", False), ("conditions", True)):
            pack_file = root / f"{name}.yaml"
            pack_file.write_text(pack(args.jobs, args.seconds, conditions))
            commands[name] = [
                POLICY, "eval", str(repo), "--pack", str(pack_file),
                "--jobs", str(args.jobs), "--format", "json", "-o", "/dev/null",
            ]  # fmt: skip
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, command in commands.items():
                times[name].append(once(command))
    print(f"{args.jobs} rules, one {args.seconds:g} s program each, --jobs {args.jobs}")
    print(f"  floor (one program):      {args.seconds:6.2f} s")
    for name, label in (("direct", "programs in checks"), ("conditions", "programs in conditions")):
        median = statistics.median(times[name])
        print(f"  {label + ':':<25} {median:6.2f} s  ({median / args.seconds:.1f}x the floor)")


if __name__ == "__main__":
    main()
