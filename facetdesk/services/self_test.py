"""The installed app's self-test, the part without Qt: a synthetic record in a fresh database, signed and verified.

`facetdesk self-test` (facetdesk/self_test.py) runs these steps on a new database in a temporary folder, so an
installer's build, or a clinic's IT after installing, sees that the app finds everything it loads at run time
(migrations, catalogues and thresholds, fonts, the PDF, signature, DICOM and FHIR libraries, the PostgreSQL driver)
without touching anyone's data. Every value below is synthetic and no clinical figure: the record is a test
fixture, never a patient.
"""

from __future__ import annotations

import io
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from facetdesk.services.context import AppContext

ACCOUNT = {"username": "selftest", "display_name": "Dr. Self Test"}
# The family name is what the self-test looks for in the note's text.
FAMILY_NAME = "Selftest"
PATIENT: dict[str, object] = {
    "mrn": "SELFTEST-0001",
    "family_name": FAMILY_NAME,
    "given_name": "Synthetic",
    "date_of_birth": date(1970, 1, 1),
    "sex": "female",
    # Screened as at a real visit: an empty list would read as "not asked" and lengthen the note with questions.
    "allergies": ["NKDA"],
    "takes_anticoagulants": False,
}
PROCEDURE: dict[str, object] = {
    "performed_at": datetime(2024, 1, 1, 9, 0),
    "physician": "Dr. Self Test",
    "technique": "medial_branch_block",
    "intent": "diagnostic_first",
    "guidance": "fluoroscopy",
    "targets": [{"level": "L4-L5", "side": "left"}],
    # Printed in the note's Notes: every script needs the bundled fallback faces, Devanagari HarfBuzz shaping,
    # Arabic and Hebrew the bidi and reshaping libraries, all loaded only for such text and easy to leave out.
    "notes": "Self-test text in every script: आशा (Devanagari), سلام (Arabic), שלום (Hebrew), 测试 (Chinese), "
    "시험 (Korean).",
}
IMAGE_ENTRY = {"view": "ap", "level": "L4-L5", "caption": "self-test image"}
ACKNOWLEDGEMENT = "Self-test of the installed app on a synthetic record"


class SelfTestFailed(Exception):
    """A step of the self-test found the app incomplete; the message says which and why."""


@dataclass(frozen=True)
class SeededRecord:
    password: str
    patient_id: int
    procedure_id: int
    family_name: str


def seed_record(ctx: AppContext) -> SeededRecord:
    """The first account (signed in), a synthetic patient and procedure with a DICOM image printed on its note."""
    password = secrets.token_urlsafe(18)  # never shown: the temporary database is deleted afterwards
    ctx.accounts.create_first_account(ACCOUNT, password)
    ctx.accounts.sign_in(ACCOUNT["username"], password)
    patient = ctx.records.save_patient(PATIENT)
    assert patient.id is not None
    procedure = ctx.records.save_procedure(patient.id, PROCEDURE)
    assert procedure.id is not None
    ctx.images.attach(procedure.id, synthetic_dicom(), IMAGE_ENTRY)
    ctx.settings.save({"note_images": True})  # only this setting: applied to the settings as stored
    return SeededRecord(password, patient.id, procedure.id, FAMILY_NAME)


