"""`facetdesk verify` and `facetdesk add-user` on a real database file, tampered with by raw SQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from facetdesk.interop.casefile import dump_case
from facetdesk.services.context import build_context
from tests import signers
from tests.actors import ADMIN_PHYSICIAN
from tests.builders.cases import make_case
from tests.cli_run import run


def _signed_database(tmp_path: Path) -> Path:
    db = tmp_path / "clinic" / "facetdesk.sqlite3"
    case_file = tmp_path / "case.json"
    case = make_case()
    case_file.write_text(dump_case(case.model_copy(update={"prior_procedures": []})), encoding="utf-8")
    assert run("--db", str(db), "import-case", str(case_file)).returncode == 0
    ctx = build_context(f"sqlite:///{db}", drafts_dir=tmp_path / "drafts", actor=ADMIN_PHYSICIAN)
    try:
        (summary,) = ctx.records.list_procedures(1)
        signers.sign(ctx, summary.id, ctx.records.get_procedure(summary.id)[1].version)
    finally:
        ctx.close()
    return db


def test_verify_passes_then_names_the_procedure_changed_behind_the_app(tmp_path: Path):
    db = _signed_database(tmp_path)
    clean = run("--db", str(db), "verify")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Signed procedures: 1 checked" in clean.stdout
    assert "Everything checked is as it was written." in clean.stdout

    with sqlite3.connect(db) as conn:
        conn.execute("update procedure_medications set volume_ml = volume_ml * 10")
    tampered = run("--db", str(db), "verify")
    assert tampered.returncode == 1
    assert "CHANGED: procedure 1" in tampered.stdout and "content differs from what was signed" in tampered.stdout


def test_the_import_is_in_the_audit_log_under_the_os_account(tmp_path: Path):
    db = _signed_database(tmp_path)
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select username, action, entity from audit_log order by id").fetchall()
    assert rows[0][1:] == ("import", "patient") and rows[0][0].startswith("os:")
    assert rows[-1] == ("dr.synthetic", "sign", "procedure")


def test_add_user_reads_the_password_from_stdin_and_the_first_is_admin(tmp_path: Path):
    db = tmp_path / "clinic" / "facetdesk.sqlite3"
    first = run(
        "--db",
        str(db),
        "add-user",
        "dr.first",
        "--name",
        "Dr. First",
        "--role",
        "physician",
        "--password-stdin",
        input="first password\n",
    )
    assert first.returncode == 0, first.stderr
    assert "added dr.first (Dr. First, physician, administrator)" in first.stdout
    short = run(
        "--db", str(db), "add-user", "rn.x", "--name", "RN X", "--role", "nurse", "--password-stdin", input="short\n"
    )
    assert short.returncode == 2 and "password" in short.stderr.lower() and "at least 8 characters" in short.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select username, role, is_admin from users").fetchall() == [("dr.first", "physician", 1)]
