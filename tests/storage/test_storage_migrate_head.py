"""Opening a database already at head needs no Alembic; a new or older one is still migrated."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from facetdesk.storage.db import open_database
from facetdesk.storage.migrate import HEAD_REVISION, alembic_config, is_at_head, stored_revisions

REPO = Path(__file__).resolve().parents[2]


def _version(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("select version_num from alembic_version")]


def test_head_revision_is_alembics_head():
    # A new migration must bump HEAD_REVISION, or every start would run Alembic to find nothing to do.
    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD_REVISION]


def test_opening_a_database_at_head_does_not_import_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    open_database(url).close()  # created and migrated here
    code = (
        "import sys\n"
        "from facetdesk.services.context import build_context\n"
        f"ctx = build_context({url!r})\n"
        "assert ctx.accounts.has_accounts() is False\n"
        "ctx.close()\n"
        "print(sorted(m for m in sys.modules if m == 'alembic' or m.startswith('alembic.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=dict(os.environ), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_new_database_is_migrated_to_head(tmp_path):
    path = tmp_path / "new.sqlite3"
    with open_database(f"sqlite:///{path}") as db, db.engine.connect() as conn:
        assert is_at_head(conn)
    assert _version(path) == [HEAD_REVISION]


def test_an_older_database_is_migrated_to_head(tmp_path):
    path = tmp_path / "old.sqlite3"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "0003")
    assert _version(path) == ["0003"]
    with open_database(f"sqlite:///{path}") as db, db.engine.connect() as conn:
        assert stored_revisions(conn) == {HEAD_REVISION}
        assert "users" in sa.inspect(conn).get_table_names()
    assert _version(path) == [HEAD_REVISION]


def test_an_empty_file_has_no_stored_revision(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    try:
        with engine.connect() as conn:
            assert stored_revisions(conn) is None
            assert not is_at_head(conn)
    finally:
        engine.dispose()
