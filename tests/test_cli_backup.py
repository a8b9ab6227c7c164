"""Command line backup and restore, run as a real subprocess: happy paths, confirmation and refusals."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_run import REPO, TIMEOUT


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    from facetdesk.interop.casefile import dump_case
    from tests.builders.cases import make_case

    path = tmp_path / "case.json"
    path.write_text(dump_case(make_case()), encoding="utf-8")
    return path


def run(*args: str, db: Path | str, home: Path):
    env = dict(os.environ)
    env["FACETDESK_DB"] = str(db)
    # The default backup folder lives in the user data dir: keep it inside the test's home.
    env.update(XDG_DATA_HOME=str(home / "data"), HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "facetdesk", *args],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,  # never a TTY: restore must not wait for an answer
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def _patients(db: Path) -> int:
    """Patients in a database or a backup (a compressed backup is unpacked first, as restore does)."""
    if db.name.endswith(".gz"):
        import gzip

        plain = db.with_name(db.name.removesuffix(".gz") + ".unpacked-for-test")
        plain.write_bytes(gzip.decompress(db.read_bytes()))
        db = plain
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM patients").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path: Path, case_file: Path) -> Path:
    path = tmp_path / "clinic" / "facetdesk.sqlite3"
    proc = run("import-case", str(case_file), db=path, home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return path


def test_backup_to_default_folder_and_to_a_chosen_file(tmp_path, db):
    proc = run("backup", db=db, home=tmp_path)

    assert proc.returncode == 0, proc.stderr
    written = Path(proc.stdout.strip().removeprefix("wrote backup "))
    assert written.is_file() and written.parent == tmp_path / "data" / "FacetDesk" / "backups"
    assert written.name.startswith("facetdesk-") and written.name.endswith(".sqlite3.gz")  # compressed by default
    assert _patients(written) == 1
    if os.name == "posix":
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
        assert stat.S_IMODE(written.parent.stat().st_mode) == 0o700

    chosen = tmp_path / "out" / "mine.sqlite3"
    assert run("backup", "-o", str(chosen), db=db, home=tmp_path).returncode == 0
    assert _patients(chosen) == 1
    again = run("backup", "-o", str(chosen), db=db, home=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr and "Traceback" not in again.stderr


def test_restore_needs_yes_without_a_tty_then_restores_and_keeps_the_old_database(tmp_path, db):
    backup = tmp_path / "b.sqlite3"
    assert run("backup", "-o", str(backup), db=db, home=tmp_path).returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM patients")
    conn.commit()
    conn.close()

    refused = run("restore", str(backup), db=db, home=tmp_path)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert _patients(db) == 0

    proc = run("restore", str(backup), "--yes", db=db, home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert _patients(db) == 1
    kept = list(db.parent.glob("facetdesk.sqlite3.before-restore-*"))
    assert len(kept) == 1 and str(kept[0]) in proc.stdout and _patients(kept[0]) == 0


def test_a_compressed_backup_is_written_by_its_name_and_restored(tmp_path, db):
    packed = tmp_path / "b.sqlite3.gz"
    assert run("backup", "-o", str(packed), db=db, home=tmp_path).returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM patients")
    conn.commit()
    conn.close()
    proc = run("restore", str(packed), "--yes", db=db, home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert _patients(db) == 1


def test_restore_of_a_foreign_file_exits_1_and_changes_nothing(tmp_path, db):
    foreign = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    before = db.read_bytes()

    proc = run("restore", str(foreign), "--yes", db=db, home=tmp_path)

    assert proc.returncode == 1
    assert "not a FacetDesk database" in proc.stderr and "Traceback" not in proc.stderr
    assert db.read_bytes() == before
    missing = run("restore", str(tmp_path / "nope.sqlite3"), "--yes", db=db, home=tmp_path)
    assert missing.returncode == 1 and "no backup file" in missing.stderr


def test_backup_of_postgres_url_exits_1_pointing_to_pg_dump(tmp_path):
    proc = run("backup", db="postgresql://user:secret@db.example/facetdesk", home=tmp_path)

    assert proc.returncode == 1
    assert "pg_dump" in proc.stderr and "secret" not in proc.stderr and "Traceback" not in proc.stderr
