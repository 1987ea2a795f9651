"""Each migration step, and stores rulepack must not touch: newer, corrupt, not its own."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.errors import InputError
from engine.store import schema
from engine.store.database import open_store

V1_RUN = {
    "repo_name": "old",
    "repo_url": None,
    "commit": "a" * 40,
    "commit_date": "2024-01-02T03:04:05+00:00",
    "commit_time": 1704164645,
    "snapshot_kind": "ref",
    "ref": "main",
    "tool_version": "0.1.0",
    "packs": [{"name": "production", "version": "1.0.0", "digest": "sha256:" + "0" * 64}],
    "pack_key": "production@sha256:" + "0" * 64,
    "settings": "commands=off",
    "summary": {"score": 50.0, "passed": 1, "by_category": {}, "levels": {}},
    "score": 50.0,
    "recorded_at": "2024-01-02T03:04:05+00:00",
}


def _version(url: str) -> int:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text("SELECT version FROM rulepack_schema")).scalar())
    finally:
        engine.dispose()


def _at_version_1(url: str) -> None:
    """A store as the first released rulepack left it: step 1 only, with one run."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.begin() as connection:
            schema.MIGRATIONS[0](connection)
            connection.execute(sa.text("INSERT INTO rulepack_schema (version) VALUES (1)"))
            runs = sa.Table("runs", sa.MetaData(), autoload_with=connection)
            assert "fleet_run" not in runs.c
            connection.execute(runs.insert().values(V1_RUN))
    finally:
        engine.dispose()


def test_a_new_store_is_created_at_the_current_version(store_url: str) -> None:
    with open_store(store_url) as store:
        assert store.runs() == []
    assert _version(store_url) == schema.VERSION == 2


def test_step_2_adds_fleet_run_and_keeps_every_run(store_url: str) -> None:
    _at_version_1(store_url)
    with open_store(store_url) as store:
        (run,) = store.runs()
    assert _version(store_url) == 2
    assert (run.repository.name, run.commit, run.score, run.fleet_run) == (
        "old",
        "a" * 40,
        50.0,
        None,
    )


def test_a_store_of_a_newer_version_is_refused_and_left_as_it_is(store_url: str) -> None:
    open_store(store_url).close()
    engine = sa.create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE rulepack_schema SET version = 99"))
    engine.dispose()
    before = _file_bytes(store_url)
    with pytest.raises(InputError) as raised:
        open_store(store_url)
    assert str(raised.value) == (
        f"error: store {store_url} was written by a newer rulepack (schema version 99; this one "
        "knows up to 2): upgrade rulepack to use it; the store is left as it is"
    )
    assert _version(store_url) == 99
    assert _file_bytes(store_url) == before


def _file_bytes(url: str) -> bytes | None:
    """The SQLite file's bytes (None for PostgreSQL)."""
    return Path(url.removeprefix("sqlite:///")).read_bytes() if url.startswith("sqlite") else None


def test_a_database_with_another_runs_table_is_not_taken_for_a_store(store_url: str) -> None:
    engine = sa.create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE runs (x INTEGER)"))
    engine.dispose()
    with pytest.raises(InputError) as raised:
        open_store(store_url)
    assert str(raised.value) == (
        f"error: store {store_url}: has a runs table but is not a rulepack store"
    )


def test_a_corrupt_sqlite_file_is_an_input_error_and_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "results.db"
    path.write_bytes(b"this is not a database, but it is long enough to look like one" * 100)
    with pytest.raises(InputError) as raised:
        open_store(f"sqlite:///{path}")
    assert str(raised.value) == (
        f"error: store sqlite:///{path}: not an SQLite database (file is not a database)"
    )
    assert path.read_bytes().startswith(b"this is not a database")
