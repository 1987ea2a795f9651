"""Opening a store, recording runs and reading them back.

SQLite (the default) is opened in WAL mode and every write takes the write lock
at its start (`BEGIN IMMEDIATE`), waiting while another process holds it and
trying again if SQLite still reports the file busy: two CI jobs writing one
store at once both get their runs in. PostgreSQL stores migrate under an
advisory lock, so two first runs do not both create the tables.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from engine.errors import InputError
from engine.store import schema
from engine.store.records import PackDigest, Repository, RuleRecord, RunRecord
from engine.store.urls import default_url, shown, sqlite_path, store_url

T = TypeVar("T")

#: How long one write waits for another process's (seconds), and how often it tries again.
BUSY_TIMEOUT = 30.0
WRITE_TRIES = 5
#: Any number of ours: PostgreSQL's lock that serializes migrations.
_MIGRATION_LOCK = 7_271_014


class Store:
    """An open results store (use `open_store`); close it, or use it as a context."""

    def __init__(self, engine: sa.Engine, url: str) -> None:
        self.engine = engine
        self.url = url

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------

    def record(self, run: RunRecord) -> int:
        """Record one run (and its rules); returns its id."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        row = {
            "repo_name": run.repository.name,
            "repo_url": run.repository.url,
            "commit": run.commit,
            "commit_date": run.commit_date.isoformat() if run.commit_date else None,
            "commit_time": int(run.commit_date.timestamp()) if run.commit_date else None,
            "snapshot_kind": run.snapshot_kind,
            "ref": run.ref,
            "tool_version": run.tool_version,
            "packs": [
                {"name": p.name, "version": p.version, "digest": p.digest, "levels": list(p.levels)}
                for p in run.packs
            ],
            "pack_key": run.pack_key,
            "settings": run.settings,
            "summary": run.summary,
            "score": run.score,
            "recorded_at": now,
            "fleet_run": run.fleet_run,
        }
        rules = [
            {
                "position": position,
                "pack": r.pack,
                "rule": r.rule,
                "category": r.category,
                "status": r.status,
                "findings": r.findings,
            }
            for position, r in enumerate(run.rules)
        ]

        def insert(connection: sa.Connection) -> int:
            inserted = connection.execute(
                schema.runs.insert().values(row).returning(schema.runs.c.id)
            )
            run_id = int(inserted.scalar_one())
            if rules:
                connection.execute(
                    schema.rule_results.insert(), [{"run_id": run_id, **r} for r in rules]
                )
            return run_id

        return writing(self.engine, self.url, insert)

    # -- reading ---------------------------------------------------------------------

    def runs(
        self,
        repository: str | None = None,
        pack: str | None = None,
        fleet_run: str | None = None,
        commit: str | None = None,
    ) -> list[RunRecord]:
        """Recorded runs, oldest commit first (then in the order they were recorded):
        of one repository, with one pack among its packs, of one fleet run, of one commit."""
        runs = schema.runs
        query = sa.select(runs).order_by(
            runs.c.commit_time.is_(None), runs.c.commit_time, runs.c.id
        )
        if repository is not None:
            query = query.where(runs.c.repo_name == repository)
        if fleet_run is not None:
            query = query.where(runs.c.fleet_run == fleet_run)
        if commit is not None:
            query = query.where(runs.c.commit == commit)
        with self._reading() as connection:
            rows = connection.execute(query).mappings().all()
            found = [_run_from(row) for row in rows]
            if pack is not None:
                found = [run for run in found if any(p.name == pack for p in run.packs)]
            rules = _rules_of(connection, [run.id for run in found if run.id is not None])
        return [_with_rules(run, rules.get(run.id or 0, ())) for run in found]

    def reusable(
        self, repository: str, commit: str, pack_key: str, settings: str
    ) -> RunRecord | None:
        """The latest run of `commit` judged statically by the same packs under the same
        settings, if one is recorded."""
        found = [
            run
            for run in self.runs(repository=repository, commit=commit)
            if run.pack_key == pack_key and run.settings == settings and run.snapshot_kind == "ref"
        ]
        return found[-1] if found else None

    def repositories(self) -> list[str]:
        """The names of the repositories with recorded runs, sorted."""
        query = sa.select(schema.runs.c.repo_name).distinct().order_by(schema.runs.c.repo_name)
        with self._reading() as connection:
            return [str(name) for name in connection.execute(query).scalars()]

    @contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        try:
            with self.engine.connect() as connection:
                yield connection
        except sa.exc.DBAPIError as exc:
            raise _unusable(self.url, exc) from None


def _run_from(row: Any) -> RunRecord:
    return RunRecord(
        repository=Repository(row["repo_name"], row["repo_url"]),
        commit=row["commit"],
        commit_date=datetime.fromisoformat(row["commit_date"]) if row["commit_date"] else None,
        snapshot_kind=row["snapshot_kind"],
        ref=row["ref"],
        tool_version=row["tool_version"],
        packs=tuple(
            PackDigest(p["name"], p["version"], p["digest"], tuple(p.get("levels", ())))
            for p in row["packs"]
        ),
        summary=dict(row["summary"]),
        rules=(),
        fleet_run=row["fleet_run"],
        settings=row["settings"],
        id=int(row["id"]),
        recorded_at=datetime.fromisoformat(row["recorded_at"]),
    )


