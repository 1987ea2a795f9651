"""The floor the benchmark compares against: list the files, parse every YAML file.

A plain script with no rules: `git ls-files`, then PyYAML's C loader over
every .yaml/.yml file. Any policy engine that checks YAML has to do at least
this much, so rulepack's time is reported as a multiple of it.

    python benchmarks/floor.py REPO
"""

from __future__ import annotations

import subprocess
import sys
import time

import yaml


def main() -> None:
    root = sys.argv[1]
    started = time.perf_counter()
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True)
    files = listing.stdout.decode().split("\0")
    documents = 0
    for name in files:
        if name.endswith((".yaml", ".yml")):
            with open(f"{root}/{name}", "rb") as stream:
                documents += sum(1 for _ in yaml.load_all(stream, Loader=yaml.CSafeLoader))
    print(f"{len(files)} files, {documents} YAML documents, {time.perf_counter() - started:.2f}s")


if __name__ == "__main__":
    main()
