"""`policy history`: each first-parent commit judged from git objects, recorded, reused."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from engine.resources import schema_path
from engine.store.database import open_store
from tests.conftest import git, write_files

PACK = """\
apiVersion: rulepack/v1
name: team
version: 1.0.0
categories:
  - {id: docs, title: Docs}
  - {id: deploy, title: Deploy}
levels:
  - {id: bronze, title: Bronze}
  - {id: silver, title: Silver}
rules:
  - {id: readme, title: R, category: docs, check: {file: {exists: [README.md]}}}
  - id: license
    title: L
    category: docs
    level: silver
    check: {file: {exists: [LICENSE]}}
  - {id: docker, title: D, category: deploy, check: {file: {exists: [Dockerfile]}}}
  - {id: builds, title: B, category: deploy, check: {command: {run: ["true"]}}}
"""


def commit(repo: Path, files: dict[str, str | None], day: str, message: str = "c") -> str:
    """Commit `files` (None removes one) on `day` (committer and author date); its id."""
    for name, content in files.items():
        if content is None:
            (repo / name).unlink()
        else:
            write_files(repo, {name: content})
    git(repo, "add", "-A")
    when = f"{day}T12:00:00+00:00"
    env = {**os.environ, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}
    done = subprocess.run(
        ["git", "commit", "-q", "--allow-empty", "-m", message], cwd=repo, env=env, check=True
    )
    assert done.returncode == 0
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def three_commits(tmp_path: Path) -> tuple[Path, list[str]]:
    """A repository of three commits: README, then LICENSE, then Dockerfile (oldest first)."""
    repo = tmp_path / "service"
    repo.mkdir()
    git(repo, "init", "-q")
    ids = [
        commit(repo, {"README.md": "x"}, "2024-03-01"),
        commit(repo, {"LICENSE": "MIT"}, "2024-03-02"),
        commit(repo, {"Dockerfile": "FROM x"}, "2024-03-03"),
    ]
    return repo, ids


@pytest.fixture
def pack_file(write_pack) -> Path:
    return write_pack(PACK)


def history(policy, repo: Path, pack: Path, store: str, *args: str):
    done = policy("history", repo, "--pack", pack, "--store", store, "--format", "json", *args)
    data = json.loads(done.stdout) if done.exit_code == 0 else None
    if data is not None:
        schema = json.loads(schema_path("history").read_text(encoding="utf-8"))
        Draft202012Validator(schema).validate(data)
    return done, data


def test_each_commit_is_judged_newest_first_with_its_score_level_and_changes(
    policy, three_commits, pack_file, store_url
) -> None:
    repo, ids = three_commits
    done, data = history(policy, repo, pack_file, store_url)
    assert done.exit_code == 0, done.stderr
    assert done.stderr == "policy: 3 commit(s) evaluated, 0 reused from the store\n"
    assert data["repository"] == {"name": "service", "url": None}
    assert data["branch"] == "HEAD"
    assert data["levels"] == {"team": ["bronze", "silver"]}
    commits = data["commits"]
    assert [c["commit"] for c in commits] == ids[::-1]
    assert [c["date"] for c in commits] == [f"2024-03-0{d}T12:00:00+00:00" for d in (3, 2, 1)]
    # builds runs a program: history never does, so it is skipped and counts in no score
    assert [c["score"] for c in commits] == [100.0, 66.67, 33.33]
    # bronze needs readme and docker; silver, license too
    assert [c["levels"] for c in commits] == [{"team": "silver"}, {"team": None}, {"team": None}]
    assert [c["counts"]["skipped"] for c in commits] == [1, 1, 1]
    assert [c["by_category"]["deploy"]["score"] for c in commits] == [100.0, 0.0, 0.0]
    assert [c["changed"] for c in commits] == [
        [{"pack": "team", "rule": "docker", "from": "fail", "to": "pass"}],
        [{"pack": "team", "rule": "license", "from": "fail", "to": "pass"}],
        [],
    ]
    assert [c["reused"] for c in commits] == [False, False, False]
    with open_store(store_url) as store:
        runs = store.runs(repository="service")
    assert [r.commit for r in runs] == ids
    assert {r.settings for r in runs} == {"commands=off"}
    assert [r.status for r in runs[0].rules] == ["pass", "fail", "fail", "skip"]


def test_stored_runs_are_reused_until_the_packs_digest_changes(
    policy, three_commits, pack_file, store_url
) -> None:
    repo, _ = three_commits
    first = history(policy, repo, pack_file, store_url)[1]
    done, again = history(policy, repo, pack_file, store_url)
    assert done.stderr == "policy: 0 commit(s) evaluated, 3 reused from the store\n"
    assert [c["reused"] for c in again["commits"]] == [True, True, True]
    for entry in (first, again):
        for point in entry["commits"]:
            point.pop("reused")
    assert again == first
    commit(repo, {"README.md": None}, "2024-03-04")  # one new commit: only it is evaluated
    done = history(policy, repo, pack_file, store_url)[0]
    assert done.stderr == "policy: 1 commit(s) evaluated, 3 reused from the store\n"
    pack_file.write_text(PACK.replace("title: R", "title: Readme"))  # another digest
    done = history(policy, repo, pack_file, store_url)[0]
    assert done.stderr == "policy: 4 commit(s) evaluated, 0 reused from the store\n"
    with open_store(store_url) as store:
        assert len(store.runs()) == 3 + 1 + 4


def test_last_since_and_branch_choose_the_commits(
    policy, three_commits, pack_file, tmp_path: Path
) -> None:
    repo, ids = three_commits
    store = f"sqlite:///{tmp_path / 'r.db'}"
    assert [
        c["commit"] for c in history(policy, repo, pack_file, store, "--last", "2")[1]["commits"]
    ] == ids[:0:-1]
    since = history(policy, repo, pack_file, store, "--since", "2024-03-02")[1]
    assert [c["commit"] for c in since["commits"]] == ids[:0:-1]  # that day included
    git(repo, "branch", "old", ids[0])
    old = history(policy, repo, pack_file, store, "--branch", "old")[1]
    assert (old["branch"], [c["commit"] for c in old["commits"]]) == ("old", ids[:1])
    assert old["notes"] == ["the branch has one commit: there is no trend yet"]


def test_only_the_first_parent_line_is_judged(policy, three_commits, pack_file, tmp_path) -> None:
    repo, ids = three_commits
    git(repo, "checkout", "-q", "-b", "side", ids[1])
    side = commit(repo, {"side.txt": "x"}, "2024-03-04")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge", "side")
    merge = git(repo, "rev-parse", "HEAD").strip()
    data = history(policy, repo, pack_file, f"sqlite:///{tmp_path / 'r.db'}")[1]
    assert [c["commit"] for c in data["commits"]] == [merge, *ids[::-1]]
    assert side not in [c["commit"] for c in data["commits"]]


def test_a_shallow_clone_stops_the_history_where_it_does_and_says_so(
    policy, three_commits, pack_file, tmp_path: Path
) -> None:
    repo, ids = three_commits
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", repo.as_uri(), str(clone))
    done, data = history(policy, clone, pack_file, f"sqlite:///{tmp_path / 'r.db'}")
    assert done.exit_code == 0
    note = (
        f"history stops at {ids[1][:12]}, where the shallow clone does "
        "(git fetch --unshallow for the commits before it)"
    )
    assert [c["commit"] for c in data["commits"]] == ids[:0:-1]
    assert data["notes"] == [note]
    assert done.stderr.splitlines()[0] == f"policy: note: {note}"


def test_a_commit_whose_config_is_broken_is_left_out_and_the_others_go_on(
    policy, three_commits, tmp_path: Path
) -> None:
    repo, ids = three_commits
    broken = commit(repo, {".rulepack.yaml": "packs: [nope-no-such-pack]\n"}, "2024-03-04")
    fixed = commit(repo, {".rulepack.yaml": None}, "2024-03-05")
    done = policy("history", repo, "--store", f"sqlite:///{tmp_path / 'r.db'}", "--format", "json")
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    assert [c["commit"] for c in data["commits"]] == [fixed, *ids[::-1]]
    (note,) = data["notes"]
    assert note == (
        f"commit {broken[:12]} left out: .rulepack.yaml:1:9: error: unknown pack "
        "'nope-no-such-pack' (available: common, oss, production, testing)"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--branch", "nope"], "policy: error: --branch nope: unknown ref in {repo}"),
        (
            ["--since", "2024-02-30"],
            "Error: Invalid value for '--since': '2024-02-30' is not a date (YYYY-MM-DD)",
        ),
        (
            ["--last", "2", "--since", "2024-01-01"],
            "policy: error: --last and --since cannot be used together",
        ),
        (
            ["--since", "2030-01-01"],
            "policy: error: --since 2030-01-01: HEAD has no commit on or after that day",
        ),
        (
            ["--store", "mysql://h/db"],
            "policy: error: --store mysql://h/db: unknown store URL scheme 'mysql'; "
            "use sqlite:///PATH or postgresql://USER@HOST/DATABASE",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(policy, three_commits, pack_file, args, message) -> None:
    repo, _ = three_commits
    done = policy("history", repo, "--pack", pack_file, *args)
    assert done.exit_code == 2
    assert done.stderr.splitlines()[-1] == message.format(repo=repo)
    assert "Traceback" not in done.stderr


def test_outside_git_and_without_commits_are_input_errors(policy, make_repo, tmp_path) -> None:
    plain = make_repo({"a": "x"}, git_init=False)
    done = policy("history", plain)
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: --branch: {plain} is not inside a git repository\n",
    )
    empty = make_repo(commit=False)
    done = policy("history", empty)
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: {empty}: the repository has no commits yet\n",
    )


def test_stores_that_cannot_be_used_are_input_errors_and_keep_what_they_hold(
    policy, three_commits, pack_file, tmp_path: Path
) -> None:
    repo, _ = three_commits
    missing = tmp_path / "no" / "such" / "r.db"
    done = policy("history", repo, "--pack", pack_file, "--store", f"sqlite:///{missing}")
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: store sqlite:///{missing}: there is no folder {missing.parent}\n",
    )
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"not a database at all " * 200)
    done = policy("history", repo, "--pack", pack_file, "--store", f"sqlite:///{corrupt}")
    assert (done.exit_code, done.stderr) == (
        2,
        f"policy: error: store sqlite:///{corrupt}: not an SQLite database "
        "(file is not a database)\n",
    )
    assert corrupt.read_bytes() == b"not a database at all " * 200
    nowhere = f"postgresql://me@/db?host={tmp_path}"  # no server listens there
    done = policy("history", repo, "--pack", pack_file, "--store", nowhere)
    assert done.exit_code == 2
    assert done.stderr.startswith(
        f"policy: error: store {nowhere}: cannot use the PostgreSQL server: "
    )
    assert done.stderr.count("\n") == 1


def test_the_default_store_is_in_the_user_data_folder(policy, three_commits, pack_file) -> None:
    repo, ids = three_commits
    done = policy("history", repo, "--pack", pack_file, "--last", "1")
    assert done.exit_code == 0, done.stderr
    with open_store(f"sqlite:///{Path(os.environ['RULEPACK_DATA_DIR']) / 'results.db'}") as store:
        assert [r.commit for r in store.runs()] == ids[-1:]
    other = Path(os.environ["RULEPACK_DATA_DIR"]) / "other.db"
    done = policy(
        "history",
        repo,
        "--pack",
        pack_file,
        "--last",
        "1",
        env={"RULEPACK_STORE": f"sqlite:///{other}"},
    )
    assert done.exit_code == 0 and other.is_file()


def test_the_table_shows_each_commit_and_a_sparkline_per_category(
    policy, three_commits, pack_file, tmp_path: Path
) -> None:
    repo, ids = three_commits
    done = policy("history", repo, "--pack", pack_file, "--store", f"sqlite:///{tmp_path / 'r.db'}")
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "History of service (HEAD): 3 commits"
    rows = [
        line for line in lines if ids[0][:12] in line or ids[1][:12] in line or ids[2][:12] in line
    ]
    assert [row.split("│")[:6] for row in rows] == [
        ["2024-03-03 12:00 ", f" {ids[2][:12]} ", " 100.00 ", " silver ", "      3 ", "      0 "],
        ["2024-03-02 12:00 ", f" {ids[1][:12]} ", "  66.67 ", " none   ", "      2 ", "      1 "],
        ["2024-03-01 12:00 ", f" {ids[0][:12]} ", "  33.33 ", " none   ", "      1 ", "      2 "],
    ]
    assert "docker fail→pass" in rows[0] and "license fail→pass" in rows[1]
    assert "Score, oldest to newest: ▃▆█" in lines
    assert "  docs    ▅██  100.00" in lines
    assert "  deploy  ▁▁█  100.00" in lines


def test_a_terminal_gets_a_progress_bar_over_the_commits(
    policy_exe, three_commits, pack_file, tmp_path: Path
) -> None:
    import pty

    repo, _ = three_commits
    leader, follower = pty.openpty()  # stderr is a terminal; stdout goes to a file
    out = tmp_path / "out.json"
    command = [policy_exe, "history", str(repo), "--pack", str(pack_file), "--format", "json"]
    command += ["--store", f"sqlite:///{tmp_path / 'r.db'}", "-o", str(out)]
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm"}
    done = subprocess.run(command, stderr=follower, env=env, timeout=120)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: all was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 0
    text = shown.decode("utf-8", "replace")
    assert "history" in text and "3/3" in text and "ETA" in text
    assert "policy: 3 commit(s) evaluated, 0 reused from the store" in text
    assert len(json.loads(out.read_text())["commits"]) == 3
