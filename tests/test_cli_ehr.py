"""The command line of the EHR interface: `document` writes a signed note's DocumentReference, `outbox --send`
sends what signing queued and lists it without patient names."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from fhir.resources.R4B.documentreference import DocumentReference

from facetdesk.services.context import build_context
from tests import signers
from tests.actors import ADMIN_PHYSICIAN
from tests.builders.records import patient_data, procedure_data
from tests.cli_run import run


def _signed(tmp_path: Path, ehr: dict | None = None) -> tuple[Path, int, bytes, str]:
    db = tmp_path / "facetdesk.sqlite3"
    ctx = build_context(f"sqlite:///{db}", drafts_dir=tmp_path / "drafts", actor=ADMIN_PHYSICIAN)
    try:
        if ehr:
            ctx.settings.save({"ehr": ehr})
        patient = ctx.records.save_patient(patient_data())
        saved = ctx.records.save_procedure(patient.id, procedure_data())
        signed = signers.sign(ctx, saved.id, saved.version)
        from facetdesk.storage.signatures import signed_document

        with ctx.database.read() as session:
            pdf = signed_document(session, signed.id)
    finally:
        ctx.close()
    assert pdf is not None
    return db, signed.id, pdf, patient.family_name


def test_document_writes_the_signed_note_as_a_valid_document_reference(tmp_path):
    db, procedure_id, pdf, _ = _signed(tmp_path)
    out = tmp_path / "doc.json"
    done = run("--db", str(db), "document", str(procedure_id), "-o", str(out))
    assert done.returncode == 0, done.stderr
    raw = json.loads(out.read_text(encoding="utf-8"))
    doc = DocumentReference.model_validate(raw)
    assert doc.type.coding[0].code == "28570-0"
    assert base64.b64decode(raw["content"][0]["attachment"]["data"], validate=True) == pdf
    missing = run("--db", str(db), "document", "999", "-o", str(tmp_path / "none.json"))
    assert missing.returncode == 1 and "999" in missing.stderr and not (tmp_path / "none.json").exists()


def test_outbox_send_delivers_what_signing_queued_and_lists_no_patient(tmp_path):
    folder = tmp_path / "outbox"
    folder.mkdir()
    ehr = {
        "mrn_system": "urn:oid:2.16.840.1.113883.3.999.1",
        "procedure_id_system": "https://ehr.example.org/procedures",
        "mrn_assigning_authority": "SYNTHCLINIC",
        "outbox_folder": str(folder),
        "send_on_signing": True,
    }
    db, _, _, family = _signed(tmp_path, ehr)
    done = run("--db", str(db), "outbox", "--send")
    assert done.returncode == 0, done.stderr
    assert "sent 2, to retry later 0, failed 0" in done.stdout
    assert done.stdout.count("\tsent\t") == 2 and family not in done.stdout
    assert len(list(folder.glob("*.hl7"))) == 1 and len(list(folder.glob("*.json"))) == 1
