"""The attacks of issue 13, run against a real database file with plain SQL; `facetdesk verify` must name each."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from facetdesk.domain.audit import GENESIS_HASH, AuditAction, AuditEntry, canonical_json
from facetdesk.interop.casefile import dump_case
from facetdesk.services.context import build_context
from facetdesk.trust import ca as ca_mod
from facetdesk.trust import keys
from tests import signers
from tests.actors import ADMIN_PHYSICIAN
from tests.builders.cases import make_case
from tests.cli_run import run


def _clinic(tmp_path: Path) -> tuple[Path, int, int]:
    """A database with two procedures of one patient: the first signed (with an addendum), the second not."""
    db = tmp_path / "clinic" / "facetdesk.sqlite3"
    case = make_case().model_copy(update={"prior_procedures": []})
    case_file = tmp_path / "case.json"
    case_file.write_text(dump_case(case), encoding="utf-8")
    assert run("--db", str(db), "import-case", str(case_file)).returncode == 0
    ctx = build_context(f"sqlite:///{db}", drafts_dir=tmp_path / "drafts", actor=ADMIN_PHYSICIAN)
    try:
        (summary,) = ctx.records.list_procedures(1)
        signers.sign(ctx, summary.id)
        signers.add_addendum(ctx, summary.id, "Late entry: the patient tolerated it well.")
        patient, procedure = ctx.records.get_procedure(summary.id)
        second = ctx.records.save_procedure(
            patient.id, procedure.model_copy(update={"id": None, "uid": "second-uid", "signature": None, "addenda": []})
        )
    finally:
        ctx.close()
    clean = run("--db", str(db), "verify")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    return db, summary.id, second.id


def _verify(db: Path):
    result = run("--db", str(db), "verify")
    return result.returncode, result.stdout


def test_setting_signed_by_with_sql_is_reported_as_forged(tmp_path: Path):
    db, _, unsigned = _clinic(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "update procedures set signed_by = 'Dr. Synthetic Signer', signed_at = '2025-01-01 10:00:00' where id = ?",
            (unsigned,),
        )
    code, out = _verify(db)
    assert code == 1
    assert f"FORGED: procedure {unsigned}" in out and "carries no cryptographic signature" in out


def test_a_forged_legacy_entry_does_not_pass(tmp_path: Path):
    db, _, unsigned = _clinic(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "update procedures set signed_by = 'Dr. X', signed_at = '2025-01-01 10:00:00' where id = ?", (unsigned,)
        )
        conn.execute("insert into legacy_signed_procedures (procedure_id) values (?)", (unsigned,))
    code, out = _verify(db)
    assert code == 1 and "legacy signatures" in out and f"FORGED: procedure {unsigned}" in out


def test_import_case_never_creates_a_signature(tmp_path: Path):
    db = tmp_path / "clinic" / "facetdesk.sqlite3"
    case = make_case().model_copy(update={"prior_procedures": []})
    raw = json.loads(dump_case(case))
    raw["procedure"]["signature"] = {"signed_by": "Dr. Never Signed", "signed_at": "2025-01-01T10:00:00"}
    raw["procedure"]["addenda"] = [
        {
            "author": "Dr. Never Signed",
            "written_at": "2025-01-02T10:00:00",
            "text": "Forged addendum",
            "signed_by": "Dr. Never Signed",
            "signed_at": "2025-01-02T10:00:00",
        }
    ]
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(raw), encoding="utf-8")
    result = run("--db", str(db), "import-case", str(forged))
    assert result.returncode == 2
    assert "signature cannot be imported" in result.stderr and "nothing was imported" in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from procedures").fetchone() == (0,)
        assert conn.execute("select count(*) from patients").fetchone() == (0,)


def test_editing_the_identity_behind_the_app_is_reported_and_the_signed_note_keeps_the_signed_name(tmp_path: Path):
    db, signed, _ = _clinic(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("update patients set family_name = 'Otherperson', date_of_birth = '1970-01-01'")
    code, out = _verify(db)
    assert code == 1 and "CHANGED: patient 1: was changed outside FacetDesk" in out
    # What is shown, exported and printed is the PDF that was signed, not a rendering under the new name.
    out_pdf = tmp_path / "note.pdf"
    ctx = build_context(f"sqlite:///{db}", drafts_dir=tmp_path / "drafts", actor=ADMIN_PHYSICIAN)
    try:
        ctx.notes.export_procedure(signed, out_pdf)
    finally:
        ctx.close()
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(out_pdf).pages)
    assert "Testperson" in text and "Otherperson" not in text
    assert "Late entry: the patient tolerated it well." in text


def test_deleting_the_signature_entries_and_rehashing_the_chain_is_detected(tmp_path: Path):
    db, signed, _ = _clinic(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("delete from audit_log where action in ('sign', 'addendum')")
        _rehash(conn)
        conn.execute("delete from signatures")
        conn.execute("update procedures set signed_by = null, signed_at = null where id = ?", (signed,))
        conn.execute("delete from procedure_addenda")
    code, out = _verify(db)
    # The chain holds again and the records match what is left of it, but this workstation remembers the
    # entry its newest signature was recorded in (services.anchors), and it is gone.
    assert code == 1 and "recorded a signature in it, but the audit trail no longer holds it" in out, out


def test_rehashing_the_chain_behind_a_later_signature_is_detected(tmp_path: Path):
    db, _, _ = _clinic(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("delete from audit_log where id = (select min(id) from audit_log where action = 'import')")
        _rehash(conn)
    code, out = _verify(db)
    assert code == 1 and "covers an audit trail that is no longer there" in out, out


def test_a_key_and_certificate_made_outside_the_clinic_ca_do_not_verify(tmp_path: Path):
    """An attacker adds their own key (and a CA of their own) and signs the unsigned procedure with it."""
    db, _, unsigned = _clinic(tmp_path)
    rogue_ca = ca_mod.create_ca("Rogue")
    private = keys.PrivateKeys.generate()
    cert = ca_mod.issue(rogue_ca, "Dr. Synthetic Signer", "dr.synthetic", private.content.public_key())
    with sqlite3.connect(db) as conn:
        (sig_row,) = conn.execute("select envelope, content, pdf from signatures where part = 0").fetchall()
        envelope = json.loads(sig_row[0])
        envelope["key_fingerprint"] = keys.fingerprint(private.content_public())
        body = canonical_json(envelope).encode()
        conn.execute(
            "insert into clinic_cas (certificate, fingerprint, created_at) values (?, ?, '2026-01-01')",
            (ca_mod.der(rogue_ca.certificate), "f" * 64),
        )
        conn.execute(
            "insert into signing_keys (user_id, public_key, pdf_public_key, fingerprint, content_certificate, "
            "pdf_certificate, wrapped, created_at) values (1, ?, ?, ?, ?, ?, ?, '2026-01-01')",
            (private.content_public(), b"x", keys.fingerprint(private.content_public()), ca_mod.der(cert), b"x", b"x"),
        )
        key_id = conn.execute("select max(id) from signing_keys").fetchone()[0]
        conn.execute(
            "update signatures set key_id = ?, envelope = ?, signature = ? where part = 0",
            (key_id, body.decode(), private.content.sign(body)),
        )
    code, out = _verify(db)
    # The rogue CA is listed (its fingerprint is not the clinic's), and the re-signed envelope no longer
    # matches the one in the audit trail.
    assert code == 1 and "is not in the audit log" in out
    assert out.count("Clinic CA certificate SHA-256") == 2


def _rehash(conn: sqlite3.Connection) -> None:
    """What an attacker with the database does after removing entries: re-link and re-hash the rest."""
    rows = conn.execute(
        "select id, at, username, workstation, action, entity, entity_id, fields, detail from audit_log order by id"
    ).fetchall()
    prev = GENESIS_HASH
    for row in rows:
        entry = AuditEntry(
            at=row[1],
            username=row[2],
            workstation=row[3],
            action=AuditAction(row[4]),
            entity=row[5],
            entity_id=row[6],
            fields=tuple(json.loads(row[7])),
            detail=json.loads(row[8]),
        ).chained(prev)
        conn.execute(
            "update audit_log set prev_hash = ?, entry_hash = ? where id = ?",
            (entry.prev_hash, entry.entry_hash, row[0]),
        )
        prev = entry.entry_hash


def test_export_ca_writes_the_certificate_verify_names(tmp_path: Path):
    db, _, _ = _clinic(tmp_path)
    out = tmp_path / "clinic-ca.pem"
    result = run("--db", str(db), "export-ca", "-o", str(out))
    assert result.returncode == 0, result.stderr
    certificate = ca_mod.load_pem(out.read_bytes())
    assert f"Clinic CA certificate SHA-256: {ca_mod.certificate_fingerprint(certificate)}" in _verify(db)[1]
