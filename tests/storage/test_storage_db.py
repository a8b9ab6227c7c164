"""Opening databases: URL resolution, pragmas, migrations on open, refusal of foreign files."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from facetdesk.storage import db as dbmod
from facetdesk.storage.db import default_database_url, open_database, resolve_database_url
from facetdesk.storage.errors import DatabaseError
from facetdesk.storage.migrate import alembic_config
from facetdesk.storage.repository import get_patient, save_patient
from facetdesk.storage.tables import Base, PatientRow

EXPECTED_TABLES = set(Base.metadata.tables) | {"alembic_version"}
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_default_url_is_in_user_data_dir(monkeypatch, tmp_path):
    monkeypatch.setattr(dbmod.platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "FacetDesk"))
    assert default_database_url() == "sqlite:///" + (tmp_path / "FacetDesk" / "facetdesk.sqlite3").as_posix()


def test_resolve_prefers_explicit_then_env_then_default(monkeypatch, tmp_path):
    monkeypatch.setenv("FACETDESK_DB", "postgresql+psycopg://clinic@dbhost/facetdesk")
    assert resolve_database_url("sqlite:////x/y.db") == "sqlite:////x/y.db"
    assert resolve_database_url(None) == "postgresql+psycopg://clinic@dbhost/facetdesk"
    monkeypatch.delenv("FACETDESK_DB")
    assert resolve_database_url(None) == default_database_url()


def test_bare_path_becomes_sqlite_url(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert resolve_database_url("sub/clinic.db") == "sqlite:///" + (tmp_path / "sub" / "clinic.db").as_posix()
    monkeypatch.setenv("FACETDESK_DB", str(tmp_path / "env.db"))
    assert resolve_database_url(None) == "sqlite:///" + (tmp_path / "env.db").as_posix()


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}


def test_open_creates_folder_and_tables_and_reopens(db_path, make_patient):
    database = open_database(f"sqlite:///{db_path}")
    with database.transaction() as s:
        saved = save_patient(s, make_patient())
    database.close()
    assert _tables(db_path) == EXPECTED_TABLES
    with open_database(resolve_database_url(str(db_path))) as again:
        with again.read() as s:
            assert get_patient(s, saved.id) == saved
            assert s.scalar(sa.text("select version_num from alembic_version")) == HEAD


@pytest.mark.sqlite_only
def test_sqlite_pragmas_on_every_connection(db):
    with db.engine.connect() as a, db.engine.connect() as b:
        for conn in (a, b):
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_transaction_rolls_back_on_exception(db, make_patient):
    with pytest.raises(RuntimeError), db.transaction() as s:
        save_patient(s, make_patient())
        raise RuntimeError("use case failed halfway")
    with db.read() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(PatientRow)) == 0


def test_read_session_refuses_to_write(db, make_patient):
    with pytest.raises(RuntimeError, match="read-only"), db.read() as s:
        save_patient(s, make_patient())
    with db.read() as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(PatientRow)) == 0


def _refused_unchanged(path: Path, match: str) -> None:
    before = path.read_bytes()
    mtime = os.stat(path).st_mtime_ns
    with pytest.raises(DatabaseError, match=match) as info:
        open_database(f"sqlite:///{path}")
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    assert os.stat(path).st_mtime_ns == mtime


def test_random_bytes_file_is_refused_and_left_byte_identical(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(os.urandom(8192))
    _refused_unchanged(path, "not a FacetDesk database")


def test_text_file_is_refused(tmp_path):
    path = tmp_path / "readme.txt"
    path.write_text("synthetic text, not a database\n" * 200)
    _refused_unchanged(path, "not a FacetDesk database")


def test_other_applications_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table invoices (id integer primary key, total real)")
    _refused_unchanged(path, "not a FacetDesk database")
    assert _tables(path) == {"invoices"}


def test_database_from_newer_version_is_refused(db_path):
    open_database(f"sqlite:///{db_path}").close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("update alembic_version set version_num = '9999'")
    with pytest.raises(DatabaseError, match="newer version of FacetDesk"):
        open_database(f"sqlite:///{db_path}")
    assert _tables(db_path) == EXPECTED_TABLES


def test_directory_and_bad_url_are_refused(tmp_path):
    with pytest.raises(DatabaseError, match="folder"):
        open_database(f"sqlite:///{tmp_path}")
    with pytest.raises(DatabaseError, match="not a database address"):
        open_database("no such scheme://")


def test_folder_that_cannot_be_created_gives_clear_error(tmp_path):
    # A file where the database's folder should be: the folder cannot be made, even by root.
    blocker = tmp_path / "blocker"
    blocker.write_bytes(b"not a folder")
    with pytest.raises(DatabaseError):
        open_database(f"sqlite:///{blocker}/sub/facetdesk.sqlite3")
    assert blocker.read_bytes() == b"not a folder"


def test_database_kind_without_a_driver_is_refused_clearly():
    with pytest.raises(DatabaseError, match="has no driver for postgresql[+]nosuchdriver") as info:
        open_database("postgresql+nosuchdriver://clinic:s3cret-not-shown@dbhost/facetdesk")
    assert "s3cret-not-shown" not in str(info.value)
