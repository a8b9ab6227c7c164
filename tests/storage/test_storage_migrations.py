"""Migrations: the hand-checked revisions produce exactly the schema the tables declare."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from facetdesk.domain.settings import ClinicSettings
from facetdesk.storage.db import open_database
from facetdesk.storage.migrate import alembic_config
from facetdesk.storage.patients import get_patient
from facetdesk.storage.repository import get_procedure, save_procedure, sign_procedure
from facetdesk.storage.settings import load_settings
from facetdesk.storage.tables import Base
from facetdesk.storage.textkey import fold
from tests.storage.rev_0002 import REV_0001_ROWS, REV_0002_ROWS


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


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
    # The developer path (python -m facetdesk.storage.migrate_cli) with a plain engine.
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


def _database_at_0001(path) -> None:
    command.upgrade(alembic_config(f"sqlite:///{path}"), "0001")
    with sqlite3.connect(path) as conn:
        for statement in REV_0001_ROWS:
            conn.execute(statement)


def test_database_from_0001_opens_with_procedures_intact(tmp_path):
    path = tmp_path / "old.sqlite3"
    _database_at_0001(path)
    with open_database(f"sqlite:///{path}") as database:
        with database.read() as s:
            patient_id, loaded = get_procedure(s, 1)
            assert s.scalar(sa.text("select version_num from alembic_version")) == _head()
        assert (patient_id, loaded.uid, loaded.version, loaded.notes) == (1, "rev-0001-procedure", 3, "written at 0001")
        assert [str(t) for t in loaded.targets] == ["L4-L5 left"] and loaded.pain_scores[0].nrs == 2
        assert (loaded.mbb_not_possible_reason, loaded.rfa_not_candidate_reason, loaded.overrides) == ("", "", [])
        # The upgraded database takes the new fields like a new one.
        documented = loaded.model_copy(update={"mbb_not_possible_reason": "fusion hardware"})
        with database.transaction() as s:
            assert save_procedure(s, patient_id, documented).version == 4
        with database.read() as s:
            assert get_procedure(s, 1)[1].mbb_not_possible_reason == "fusion hardware"


def test_downgrade_to_0001_keeps_procedure_children_with_foreign_keys_on(tmp_path):
    # A batch rebuild of "procedures" would drop the table, and with foreign keys on,
    # cascade-delete its children; 0002 drops its columns in place instead.
    path = tmp_path / "old.sqlite3"
    _database_at_0001(path)
    engine = sa.create_engine(f"sqlite:///{path}")
    sa.event.listen(engine, "connect", lambda dbapi_conn, _: dbapi_conn.execute("PRAGMA foreign_keys=ON"))
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            conn.rollback()
            config = alembic_config()
            config.attributes["connection"] = conn
            with conn.begin():
                command.upgrade(config, "head")
            with conn.begin():
                command.downgrade(config, "0001")
            counts = [
                conn.exec_driver_sql(f"select count(*) from {t}").scalar() for t in ("procedure_targets", "pain_scores")
            ]
            columns = {c["name"] for c in sa.inspect(conn).get_columns("procedures")}
    finally:
        engine.dispose()
    assert counts == [1, 1]
    assert "mbb_not_possible_reason" not in columns and "rfa_not_candidate_reason" not in columns


# Rows as FacetDesk wrote them at revision 0002 (before the documentation fields and clinic settings).
def _database_at_0002(path) -> None:
    command.upgrade(alembic_config(f"sqlite:///{path}"), "0002")
    with sqlite3.connect(path) as conn:
        for statement in REV_0002_ROWS:
            conn.execute(statement)


def test_database_from_0002_opens_with_procedures_intact(tmp_path):
    path = tmp_path / "old.sqlite3"
    _database_at_0002(path)
    with open_database(f"sqlite:///{path}") as database:
        with database.read() as s:
            patient_id, loaded = get_procedure(s, 1)
            assert s.scalar(sa.text("select version_num from alembic_version")) == _head()
            assert s.scalar(sa.text("select count(*) from clinic_settings")) == 0
            assert load_settings(s) == ClinicSettings()
        assert (patient_id, loaded.uid, loaded.version, loaded.notes) == (1, "rev-0001-procedure", 3, "written at 0001")
        assert [str(t) for t in loaded.targets] == ["L4-L5 left"] and loaded.pain_scores[0].nrs == 2
        assert loaded.diagnoses == ["M47.816"] and loaded.medications[0].site.value == "skin"
        assert (
            loaded.mbb_not_possible_reason == "fusion hardware" and loaded.overrides[0].rule == "ANTICOAGULANT_INTERVAL"
        )
        # The new documentation fields read back empty / unknown.
        assert (loaded.consent_obtained, loaded.time_out_performed, loaded.position, loaded.skin_prep) == (None,) * 4
        assert (loaded.needle, loaded.contrast_spread, loaded.findings, loaded.estimated_blood_loss) == ("",) * 4
        assert loaded.post_procedure_diagnoses == []
        # The upgraded database takes the new fields like a new one.
        documented = loaded.model_copy(
            update={"consent_obtained": True, "findings": "Arthropathy.", "post_procedure_diagnoses": ["M47.817"]}
        )
        with database.transaction() as s:
            assert save_procedure(s, patient_id, documented).version == 4
        with database.read() as s:
            again = get_procedure(s, 1)[1]
        assert (again.consent_obtained, again.findings, again.post_procedure_diagnoses) == (
            True,
            "Arthropathy.",
            ["M47.817"],
        )


def test_downgrade_to_0002_keeps_procedure_children_with_foreign_keys_on(tmp_path):
    path = tmp_path / "old.sqlite3"
    _database_at_0002(path)
    engine = sa.create_engine(f"sqlite:///{path}")
    sa.event.listen(engine, "connect", lambda dbapi_conn, _: dbapi_conn.execute("PRAGMA foreign_keys=ON"))
    tables = ("procedure_targets", "pain_scores", "procedure_diagnoses", "procedure_medications", "procedure_overrides")
    try:
        with engine.connect() as conn:
            conn.rollback()
            config = alembic_config()
            config.attributes["connection"] = conn
            with conn.begin():
                command.upgrade(config, "head")
                conn.exec_driver_sql(
                    "insert into procedure_post_diagnoses (procedure_id, position, code) values (1, 0, 'M47.817')"
                )
            with conn.begin():
                command.downgrade(config, "0002")
            counts = [conn.exec_driver_sql(f"select count(*) from {t}").scalar() for t in tables]
            inspector = sa.inspect(conn)
            columns = {c["name"] for c in inspector.get_columns("procedures")}
            names = set(inspector.get_table_names())
    finally:
        engine.dispose()
    assert counts == [1] * len(tables)
    assert not {"consent_obtained", "position", "findings", "needle"} & columns
    assert "mbb_not_possible_reason" in columns
    assert not {"clinic_settings", "procedure_post_diagnoses"} & names


def test_database_from_0004_opens_unsigned_and_takes_signatures(tmp_path):
    path = tmp_path / "old.sqlite3"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "0004")
    with sqlite3.connect(path) as conn:
        for statement in REV_0002_ROWS:
            conn.execute(statement)
    with open_database(f"sqlite:///{path}") as database:
        with database.read() as s:
            patient_id, loaded = get_procedure(s, 1)
            assert s.scalar(sa.text("select version_num from alembic_version")) == _head()
            assert s.scalar(sa.text("select count(*) from presets")) == 2  # 0004's seed survives
        assert (patient_id, loaded.uid, loaded.version, loaded.notes) == (1, "rev-0001-procedure", 3, "written at 0001")
        assert loaded.medications[0].site.value == "skin" and loaded.overrides[0].rule == "ANTICOAGULANT_INTERVAL"
        # Stored before signing existed: a draft, without addenda, still editable.
        assert (loaded.signature, loaded.addenda) == (None, [])
        with database.transaction() as s:
            assert save_procedure(s, patient_id, loaded.model_copy(update={"findings": "Arthropathy."})).version == 4
            signed = sign_procedure(s, 1, "Dr. Synthetic Example", datetime(2024, 3, 6, 8, 0))
        assert signed.is_signed and signed.findings == "Arthropathy."


def test_downgrade_to_0004_keeps_procedures_and_their_children(tmp_path):
    path = tmp_path / "old.sqlite3"
    config = alembic_config(f"sqlite:///{path}")
    command.upgrade(config, "0004")
    with sqlite3.connect(path) as conn:
        for statement in REV_0002_ROWS:
            conn.execute(statement)
    command.upgrade(config, "head")
    command.downgrade(config, "0004")
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        columns = {r[1] for r in conn.execute("pragma table_info(procedures)")}
        counts = [conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ("procedures", "pain_scores")]
    assert "procedure_addenda" not in tables and not {"signed_by", "signed_at"} & columns
    assert counts == [1, 1]


def test_a_procedure_signed_before_0007_is_listed_as_legacy_and_a_later_forgery_is_not(tmp_path):
    from facetdesk.services.audit import AuditService
    from facetdesk.services.session import WorkSession
    from tests.actors import ADMIN_PHYSICIAN

    path = tmp_path / "old.sqlite3"
    config = alembic_config(f"sqlite:///{path}")
    command.upgrade(config, "0006")
    with sqlite3.connect(path) as conn:
        for statement in REV_0002_ROWS:
            conn.execute(statement)
        conn.execute("update procedures set signed_by = 'Dr. Old Signer', signed_at = '2024-03-06 08:00:00'")
    command.upgrade(config, "head")
    with open_database(f"sqlite:///{path}") as database:
        report = AuditService(database, WorkSession(ADMIN_PHYSICIAN)).verify()
        assert report.ok, report.lines()
        assert report.unhashed == ["procedure 1 (rev-0001-procedure)"]
        assert any("signed before cryptographic signatures (not verifiable)" in line for line in report.lines())
    with sqlite3.connect(path) as conn:
        # Editing the list (here: emptying it) is caught: it no longer matches the digest the upgrade audited.
        conn.execute("delete from legacy_signed_procedures")
    with open_database(f"sqlite:///{path}") as database:
        report = AuditService(database, WorkSession(ADMIN_PHYSICIAN)).verify()
    lines = report.lines()
    assert not report.ok
    assert any(line.startswith("FORGED: legacy signatures") for line in lines), lines
    assert any(line.startswith("FORGED: procedure 1") for line in lines), lines


def test_0018_reads_an_empty_list_as_not_asked_and_a_listed_entry_as_yes(tmp_path):
    """Before 0018 an empty blood-thinner or toxin-elsewhere list could mean "none" or "never asked": it must come
    back as not asked, so the rules ask instead of clearing; a patient with an entry listed has answered yes."""
    path = tmp_path / "old.sqlite3"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "0017")
    with sqlite3.connect(path) as conn:
        for pid, mrn, family in ((1, "MIG-1", "Listed"), (2, "MIG-2", "Empty")):
            conn.execute(
                "insert into patients (id, mrn, family_name, given_name, mrn_key, family_key, given_key, "
                "date_of_birth, sex, version_id, created_at, updated_at) values (?, ?, ?, 'Alex', ?, ?, 'alex', "
                "'1970-01-01', 'female', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
                (pid, mrn, family, fold(mrn), fold(family)),
            )
        conn.execute(
            "insert into patient_anticoagulants (patient_id, position, agent, last_dose_at) "
            "values (1, 0, 'apixaban', '2026-01-01 08:00:00')"
        )
        conn.execute(
            "insert into patient_toxin_elsewhere (patient_id, position, given_on, product, units, indication, "
            "source) values (1, 0, '2025-12-01', 'onabotulinumtoxinA', 155, 'chronic migraine', 'neurology')"
        )
    with open_database(f"sqlite:///{path}") as database:
        with database.read() as s:
            listed, empty = get_patient(s, 1), get_patient(s, 2)
    assert listed is not None and empty is not None
    assert (listed.takes_anticoagulants, [a.agent for a in listed.anticoagulants]) == (True, ["apixaban"])
    assert (listed.had_toxin_elsewhere, [t.units for t in listed.toxin_elsewhere]) == (True, [155])
    assert (empty.takes_anticoagulants, empty.anticoagulants) == (None, [])
    assert (empty.had_toxin_elsewhere, empty.toxin_elsewhere) == (None, [])
