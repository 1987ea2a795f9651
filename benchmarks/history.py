"""Time `policy history --last 50` on a 10k-file repository beside one evaluation.

    python benchmarks/history.py [--size 10000] [--commits 50] [--repeat 3]

The repository is the synthetic monorepo of generate.py, plus COMMITS commits
that each change a few files (two Kubernetes manifests and a source file of
different services), made once under benchmarks/.repos/. Both figures start
with an empty parse cache and an empty store: one is `policy eval --ref HEAD
--no-commands`, the other the history over the last COMMITS commits, which
evaluates every one of them (nothing is stored yet). Target: history costs
well under 5 times one evaluation (a blob unchanged between commits is parsed
once), not COMMITS times.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from run import CACHE, POLICY, Run, in_turns, verdict  # noqa: E402

REPOS = HERE / ".repos"
PACK = str(HERE / "pack.yaml")
TARGET = 5.0


def with_commits(size: int, commits: int) -> Path:
    """A copy of the `size` repository with `commits` more commits (made once)."""
    root = REPOS / f"history-{size}-{commits}"
    if (root / ".git").is_dir():
        return root
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
    subprocess.run([*git, "clone", "-q", str(generate(size, REPOS)), str(root)], check=True)
    services = sorted((root / "services").iterdir())
    for n in range(commits):
        touched = [services[(n * 7 + k) % len(services)] for k in range(3)]
        for k, service in enumerate(touched):
            manifests = sorted(service.glob("k8s/*.yaml")) or sorted(service.rglob("*.yaml"))
            target = manifests[0] if k < 2 and manifests else sorted(service.rglob("*.*"))[0]
            with target.open("a", encoding="utf-8") as out:
                out.write(f"\n# change {n}\n")
        subprocess.run([*git, "commit", "-q", "-a", "-m", f"change {n}"], cwd=root, check=True)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    repo = with_commits(args.size, args.commits)
    store = Path(tempfile.mkdtemp(prefix="rulepack-history-store-"))
    try:
        eval_one = [POLICY, "eval", str(repo), "--pack", PACK, "--ref", "HEAD", "--no-commands"]
        eval_one += ["--format", "json"]
        history = [POLICY, "history", str(repo), "--pack", PACK, "--last", str(args.commits)]
        history += ["--format", "json", "--store"]
        runs = {
            "one": Run(eval_one, cold=True),
            # a new store file each time, so that every commit is evaluated
            "history": Run([*history, f"sqlite:///{store}/results.db"], cold=True),
        }
        times: dict[str, list[float]] = {"one": [], "history": []}
        for _ in range(args.repeat):
            (store / "results.db").unlink(missing_ok=True)
            for name, found in in_turns(runs, 1).items():
                times[name].append(found[0])
        one = sorted(times["one"])[len(times["one"]) // 2]
        many = sorted(times["history"])[len(times["history"]) // 2]
        ratio = many / one
        print(f"repository: {args.size} files, history over the last {args.commits} commits")
        print(f"one evaluation (--ref HEAD, cache cold): {one:7.2f} s")
        print(f"history --last {args.commits} (cache cold, empty store): {many:7.2f} s")
        print(f"ratio {ratio:.2f}x (target under {TARGET:.0f}x): {verdict(ratio < TARGET)}")
    finally:
        shutil.rmtree(store, ignore_errors=True)
        shutil.rmtree(CACHE, ignore_errors=True)


if __name__ == "__main__":
    main()
