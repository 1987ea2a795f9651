"""Recording runs and reading them back, in SQLite and in PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from engine.commits import evaluate_commit
from engine.errors import InputError
from engine.snapshots.gitrepo import commit_date
from engine.store.database import open_store
from engine.store.records import Repository, repository_of, run_record
from tests.conftest import git

README_ONLY = {"README.md": "# x\n"}


def test_a_recorded_run_reads_back_as_it_was_recorded(store_url: str, make_repo) -> None:
    repo = make_repo(README_ONLY)
    report = evaluate_commit(repo, "HEAD")
    commit = report.snapshot.commit
    assert commit is not None
    record = run_record(
        report, Repository("payments", "git@host:team/payments.git"), commit_date(repo, commit)
    )
    with open_store(store_url) as store:
        run_id = store.record(record)
        (found,) = store.runs()
    assert found.id == run_id
    assert found == replace(record, id=run_id)
    assert found.commit == commit and found.snapshot_kind == "ref"
    assert found.packs[0].name == "production"
    assert found.packs[0].digest == report.packs[0].digest
    assert found.summary["score"] == report.summary.overall.score
    assert found.summary["passed"] == report.summary.overall.passed
    statuses = {(r.rule, r.status) for r in found.rules}
    assert statuses == {(r.rule, r.status) for r in report.results}
    assert len(found.rules) == len(report.results)


def test_runs_are_kept_across_openings_and_filtered_by_repository_and_fleet_run(
    store_url: str, make_repo
) -> None:
    report = evaluate_commit(make_repo(README_ONLY), "HEAD")
    with open_store(store_url) as store:
        store.record(run_record(report, Repository("a")))
        store.record(run_record(report, Repository("b"), fleet_run="f1"))
    with open_store(store_url) as store:
        assert [r.repository.name for r in store.runs()] == ["a", "b"]
        assert [r.repository.name for r in store.runs(repository="b")] == ["b"]
        assert [r.fleet_run for r in store.runs(fleet_run="f1")] == ["f1"]
        assert store.runs(pack="testing") == []
        assert store.repositories() == ["a", "b"]


def test_a_run_is_reusable_only_for_the_same_commit_packs_and_settings(
    store_url: str, make_repo
) -> None:
    repo = make_repo(README_ONLY)
    report = evaluate_commit(repo, "HEAD")
    record = run_record(report, Repository("a"), settings="commands=off")
    commit = report.snapshot.commit
    assert commit is not None
    with open_store(store_url) as store:
        store.record(record)
        assert store.reusable("a", commit, record.pack_key, "commands=off") is not None
        assert store.reusable("a", commit, record.pack_key, "commands=on") is None
        assert store.reusable("a", commit, "production@sha256:other", "commands=off") is None
        assert store.reusable("b", commit, record.pack_key, "commands=off") is None


def test_a_repository_is_named_by_its_remote_else_by_its_folder(make_repo) -> None:
    repo = make_repo(README_ONLY)
    assert repository_of(repo) == Repository(repo.name, None)
    git(repo, "remote", "add", "upstream", "https://example.invalid/team/other.git")
    git(repo, "remote", "add", "origin", "git@example.invalid:team/payments.git")
    assert repository_of(repo) == Repository("payments", "git@example.invalid:team/payments.git")


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://example.invalid/team/payments/", "payments"),
        ("/srv/mirrors/billing.git", "billing"),
        ("git@example.invalid:ledger.git", "ledger"),
    ],
)
def test_a_repository_is_named_after_the_last_part_of_its_remote(make_repo, url, name) -> None:
    repo = make_repo(README_ONLY)
    git(repo, "remote", "add", "origin", url)
    assert repository_of(repo) == Repository(name, url)


def test_the_commit_date_keeps_the_committers_offset(make_repo) -> None:
    repo = make_repo(README_ONLY)
    git(repo, "commit", "-q", "--allow-empty", "-m", "later", "--date", "2024-05-06T07:08:09+02:00")
    env_date = git(repo, "log", "-1", "--format=%cI").strip()
    assert commit_date(repo, "HEAD") == datetime.fromisoformat(env_date)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "mysql://u@h/db",
            "--store mysql://u@h/db: unknown store URL scheme 'mysql'; "
            "use sqlite:///PATH or postgresql://USER@HOST/DATABASE",
        ),
        (
            "results.db",
            "--store results.db: unknown store URL scheme '(none)'; "
            "use sqlite:///PATH or postgresql://USER@HOST/DATABASE",
        ),
    ],
)
def test_an_unknown_scheme_is_an_input_error(url: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        open_store(url)
    assert str(raised.value) == f"error: {message}"


def test_a_password_in_the_url_is_never_shown(tmp_path: Path) -> None:
    url = f"postgresql://me:secret@/db?host={tmp_path}"  # no server listens there
    with pytest.raises(InputError) as raised:
        open_store(url)
    assert "secret" not in str(raised.value)
    assert str(raised.value).startswith(
        f"error: store postgresql://me:***@/db?host={tmp_path}: cannot use the PostgreSQL server: "
    )