def _rules_of(connection: sa.Connection, run_ids: Sequence[int]) -> dict[int, list[RuleRecord]]:
    """The rules of each run, in the order they were recorded (report order)."""
    table = schema.rule_results
    found: dict[int, list[RuleRecord]] = {}
    for start in range(0, len(run_ids), 500):  # bound the parameters of one query
        chunk = run_ids[start : start + 500]
        query = sa.select(table).where(table.c.run_id.in_(chunk)).order_by(table.c.position)
        for row in connection.execute(query).mappings():
            record = RuleRecord(
                row["pack"], row["rule"], row["category"], row["status"], row["findings"]
            )
            found.setdefault(int(row["run_id"]), []).append(record)
    return found


def _with_rules(run: RunRecord, rules: Sequence[RuleRecord]) -> RunRecord:
    from dataclasses import replace

    return replace(run, rules=tuple(rules))


# -- opening ------------------------------------------------------------------------------


def open_store(url: str | None = None) -> Store:
    """Open (creating or migrating) the store `url` names; None: RULEPACK_STORE, else the
    default SQLite file. InputError, naming the store, when it cannot be used."""
    url = store_url(url)
    default = url == default_url()
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url, create_folder=default)
    else:
        engine = _postgresql_engine(url)
    try:
        migrate(engine, url)
        if engine.dialect.name == "sqlite":
            _use_wal(engine, url)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, url)


def _sqlite_engine(url: str, *, create_folder: bool) -> sa.Engine:
    path = sqlite_path(url)
    if path is not None:
        _check_sqlite_file(url, path, create_folder)
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT})

    @sa.event.listens_for(engine, "connect")
    def _connected(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions begin as `begin` says below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        # the write lock at once: a read that later wants to write could not wait for it
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _check_sqlite_file(url: str, path: Path, create_folder: bool) -> None:
    """InputError when the SQLite file cannot be created or written."""
    folder = path.parent
    if create_folder:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"store {url}: cannot create the folder {folder}: {exc.strerror}"
            ) from None
    if path.is_dir():
        raise InputError(f"store {url}: {path} is a folder")
    if not folder.is_dir():
        raise InputError(f"store {url}: there is no folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):  # SQLite writes its journal beside the file
        raise InputError(f"store {url}: the folder {folder} is not writable")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise InputError(f"store {url}: {path} is not writable")


def _postgresql_engine(url: str) -> sa.Engine:
    rest = url.partition("://")[2]
    try:
        import psycopg  # noqa: F401  (only to say what to install when it is missing)
    except ImportError:
        raise InputError(
            f"store {shown(url)}: PostgreSQL stores need psycopg 3: "
            "pip install 'rulepack[postgres]'"
        ) from None
    return sa.create_engine(f"postgresql+psycopg://{rest}", connect_args={"connect_timeout": 10})


def _use_wal(engine: sa.Engine, url: str) -> None:
    """Put an SQLite store in WAL mode (kept in the file): readers never block the writer."""
    for attempt in range(WRITE_TRIES):
        connection = engine.raw_connection()
        try:
            connection.cursor().execute("PRAGMA journal_mode = WAL")
            return
        except Exception as exc:
            if attempt == WRITE_TRIES - 1 or not _busy(exc):
                raise _unusable(url, exc) from None
        finally:
            connection.close()
        time.sleep(0.1 * (attempt + 1))


def writing(engine: sa.Engine, url: str, work: Callable[[sa.Connection], T]) -> T:
    """`work` in a write transaction, done again while SQLite reports the store busy."""
    for attempt in range(WRITE_TRIES):
        try:
            with engine.begin() as connection:
                return work(connection)
        except sa.exc.OperationalError as exc:
            if attempt == WRITE_TRIES - 1 or not _busy(exc):
                raise _unusable(url, exc) from None
        except sa.exc.DBAPIError as exc:
            raise _unusable(url, exc) from None
        time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable: the last try returns or raises")


def _busy(exc: BaseException) -> bool:
    text = str(exc)
    return "database is locked" in text or "database is busy" in text


def migrate(engine: sa.Engine, url: str) -> None:
    """Bring the store to `schema.VERSION`, in one transaction; InputError for a store of
    a newer version (left as it is) or a database that is not a rulepack store."""
    writing(engine, url, partial(_migrate, url=url))


def _migrate(connection: sa.Connection, url: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
    version = stored_version(connection, url)
    if version > schema.VERSION:
        raise InputError(
            f"store {shown(url)} was written by a newer rulepack (schema version {version}; "
            f"this one knows up to {schema.VERSION}): upgrade rulepack to use it; "
            "the store is left as it is"
        )
    for step in schema.MIGRATIONS[version:]:
        step(connection)
    if version == 0:
        connection.execute(schema.schema_table.insert().values(version=schema.VERSION))
    elif version < schema.VERSION:
        connection.execute(schema.schema_table.update().values(version=schema.VERSION))


def stored_version(connection: sa.Connection, url: str) -> int:
    """The schema version of the store (0: empty, nothing created yet)."""
    tables = set(sa.inspect(connection).get_table_names())
    if "rulepack_schema" not in tables:
        if "runs" in tables:
            raise InputError(f"store {shown(url)}: has a runs table but is not a rulepack store")
        return 0
    found = connection.execute(sa.select(schema.schema_table.c.version)).scalar()
    if not isinstance(found, int):
        raise InputError(f"store {shown(url)}: its schema version is missing")
    return found


def _unusable(url: str, exc: BaseException) -> InputError:
    """The one-line error of a store that cannot be opened or used."""
    cause = getattr(exc, "orig", None) or exc
    reason = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    if "file is not a database" in reason:
        return InputError(f"store {shown(url)}: not an SQLite database (file is not a database)")
    if url.startswith("postgresql"):
        return InputError(f"store {shown(url)}: cannot use the PostgreSQL server: {reason}")
    return InputError(f"store {shown(url)}: {reason}")
