"""The store's tables, and the ordered steps that bring a store to the current schema.

A store records its schema version in `rulepack_schema`. Opening a store runs, in one
transaction, every step above its version; a store of a newer version than `VERSION`
is refused and never altered. Each step builds its own tables, as they were at its
version, so that changing the current tables below never changes what an old step did.
A step is added, never edited, once released; tests/store/test_schema.py tests each.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

metadata = sa.MetaData()

#: One row: the version of the schema the store is at.
schema_table = sa.Table(
    "rulepack_schema",
    metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

#: One row per recorded run.
runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("repo_name", sa.String(200), nullable=False),
    sa.Column("repo_url", sa.Text, nullable=True),
    sa.Column("commit", sa.String(64), nullable=True),
    # ISO 8601 with the committer's offset (as shown), and seconds since 1970 (to sort by)
    sa.Column("commit_date", sa.String(40), nullable=True),
    sa.Column("commit_time", sa.BigInteger, nullable=True),
    sa.Column("snapshot_kind", sa.String(20), nullable=False),
    sa.Column("ref", sa.Text, nullable=True),
    sa.Column("tool_version", sa.String(40), nullable=False),
    sa.Column("packs", sa.JSON, nullable=False),  # [{name, version, digest}, ...]
    sa.Column("pack_key", sa.Text, nullable=False),  # the packs' names and digests, in order
    # the options that change results besides the packs and the commit (commands, params,
    # selection): runs are reused only when these are the same
    sa.Column("settings", sa.Text, nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("recorded_at", sa.String(40), nullable=False),  # ISO 8601, UTC
    sa.Column("fleet_run", sa.String(100), nullable=True),  # since version 2
)

#: One row per rule of a recorded run.
rule_results = sa.Table(
    "rule_results",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),  # the rule's place in the report
    sa.Column("pack", sa.String(200), nullable=False),
    sa.Column("rule", sa.String(200), nullable=False),
    sa.Column("category", sa.String(200), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("findings", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("run_id", "pack", "rule"),
)


def _create_v1(connection: sa.Connection) -> None:
    """Version 1: the schema row, runs (without fleet_run) and rule_results."""
    tables = sa.MetaData()
    sa.Table("rulepack_schema", tables, sa.Column("version", sa.Integer, nullable=False))
    v1_runs = sa.Table(
        "runs",
        tables,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("repo_name", sa.String(200), nullable=False),
        sa.Column("repo_url", sa.Text, nullable=True),
        sa.Column("commit", sa.String(64), nullable=True),
        sa.Column("commit_date", sa.String(40), nullable=True),
        sa.Column("commit_time", sa.BigInteger, nullable=True),
        sa.Column("snapshot_kind", sa.String(20), nullable=False),
        sa.Column("ref", sa.Text, nullable=True),
        sa.Column("tool_version", sa.String(40), nullable=False),
        sa.Column("packs", sa.JSON, nullable=False),
        sa.Column("pack_key", sa.Text, nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("recorded_at", sa.String(40), nullable=False),
    )
    sa.Index("runs_by_commit", v1_runs.c.repo_name, v1_runs.c.commit)
    sa.Table(
        "rule_results",
        tables,
        sa.Column(
            "run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("pack", sa.String(200), nullable=False),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("category", sa.String(200), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("findings", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "pack", "rule"),
    )
    tables.create_all(connection)


def _add_fleet_run(connection: sa.Connection) -> None:
    """Version 2: runs.fleet_run tags the runs of one `policy fleet` run (NULL otherwise)."""
    connection.execute(sa.text("ALTER TABLE runs ADD COLUMN fleet_run VARCHAR(100)"))
    connection.execute(sa.text("CREATE INDEX runs_by_fleet_run ON runs (fleet_run)"))


#: The steps, in order: step i brings a store from version i to version i + 1.
MIGRATIONS: tuple[Callable[[sa.Connection], None], ...] = (_create_v1, _add_fleet_run)
#: The schema version this rulepack writes.
VERSION = len(MIGRATIONS)
