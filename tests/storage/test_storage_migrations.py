"""Migrations: the hand-checked revisions produce exactly the schema the tables declare."""

from __future__ import annotations

import sqlite3

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from facetdesk.storage.migrate import alembic_config
from facetdesk.storage.tables import Base


def test_migrated_schema_matches_metadata(db):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_single_head_and_current(db):
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == tuple(script.get_heads())


def test_downgrade_and_upgrade_round_trip(tmp_path):
    # The developer path (python -m facetdesk.storage.migrate) with a plain engine.
    path = tmp_path / "scratch.sqlite3"
    config = alembic_config(f"sqlite:///{path}")
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("select name from sqlite_master where type='table'")] == ["alembic_version"]
    command.upgrade(config, "head")


def test_offline_sql_for_postgresql(capsys):
    # A DBA can review the PostgreSQL DDL without a server.
    command.upgrade(alembic_config("postgresql+psycopg://reviewer@localhost/facetdesk"), "head", sql=True)
    sql = capsys.readouterr().out
    assert "CREATE TABLE procedures" in sql
    assert 'COLLATE "C"' in sql
