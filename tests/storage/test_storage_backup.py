"""Backups and restores of the SQLite database: consistent online copies, refusals, retention, file modes."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from facetdesk.services.backups import DEFAULT_KEEP_BACKUPS, BackupService
from facetdesk.services.context import build_context
from facetdesk.services.session import WorkSession
from facetdesk.storage.backup import BackupError, backup_sqlite, restore_sqlite, sqlite_path_for
from facetdesk.storage.db import open_database
from tests.actors import ADMIN_PHYSICIAN
from tests.builders.records import rich_patient

posix_only = pytest.mark.skipif(os.name != "posix", reason="owner-only file modes are a POSIX feature")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _mrns(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return sorted(row[0] for row in conn.execute("SELECT mrn FROM patients"))
    finally:
        conn.close()


def _save_patients(db_path: Path, *numbers: int) -> None:
    ctx = build_context(str(db_path), actor=ADMIN_PHYSICIAN)
    try:
        for n in numbers:
            ctx.records.save_patient(rich_patient(n))
    finally:
        ctx.close()


def test_backup_while_another_connection_writes_has_the_committed_rows(db, db_path, tmp_path):
    from facetdesk.services.records import RecordService

    RecordService(db, WorkSession(ADMIN_PHYSICIAN)).save_patient(rich_patient(1))
    RecordService(db, WorkSession(ADMIN_PHYSICIAN)).save_patient(rich_patient(2))
    writer = sqlite3.connect(db_path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM patients")  # uncommitted: must not reach the backup
        dest = backup_sqlite(db_path, tmp_path / "out" / "copy.sqlite3")
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    assert _mrns(dest) == ["TEST-00001", "TEST-00002"]
    conn = sqlite3.connect(dest)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()
    assert not list(dest.parent.glob("*-wal")) and not list(dest.parent.glob(".*partial"))
    if os.name == "posix":
        assert _mode(dest) == 0o600
    reopened = open_database(f"sqlite:///{dest}")
    reopened.close()


def test_restore_round_trip_brings_back_only_the_backed_up_state(tmp_path):
    db_path = tmp_path / "data" / "facetdesk.sqlite3"
    _save_patients(db_path, 1)
    backup = backup_sqlite(db_path, tmp_path / "b.sqlite3")
    _save_patients(db_path, 2)
    assert _mrns(db_path) == ["TEST-00001", "TEST-00002"]

    kept = restore_sqlite(backup, db_path)

    ctx = build_context(str(db_path), actor=ADMIN_PHYSICIAN)
    try:
        assert [p.mrn for p in ctx.records.search_patients("")] == ["TEST-00001"]
    finally:
        ctx.close()
    assert kept is not None and kept.name.startswith("facetdesk.sqlite3.before-restore-")
    assert _mrns(kept) == ["TEST-00001", "TEST-00002"]  # the replaced state is kept, with its WAL folded in
    if os.name == "posix":
        assert _mode(db_path) == 0o600


def test_restore_refuses_while_the_database_is_open(db, db_path, tmp_path):
    from facetdesk.services.records import RecordService

    RecordService(db, WorkSession(ADMIN_PHYSICIAN)).save_patient(rich_patient(1))
    backup = backup_sqlite(db_path, tmp_path / "b.sqlite3")
    before = db_path.read_bytes()

    with pytest.raises(BackupError, match="in use"):
        restore_sqlite(backup, db_path)
    assert db_path.read_bytes() == before
    assert not list(db_path.parent.glob("*.before-restore-*"))


def _foreign(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('someone')")
    conn.commit()
    conn.close()
    return path


def _damaged_table(path: Path, source: Path) -> Path:
    """A file that opens and has the right tables, but whose patients table page is broken."""
    conn = sqlite3.connect(source)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'patients'").fetchone()[0]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(source.read_bytes())
    offset = (root - 1) * page
    data[offset + 1 : offset + 8] = b"\x00\x00\x00\x09\x0f\xff\x00"  # cell count and content start out of range
    path.write_bytes(bytes(data))
    return path


def _corrupt(path: Path, source: Path) -> Path:
    data = bytearray(source.read_bytes())
    page = 4096
    # Keep the header (so it still looks like SQLite) and wreck the pages after the schema.
    data[page : len(data)] = b"\xff" * (len(data) - page)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("kind", ["foreign", "corrupt", "damaged-table", "garbage"])
def test_restore_refuses_a_bad_backup_and_leaves_the_database_byte_identical(tmp_path, kind):
    db_path = tmp_path / "data" / "facetdesk.sqlite3"
    _save_patients(db_path, 1, 2)
    good = backup_sqlite(db_path, tmp_path / "good.sqlite3")
    bad = tmp_path / "bad.sqlite3"
    if kind == "foreign":
        _foreign(bad)
    elif kind == "corrupt":
        _corrupt(bad, good)
    elif kind == "damaged-table":
        _damaged_table(bad, good)
    else:
        bad.write_bytes(b"not a database at all " * 100)
    before = {p.name: p.read_bytes() for p in db_path.parent.iterdir()}

    with pytest.raises(BackupError) as err:
        restore_sqlite(bad, db_path)

    assert "FacetDesk database" in str(err.value) or "damaged" in str(err.value)
    assert {p.name: p.read_bytes() for p in db_path.parent.iterdir()} == before


def test_backup_refuses_a_foreign_source_and_postgres_urls(tmp_path):
    with pytest.raises(BackupError, match="not a FacetDesk database"):
        backup_sqlite(_foreign(tmp_path / "other.sqlite3"), tmp_path / "copy.sqlite3")
    assert not (tmp_path / "copy.sqlite3").exists()
    with pytest.raises(BackupError, match="pg_dump"):
        sqlite_path_for("postgresql://u:secret@host/facetdesk")
    with pytest.raises(BackupError, match="no database"):
        backup_sqlite(tmp_path / "missing.sqlite3", tmp_path / "copy.sqlite3")


def test_daily_if_due_makes_one_backup_per_day_and_prune_keeps_the_newest(tmp_path):
    db_path = tmp_path / "data" / "facetdesk.sqlite3"
    _save_patients(db_path, 1)
    service = BackupService(f"sqlite:///{db_path}", tmp_path / "backups", keep=3)
    day = datetime(2024, 3, 1, 8, 0, 0)

    made = [service.daily_if_due(day + timedelta(hours=h)) for h in (0, 5, 23)]
    assert made[0] is not None and made[1:] == [None, None]
    for d in range(1, 6):
        assert service.daily_if_due(day + timedelta(days=d)) is not None

    names = [p.name for p in service.list_backups()]
    assert names == [f"facetdesk-202403{d:02d}-080000.sqlite3.gz" for d in (6, 5, 4)]
    assert service.prune(1) == [service.backup_dir / n for n in names[1:]]
    assert [p.name for p in service.list_backups()] == names[:1]
    assert DEFAULT_KEEP_BACKUPS == 14


def test_backup_now_names_files_by_time_and_keeps_both_within_one_second(tmp_path):
    db_path = tmp_path / "data" / "facetdesk.sqlite3"
    _save_patients(db_path, 1)
    service = BackupService(f"sqlite:///{db_path}")  # default folder, in the test's user data dir
    at = datetime(2024, 5, 6, 7, 8, 9)

    first, second = service.backup_now(at), service.backup_now(at)

    assert first.name == "facetdesk-20240506-070809.sqlite3.gz"
    assert second.name == "facetdesk-20240506-070809-2.sqlite3.gz"
    assert service.list_backups() == [second, first]
    assert first.parent.name == "backups" and "FacetDesk" in str(first.parent)
    if os.name == "posix":
        assert _mode(first.parent) == 0o700
        assert _mode(first) == _mode(second) == 0o600


@posix_only
def test_new_database_file_and_folder_are_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        db_path = tmp_path / "fresh" / "facetdesk.sqlite3"
        database = open_database(f"sqlite:///{db_path}")
        try:
            from facetdesk.services.records import RecordService

            RecordService(database, WorkSession(ADMIN_PHYSICIAN)).save_patient(rich_patient(1))
            assert _mode(db_path.parent) == 0o700
            assert _mode(db_path) == 0o600
            sidecars = [db_path.with_name(db_path.name + s) for s in ("-wal", "-shm")]
            assert any(p.exists() for p in sidecars)
            for p in sidecars:
                if p.exists():
                    assert _mode(p) == 0o600
        finally:
            database.close()
    finally:
        os.umask(old)


@posix_only
def test_existing_folder_mode_is_left_alone(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    open_database(f"sqlite:///{folder / 'facetdesk.sqlite3'}").close()
    assert _mode(folder) == 0o755


def test_startup_backup_runs_once_a_day_and_reports(tmp_path):
    from datetime import datetime, timedelta

    from facetdesk.services.backups import startup_backup
    from facetdesk.services.context import build_context

    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    build_context(url).close()
    backups = tmp_path / "backups"
    day = datetime(2026, 11, 1, 8, 0)
    assert startup_backup(url, backups, day).startswith("Daily backup written: facetdesk-20261101")
    assert startup_backup(url, backups, day + timedelta(hours=3)) == ""
    assert startup_backup(url, backups, day + timedelta(days=1, minutes=1)).startswith("Daily backup written")
    assert len(list(backups.glob("facetdesk-*.sqlite3.gz"))) == 2


def test_startup_backup_skips_a_shared_server_database(tmp_path):
    from facetdesk.services.backups import startup_backup

    assert startup_backup("postgresql+psycopg://user:secret@db.invalid/facetdesk", tmp_path) == ""


def test_a_compressed_backup_is_smaller_private_and_restores_exactly(tmp_path):
    import gzip

    db_path = tmp_path / "data" / "facetdesk.sqlite3"
    _save_patients(db_path, *range(1, 40))
    packed = backup_sqlite(db_path, tmp_path / "b.sqlite3.gz")
    plain = backup_sqlite(db_path, tmp_path / "b.sqlite3")
    assert packed.stat().st_size * 3 < plain.stat().st_size  # several-fold smaller
    assert gzip.decompress(packed.read_bytes())[:16] == b"SQLite format 3\x00"
    if os.name == "posix":
        assert _mode(packed) == 0o600
    _save_patients(db_path, 99)  # a change after the backup, undone by the restore
    kept = restore_sqlite(packed, db_path)
    assert kept is not None and "TEST-00099" in _mrns(kept)
    assert _mrns(db_path) == _mrns(plain)
    assert not list(db_path.parent.glob(".*unpacked*"))  # the unpacked copy is gone


@pytest.mark.parametrize("damage", [b"not gzip at all", "truncated"])
def test_a_damaged_compressed_backup_is_refused_and_nothing_changes(tmp_path, damage):
    db_path = tmp_path / "data" / "facetdesk.sqlite3"
    _save_patients(db_path, 1)
    good = backup_sqlite(db_path, tmp_path / "good.sqlite3.gz")
    bad = tmp_path / "bad.sqlite3.gz"
    bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2] if damage == "truncated" else damage)
    before = db_path.read_bytes()
    with pytest.raises(BackupError, match="not a readable compressed backup|not a FacetDesk database|damaged"):
        restore_sqlite(bad, db_path)
    assert db_path.read_bytes() == before


def test_retention_keeps_the_newest_within_the_size_cap_and_always_one(tmp_path):
    db_path = tmp_path / "data" / "facetdesk.sqlite3"
    _save_patients(db_path, 1)
    service = BackupService(f"sqlite:///{db_path}", tmp_path / "backups", keep=10)
    day = datetime(2024, 3, 1, 8, 0, 0)
    made = [service.backup_now(day + timedelta(days=d)) for d in range(5)]
    size = made[0].stat().st_size
    service.max_bytes = int(size * 2.5)  # room for two
    removed = service.prune()
    assert [p.name for p in service.list_backups()] == [p.name for p in reversed(made[-2:])]
    assert sorted(removed) == sorted(made[:3])
    service.max_bytes = 1  # smaller than any backup: the newest is still kept
    service.prune()
    assert service.list_backups() == [made[-1]]