def synthetic_dicom(
    size: tuple[int, int] = (64, 96), photometric: str = "MONOCHROME2", header: dict[str, str] | None = None
) -> bytes:
    """A one-frame XA DICOM file (a bright bar, the needle, on a gradient; 12 bits stored), read back by the app as
    a C-arm's would be. ``header``: further DICOM attributes by keyword (the tests put a synthetic identity there,
    to see that none of it leaves FacetDesk); the self-test's own image has none."""
    import numpy as np
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

    rows, cols = size
    pixels = np.tile(np.linspace(200, 3000, cols, dtype=np.uint16), (rows, 1))
    pixels[:, cols // 2 - 2 : cols // 2 + 2] = 4000
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID("1.2.840.10008.5.1.4.1.1.12.1")  # DICOM's X-Ray Angiographic Image Storage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "XA"
    for keyword, value in (header or {}).items():
        setattr(ds, keyword, value)
    ds.Rows, ds.Columns = rows, cols
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
    ds.PixelRepresentation = 0
    ds.PixelData = pixels.tobytes()
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def sign_and_verify(ctx: AppContext, record: SeededRecord) -> list[str]:
    """Sign the procedure (its findings acknowledged), check the signed PDF and the audit trail; what passed."""
    unprintable = ctx.notes.render_procedure_note(record.procedure_id).warnings
    if unprintable:
        raise SelfTestFailed("the note cannot print everything: " + "; ".join(unprintable))
    findings = ctx.signing.open_findings(record.procedure_id)
    _, procedure = ctx.records.get_procedure(record.procedure_id)
    ctx.signing.sign_procedure(
        record.procedure_id, procedure.version, record.password, {f.rule: ACKNOWLEDGEMENT for f in findings}
    )
    signed = ctx.notes.render_procedure_note(record.procedure_id).pdf
    if not signed.startswith(b"%PDF-") or b"/ByteRange" not in signed:
        raise SelfTestFailed("the signed note is not a PDF with an embedded signature")
    report = ctx.audit.verify()
    if not report.ok:
        raise SelfTestFailed("verify found problems: " + "; ".join(report.lines()))
    return [
        f"signed the procedure ({len(findings)} finding(s) acknowledged): a PAdES-signed PDF of {len(signed):,} bytes",
        "verify: audit trail and signature OK",
    ]


def fhir_bundle_check(ctx: AppContext, record: SeededRecord) -> str:
    """The procedure as a FHIR bundle, as the EHR export writes it."""
    from facetdesk.services.fhir_export import fhir_bundle_for_case

    bundle = json.loads(fhir_bundle_for_case(ctx.cases.case_for(record.procedure_id), ctx.catalog))
    if bundle.get("resourceType") != "Bundle" or not bundle.get("entry"):
        raise SelfTestFailed("the FHIR export did not produce a bundle with entries")
    return f"FHIR R4 bundle: {len(bundle['entry'])} resources"


def ehr_outbox_check(ctx: AppContext, record: SeededRecord, folder: Path) -> str:
    """The signed note queued for the EHR and written to an outbox folder as an HL7 MDM message and a FHIR
    DocumentReference, both read back (hl7apy, python-hl7 and fhir.resources from the bundle)."""
    import hl7
    from fhir.resources.R4B.documentreference import DocumentReference

    folder.mkdir()
    ehr = {
        "mrn_system": "urn:oid:2.16.840.1.113883.3.999.1",
        "procedure_id_system": "https://ehr.example.org/facetdesk-procedure",
        "mrn_assigning_authority": "SELFTEST",
        "outbox_folder": str(folder),
    }
    ctx.settings.save({"ehr": ehr})  # only these settings: applied to the settings as stored
    ctx.outbox.queue(record.procedure_id)
    report = ctx.outbox.deliver_due()
    if report.sent != 2:
        raise SelfTestFailed(f"the EHR outbox sent {report.sent} of 2 messages: {ctx.outbox.entries()[0].last_error}")
    (message_file,) = folder.glob("*.hl7")
    (document_file,) = folder.glob("*.json")
    message = hl7.parse(message_file.read_bytes().decode("utf-8"))
    if str(message.segment("MSH")[9]) != "MDM^T02^MDM_T02":
        raise SelfTestFailed("the outbox's HL7 message is not an MDM^T02")
    DocumentReference.model_validate_json(document_file.read_bytes())
    return "EHR outbox: the signed note written as an HL7 v2 MDM^T02 and a FHIR DocumentReference, both read back"


def postgresql_driver_check() -> str:
    """The PostgreSQL driver loads (nothing connects): a clinic's workstations may open a shared server."""
    import sqlalchemy as sa

    engine = sa.create_engine("postgresql+psycopg://selftest@127.0.0.1/selftest")
    try:
        import psycopg

        implementation = psycopg.pq.__impl__
    finally:
        engine.dispose()
    return f"PostgreSQL driver: psycopg {psycopg.__version__} ({implementation})"
