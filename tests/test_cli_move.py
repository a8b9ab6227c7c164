"""`facetdesk move-to-server`, run as a real subprocess: the move, its summary, its refusals, no password shown."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from facetdesk.storage.migrate import VERSION_TABLE
from facetdesk.storage.tables import Base
from tests.cli_run import run
from tests.services.transfer_clinic import build_clinic, empty_server_database

__all__ = ["empty_server_database"]  # a fixture, used by name


def _password_free(text: str, url: str) -> None:
    password = make_url(url).password
    if password:
        assert f":{password}@" not in text, "the password was printed"


@pytest.mark.postgresql
def test_move_to_server_copies_verifies_and_says_what_next(tmp_path: Path, empty_server_database: str):
    clinic = build_clinic(tmp_path / "workstation" / "facetdesk.sqlite3")
    before = hashlib.sha256(clinic.path.read_bytes()).hexdigest()

    moved = run("move-to-server", empty_server_database, db=clinic.path)  # the source as FACETDESK_DB names it

    assert moved.returncode == 0, moved.stdout + moved.stderr
    out = moved.stdout
    assert "copied 3 patients, 3 procedures, 2 signatures, 1 addendum, 2 accounts, 2 presets, " in out
    tables = len([t for t in Base.metadata.sorted_tables if t.name != VERSION_TABLE])
    assert "audit entries (" in out and f" rows in {tables} tables) to postgresql+psycopg://" in out
    assert "verify: OK (checked on the server: audit trail of " in out
    assert "2 signed procedure(s) with 1 addenda" in out
    assert "Next: point every workstation at the server" in out and f"Keep {clinic.path} as a backup" in out
    assert "  procedures: 3 rows" in moved.stderr  # progress, table by table
    _password_free(out + moved.stderr, empty_server_database)
    assert hashlib.sha256(clinic.path.read_bytes()).hexdigest() == before

    checked = run("--db", empty_server_database, "verify")
    assert checked.returncode == 0 and "Everything checked is as it was written." in checked.stdout

    again = run("move-to-server", empty_server_database, "--from", str(clinic.path))
    assert again.returncode == 1
    assert "already holds FacetDesk records" in again.stderr and "never merges" in again.stderr
    _password_free(again.stdout + again.stderr, empty_server_database)


@pytest.mark.postgresql
def test_move_to_server_exits_1_when_the_copy_does_not_verify(tmp_path: Path, empty_server_database: str):
    clinic = build_clinic(tmp_path / "workstation" / "facetdesk.sqlite3", patients=1)
    with sqlite3.connect(clinic.path) as conn:
        conn.execute("update audit_log set workstation = 'elsewhere' where id = 1")

    moved = run("--db", str(clinic.path), "move-to-server", empty_server_database)

    assert moved.returncode == 1
    assert "verify: FAILED on the server" in moved.stdout and "CHANGED: audit entry 1" in moved.stdout
    assert "predate the move" in moved.stdout and "Next:" not in moved.stdout


def test_move_to_server_refuses_a_file_that_is_not_facetdesks_without_showing_the_password(tmp_path: Path):
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("create table invoices (id integer primary key)")
    server = "postgresql://facetdesk:s3cret-pw@127.0.0.1:1/facetdesk"

    refused = run("move-to-server", server, "--from", str(other))

    assert refused.returncode == 1
    assert f"facetdesk: The file {other} is not a FacetDesk database. Nothing was moved." in refused.stderr
    assert "s3cret" not in refused.stdout + refused.stderr

    missing = run("move-to-server", server, "--from", str(tmp_path / "none.sqlite3"))
    assert missing.returncode == 1 and "There is no database file at" in missing.stderr
    assert not (tmp_path / "none.sqlite3").exists()


def test_move_to_server_help_says_what_it_does():
    helped = run("move-to-server", "--help")
    assert helped.returncode == 0
    assert "unused" in helped.stdout and "all or nothing" in helped.stdout and "--from FILE" in helped.stdout
