"""The store tests run against both SQLite and PostgreSQL (`store_url`)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.store.postgres import Server, server_programs, start_server

_databases = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """One throwaway server per test process; skipped, saying why, without PostgreSQL."""
    if server_programs() is None:
        pytest.skip(
            "PostgreSQL is not installed (initdb and pg_ctl not found): .ci/run installs it"
        )
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty store of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'results.db'}"
    server: Server = request.getfixturevalue("postgres_server")
    return server.create_database(f"store_{next(_databases)}")
