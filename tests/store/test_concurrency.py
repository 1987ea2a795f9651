"""Two processes writing one store at once (two CI jobs) lose nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from engine.store.database import open_store

#: Records RUNS runs of the report given as a JSON file, as fast as it can.
WRITER = """
import sys
from pathlib import Path
from engine.commits import evaluate_commit
from engine.store.database import open_store
from engine.store.records import Repository, run_record

url, repo, name, runs = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
record = run_record(evaluate_commit(repo, "HEAD"), Repository(name))
print("ready", flush=True)
sys.stdin.readline()  # both start writing together
for _ in range(runs):
    with open_store(url) as store:  # opened each time: opening writes too (migrations)
        store.record(record)
"""

RUNS = 40


def test_two_writers_at_once_both_get_every_run_in(store_url: str, make_repo) -> None:
    repo = make_repo({"README.md": "x"})
    root = Path(__file__).resolve().parents[2]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, store_url, str(repo), name, str(RUNS)],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("job-a", "job-b")
    ]
    for writer in writers:  # each has evaluated; neither has opened the store yet
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        _, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors
    with open_store(store_url) as store:
        runs = store.runs()
    assert sorted({r.id for r in runs if r.id is not None}) == list(range(1, 2 * RUNS + 1))
    assert [r.repository.name for r in runs].count("job-a") == RUNS
    assert [r.repository.name for r in runs].count("job-b") == RUNS
    assert all(len(r.rules) == len(runs[0].rules) > 0 for r in runs)
