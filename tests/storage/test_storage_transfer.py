"""Copying a workstation's SQLite database into an unused PostgreSQL database: exact, all or nothing, refusals."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from facetdesk.services.context import build_context
from facetdesk.storage import transfer
from facetdesk.storage.db import open_database
from facetdesk.storage.migrate import alembic_config
from facetdesk.storage.transfer import Copied, TransferError, copy_all, open_source, open_target
from tests.actors import ADMIN_PHYSICIAN
from tests.services.transfer_clinic import build_clinic, empty_server_database, table_rows, tables
from tests.storage.rev_0002 import REV_0002_ROWS

__all__ = ["empty_server_database"]  # a fixture, used by name

SERVER = "postgresql+psycopg://facetdesk:s3cret-pw@127.0.0.1:1/facetdesk"


def move(source_url: str, target_url: str) -> Copied:
    with open_source(source_url) as source:
        target = open_target(target_url)
        try:
            with source.database.engine.connect() as reading, reading.begin(), target.transaction() as session:
                return copy_all(reading, session.connection())
        finally:
            target.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_in(folder: Path) -> dict[str, str]:
    """The files of ``folder`` and their digests, leaving out SQLite's own sidecars of a file in WAL mode.

    A reader of a WAL database needs its -shm index (and an empty -wal), which a read-only connection
    cannot remove on closing; the next FacetDesk to open and close the file removes them.
    """
    found = {p.name: digest(p) for p in folder.iterdir() if p.is_file()}
    for name in [n for n in found if n.endswith("-shm")]:
        del found[name]
    empty = hashlib.sha256(b"").hexdigest()
    return {name: d for name, d in found.items() if not (name.endswith("-wal") and d == empty)}


@pytest.fixture
def clinic(tmp_path: Path):
    return build_clinic(tmp_path / "workstation" / "facetdesk.sqlite3")


# ---- the copy ----------------------------------------------------------------------------------------------------


@pytest.mark.postgresql
def test_every_row_of_every_table_arrives_exactly_and_new_ids_follow(clinic, empty_server_database, monkeypatch):
    monkeypatch.setattr(transfer, "BATCH_ROWS", 2)  # several batches per table, one row at a time for the PDFs
    before = files_in(clinic.path.parent)
    source_rows = table_rows(clinic.url)
    assert all(source_rows.values()), f"tables the test leaves empty: {[n for n, r in source_rows.items() if not r]}"

    copied = move(clinic.url, empty_server_database)

    assert copied.rows == {name: len(rows) for name, rows in source_rows.items()}
    assert list(copied.rows) == [t.name for t in tables()]  # parents before children
    # Equal as Python values: datetimes to the microsecond, booleans, floats, the PDF and logo bytes, JSON text.
    assert table_rows(empty_server_database) == source_rows
    assert files_in(clinic.path.parent) == before, "the workstation's file was changed"
    engine = sa.create_engine(empty_server_database)
    try:
        with engine.begin() as conn:
            for table in tables():
                (column,) = table.primary_key.columns if len(table.primary_key.columns) == 1 else (None,)
                if column is None or column.autoincrement is False:
                    continue  # numbered by FacetDesk (positions, the settings row, a signed note's procedure)
                sequence = conn.scalar(sa.select(sa.func.pg_get_serial_sequence(table.name, column.name)))
                assert sequence, f"{table.name}.{column.name} has no sequence"
                highest = conn.scalar(sa.select(sa.func.max(column)))
                assert conn.scalar(sa.select(sa.func.nextval(sequence))) == highest + 1, table.name
    finally:
        engine.dispose()


@pytest.mark.postgresql
def test_a_server_database_with_records_is_refused_and_left_as_it_was(clinic, empty_server_database):
    with _ctx(empty_server_database) as ctx:
        ctx.records.save_patient(
            {"mrn": "SRV-1", "family_name": "Server", "given_name": "Sam", "date_of_birth": "1970-01-01", "sex": "male"}
        )
    before = table_rows(empty_server_database)

    with pytest.raises(TransferError) as refused:
        move(clinic.url, empty_server_database)

    message = str(refused.value)
    assert "already holds FacetDesk records" in message and "never merges into or replaces" in message
    assert "patients" in message and "nothing was changed" in message
    assert table_rows(empty_server_database) == before


@pytest.mark.postgresql
def test_changed_example_presets_count_as_the_clinics_data(clinic, empty_server_database):
    open_database(empty_server_database).close()  # created and seeded by the migrations, as a first start does
    engine = sa.create_engine(empty_server_database)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("update preset_medications set volume_ml = 0.4 where position = 0"))
    finally:
        engine.dispose()
    before = table_rows(empty_server_database)

    with pytest.raises(TransferError, match=r"already holds FacetDesk records \(in presets\)"):
        move(clinic.url, empty_server_database)
    assert table_rows(empty_server_database) == before


@pytest.mark.postgresql
def test_a_server_database_opened_once_but_unused_takes_the_move(clinic, empty_server_database):
    open_database(empty_server_database).close()  # a workstation started on it, nobody signed in: only the examples
    move(clinic.url, empty_server_database)
    assert table_rows(empty_server_database) == table_rows(clinic.url)


@pytest.mark.postgresql
def test_a_workstation_writing_to_the_server_meanwhile_is_waited_for_then_refused(
    clinic, empty_server_database, monkeypatch
):
    monkeypatch.setattr(transfer, "_LOCK_TIMEOUT", "200ms")
    open_database(empty_server_database).close()
    engine = sa.create_engine(empty_server_database)
    try:
        with engine.connect() as other, other.begin():  # another workstation in the middle of a save
            other.exec_driver_sql("LOCK TABLE patients IN ROW EXCLUSIVE MODE")
            with pytest.raises(TransferError, match="being written to by FacetDesk on another workstation"):
                move(clinic.url, empty_server_database)
    finally:
        engine.dispose()
    move(clinic.url, empty_server_database)  # once it is done, the move goes through
    assert table_rows(empty_server_database) == table_rows(clinic.url)


@pytest.mark.postgresql
def test_a_row_the_server_refuses_undoes_the_whole_copy(clinic, empty_server_database):
    with sqlite3.connect(clinic.path) as conn:  # SQLite keeps what a VARCHAR(100) cannot hold; PostgreSQL will not
        conn.execute("update procedures set physician = ? where id = ?", ("D" * 101, clinic.procedure_ids[-1]))
    open_database(empty_server_database).close()
    before = table_rows(empty_server_database)

    with pytest.raises(TransferError) as failed:
        move(clinic.url, empty_server_database)

    assert "refused the rows of procedures" in str(failed.value) and "nothing was changed" in str(failed.value)
    assert "D" * 101 not in str(failed.value)
    # Patients and the audit trail went in before procedures, and went again with the rollback.
    assert table_rows(empty_server_database) == before
    with sqlite3.connect(clinic.path) as conn:
        conn.execute(
            "update procedures set physician = 'Dr. Synthetic Example' where id = ?", (clinic.procedure_ids[-1],)
        )
    move(clinic.url, empty_server_database)  # still unused, so the next try goes through
    assert table_rows(empty_server_database) == table_rows(clinic.url)


@pytest.mark.postgresql
def test_a_file_from_an_older_facetdesk_is_upgraded_in_a_copy_and_left_as_it_was(tmp_path, empty_server_database):
    path = tmp_path / "old" / "facetdesk.sqlite3"
    path.parent.mkdir()
    command.upgrade(alembic_config(f"sqlite:///{path}"), "0004")
    with sqlite3.connect(path) as conn:
        for statement in REV_0002_ROWS:
            conn.execute(statement)
    before = files_in(path.parent)

    with open_source(f"sqlite:///{path}") as source:
        assert source.upgraded and source.path == path
    copied = move(f"sqlite:///{path}", empty_server_database)

    assert files_in(path.parent) == before
    assert copied.rows["procedures"] == 1 and copied.rows["presets"] == 2
    with _ctx(empty_server_database) as ctx:
        patient, procedure = ctx.records.get_procedure(1)
        assert (procedure.uid, procedure.notes, procedure.version) == ("rev-0001-procedure", "written at 0001", 3)


# ---- refused before anything is touched (no server needed) -------------------------------------------------------


def test_a_file_of_another_program_is_refused_and_left_as_it_was(tmp_path):
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("create table invoices (id integer primary key, total real)")
        conn.execute("insert into invoices values (1, 12.5)")
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x07" * 400)
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    for path in (other, damaged, empty):
        before = files_in(tmp_path)
        with pytest.raises(TransferError, match="is not a FacetDesk database") as refused:
            move(f"sqlite:///{path}", SERVER)
        assert str(path) in str(refused.value) and "s3cret" not in str(refused.value)
        assert files_in(tmp_path) == before


def test_a_missing_file_is_refused_and_not_created(tmp_path):
    missing = tmp_path / "nowhere" / "facetdesk.sqlite3"
    with pytest.raises(TransferError, match="There is no database file at"):
        move(f"sqlite:///{missing}", SERVER)
    assert not missing.parent.exists()


def test_a_file_from_a_newer_facetdesk_is_refused(clinic):
    with sqlite3.connect(clinic.path) as conn:
        conn.execute("update alembic_version set version_num = '9999'")
    with pytest.raises(TransferError, match="written by a newer version of FacetDesk"):
        move(clinic.url, SERVER)


def test_a_column_this_facetdesk_does_not_know_is_refused_rather_than_left_behind(clinic):
    with sqlite3.connect(clinic.path) as conn:
        conn.execute("alter table patients add column nickname text")
    with pytest.raises(TransferError, match=r"tables or columns this FacetDesk does not know \(patients\)"):
        move(clinic.url, SERVER)


def test_the_source_must_be_a_workstation_file_and_the_target_a_postgresql_database(clinic, tmp_path):
    with pytest.raises(TransferError, match="give the file with --from") as refused:
        move(SERVER, SERVER)
    assert "s3cret" not in str(refused.value)
    with pytest.raises(TransferError, match="database file on disk"):
        move("sqlite://", SERVER)
    with pytest.raises(TransferError, match="only into a PostgreSQL database"):
        move(clinic.url, f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    assert not (tmp_path / "copy.sqlite3").exists()
    with pytest.raises(TransferError, match="server address is not one FacetDesk understands") as garbled:
        move(clinic.url, "postgresql://facetdesk:s3cret-pw@host:notaport/db")
    assert "s3cret" not in str(garbled.value)


def _ctx(url: str):
    return closing(build_context(url, actor=ADMIN_PHYSICIAN))
