"""Case-file use cases: export a stored procedure (case file or FHIR bundle), import a case file as one transaction."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from facetdesk.domain.audit import AuditAction, sha256_bytes
from facetdesk.domain.case import CaseFile
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.images import AttachedImage
from facetdesk.domain.patient import Patient
from facetdesk.domain.signed_content import (
    RECORD_FORMAT,
    follow_up_record_hash,
    image_record_hash,
    patient_record_hash,
    procedure_record_hash,
    sha256_hex,
)
from facetdesk.domain.users import Permission
from facetdesk.services import signature_proofs
from facetdesk.services.records import NotFound, RecordService
from facetdesk.services.session import WorkSession
from facetdesk.services.validation import case_file
from facetdesk.storage import repository as repo
from facetdesk.storage import signatures as sigstore
from facetdesk.storage import trust as key_store
from facetdesk.storage.db import Database
from facetdesk.storage.follow_ups import follow_ups_for_patient, save_follow_up
from facetdesk.storage.images import add_image, images_of, images_with_pixels
from facetdesk.trust import ca as ca_mod


@dataclass(frozen=True)
class ImportResult:
    patient_id: int
    procedure_id: int
    patient_created: bool
    procedures_added: int
    procedures_already_present: int


class CaseService:
    def __init__(self, database: Database, work: WorkSession, records: RecordService):
        self._db = database
        self._work = work
        self._records = records

    def case_for(self, procedure_id: int, images: bool = False, originals: bool = False) -> CaseFile:
        """The procedure with its patient, earlier procedures and follow-ups (for notes and checks; not audited);
        with ``images``, the procedure's images (de-identified; their original files too with ``originals``)."""
        patient, procedure = self._records.get_procedure(procedure_id)
        assert patient.id is not None
        priors = self._records.prior_procedures(patient.id, procedure)
        with self._db.read() as session:
            visits = follow_ups_for_patient(session, patient.id)
            pictures = (
                [AttachedImage.of(*found) for found in images_with_pixels(session, procedure.uid, originals)]
                if images
                else []
            )
        return case_file(patient, procedure, priors, visits, pictures)

    def export_case(self, procedure_id: int, originals: bool = False) -> CaseFile:
        """The case file of a stored procedure, with its images and the proof of every signature in it; the export
        is recorded. The images are de-identified renderings; ``originals`` adds each original file (a DICOM
        file's header names the patient), and the audit entry says so."""
        self._work.require(Permission.EXPORT)
        case = self.case_for(procedure_id, images=True, originals=bool(originals))
        with self._db.read() as session:
            proofs = [
                proof
                for proc in (case.procedure, *case.prior_procedures)
                if proc.is_signed and proc.id is not None
                for proof in signature_proofs.proofs_of(session, proc.id, proc.uid)
            ]
        case = case.model_copy(update={"signatures": proofs})
        self._record_export(
            procedure_id,
            {
                "format": "case",
                "prior_procedures": len(case.prior_procedures),
                "images": len(case.images),
                "image_originals": bool(originals) and bool(case.images),
            },
        )
        return case

    def export_fhir(self, procedure_id: int, path: str | Path, now: datetime | None = None) -> Path:
        """Write the procedure as a FHIR R4B bundle (JSON) to ``path`` atomically; the export is recorded.

        ``now`` is the bundle's timestamp (default: this moment). The audit entry holds counts and the
        file's hash, never patient data.
        """
        self._work.require(Permission.EXPORT)
        stamp = _timestamp(now)
        # Imported here: fhir.resources is needed by this export only, not by the screens that use cases.
        from facetdesk.domain.catalog import get_catalog
        from facetdesk.services.fhir_export import fhir_bundle_for_case, write_fhir_bundle

        case = self.case_for(procedure_id, images=True)  # the images go as Media with their de-identified PNGs
        from facetdesk.storage.settings import load_settings
        from facetdesk.storage.signatures import signed_document

        with self._db.read() as session:
            systems = load_settings(session).ehr
            # A signed procedure's note goes too, as a DocumentReference with the signed PDF.
            pdf = signed_document(session, procedure_id) if case.procedure.signature is not None else None
        text = fhir_bundle_for_case(case, get_catalog(), stamp, systems=systems, signed_pdf=pdf)
        written = write_fhir_bundle(text, path)
        kinds = Counter(entry["resource"]["resourceType"] for entry in json.loads(text)["entry"])
        self._record_export(
            procedure_id,
            {
                "format": "fhir-r4",
                "resources": sum(kinds.values()),
                "detected_issues": kinds["DetectedIssue"],
                "documents": kinds["DocumentReference"],
                "prior_procedures": len(case.prior_procedures),
                "bundle_sha256": sha256_bytes(text.encode("utf-8")),
            },
        )
        return written

    def export_document(self, procedure_id: int, path: str | Path) -> Path:
        """Write the signed note alone as a FHIR DocumentReference (the signed PDF attached), audited.

        For an EHR's document endpoint or an interface engine's folder; the outbox writes the same on signing.
        """
        self._work.require(Permission.EXPORT)
        from facetdesk.interop.fhir.document import standalone_document_json
        from facetdesk.interop.files import write_atomically
        from facetdesk.storage.settings import load_settings
        from facetdesk.storage.signatures import signed_document

        patient, procedure = self._records.get_procedure(procedure_id)
        with self._db.read() as session:
            systems = load_settings(session).ehr
            pdf = signed_document(session, procedure_id) if procedure.signature is not None else None
        if pdf is None:
            raise NotFound(f"procedure {procedure_id} is not signed: only a signed note goes to the EHR")
        data = standalone_document_json(patient, procedure, pdf, systems)
        written = write_atomically(data, path)
        self._record_export(procedure_id, {"format": "fhir-documentreference", "document_sha256": sha256_bytes(data)})
        return written

    def _record_export(self, procedure_id: int, detail: dict) -> None:
        """One audit entry for a procedure that left FacetDesk; ``detail`` holds counts and hashes only."""
        with self._db.transaction() as session:
            self._work.log(session, AuditAction.EXPORT, "procedure", procedure_id, detail=detail)

    def import_case(self, case: CaseFile) -> ImportResult:
        """Store a case: the patient is matched by MRN; procedures already present (same uid) are kept as they are."""
        self._work.require(Permission.IMPORT)
        signed = [
            (label, proc)
            for label, proc in (
                (("procedure",), case.procedure),
                *((("prior_procedures", i), p) for i, p in enumerate(case.prior_procedures)),
            )
            if proc.signature is not None or proc.addenda
        ]
        proofs: dict[str, list] = {}
        for proof in case.signatures:
            proofs.setdefault(proof.procedure_uid, []).append(proof)
        with self._db.transaction() as session:
            # A signature is made only by a physician's key; a file's "signed by" is words anyone can type. So a
            # signed procedure is stored as signed (elsewhere) only when its proof checks out against a CA this
            # database trusts. A procedure already stored (same uid) keeps its own signature and is not re-imported.
            trusted = [ca_mod.load_der(c.certificate) for c in key_store.clinic_cas(session)]
            checked: dict[str, list[signature_proofs.CheckedPart]] = {}
            for label, proc in signed:
                if repo.procedure_by_uid(session, proc.uid, lock=True) is None:
                    checked[proc.uid] = signature_proofs.check(label, proc, proofs.get(proc.uid, []), trusted)
            stray = sorted(set(proofs) - {proc.uid for _, proc in signed})
            if stray:
                raise InvalidRecord(
                    [
                        FieldError(
                            ("signatures",), "holds proofs of procedures the file does not sign; nothing was imported"
                        )
                    ]
                )
            existing = repo.find_patient_by_mrn(session, case.patient.mrn)
            created = existing is None
            hashes: dict[str, str] = {}
            imported: list[dict[str, object]] = []
            doses = list(case.patient.toxin_elsewhere)
            if existing is None:
                patient = repo.save_patient(session, case.patient.model_copy(update={"id": None}))
                hashes[f"patient:{patient.id}"] = patient_record_hash(patient)
            else:
                mismatch = [
                    label
                    for label, a, b in (
                        ("family name", existing.family_name, case.patient.family_name),
                        ("given name", existing.given_name, case.patient.given_name),
                        ("date of birth", existing.date_of_birth, case.patient.date_of_birth),
                    )
                    if a != b
                ]
                if mismatch:
                    raise InvalidRecord(
                        [
                            FieldError(
                                ("patient", "mrn"),
                                f"{case.patient.mrn} belongs to a stored patient whose {', '.join(mismatch)} "
                                "differ from the case file; nothing was imported",
                            )
                        ]
                    )
                patient = existing
                # Toxin given elsewhere that this database does not hold yet joins the stored patient's list.
                doses = [t for t in case.patient.toxin_elsewhere if t not in existing.toxin_elsewhere]
                if doses:
                    merged = existing.model_copy(update={"toxin_elsewhere": [*existing.toxin_elsewhere, *doses]})
                    patient = repo.save_patient(session, Patient.model_validate(merged.model_dump()))
                    hashes[f"patient:{patient.id}"] = patient_record_hash(patient)
            assert patient.id is not None
            added = present = 0
            procedure_id = None
            for proc in [*case.prior_procedures, case.procedure]:
                found = repo.procedure_by_uid(session, proc.uid, lock=True)
                if found is not None:
                    owner, stored = found
                    if owner != patient.id:
                        raise InvalidRecord(
                            [FieldError(("procedure", "uid"), "belongs to another patient's procedure")]
                        )
                    present += 1
                    saved_id = stored.id
                else:
                    saved = repo.save_procedure(session, patient.id, proc.model_copy(update={"id": None, "version": 0}))
                    hashes[f"procedure:{saved.id}"] = procedure_record_hash(patient.id, saved)
                    assert saved.id is not None
                    for part in checked.get(proc.uid, []):
                        imported.append(_store_imported(session, saved.id, part))
                    added += 1
                    saved_id = saved.id
                procedure_id = saved_id
            assert procedure_id is not None
            # The case's follow-up visits that this database does not hold yet (the same visit is not added twice).
            held = {v.model_dump_json(exclude={"id", "version"}) for v in follow_ups_for_patient(session, patient.id)}
            visits_added = 0
            for visit in case.follow_ups:
                if visit.model_dump_json(exclude={"id", "version"}) not in held:
                    saved_visit = save_follow_up(session, visit.model_copy(update={"id": None, "version": 0}))
                    hashes[f"follow_up:{saved_visit.id}"] = follow_up_record_hash(saved_visit)
                    visits_added += 1
            # The case's images this database does not hold yet (the same file, by its SHA-256, is not added twice).
            held_images = {i.sha256 for i in images_of(session, case.procedure.uid)}
            renderings: dict[str, str] = {}  # the de-identified renderings' SHA-256, checked by verify
            for picture in case.images:
                if picture.sha256 not in held_images:
                    kept = add_image(session, picture.record(), picture.png, picture.original)
                    hashes[f"image:{kept.id}"] = image_record_hash(kept)
                    renderings[f"image:{kept.id}"] = sha256_hex(picture.png)
                    held_images.add(picture.sha256)
            self._work.log(
                session,
                AuditAction.IMPORT,
                "patient",
                patient.id,
                detail={
                    "patient_created": created,
                    "procedures_added": added,
                    "procedures_present": present,
                    "follow_ups_added": visits_added,
                    "toxin_elsewhere_added": len(doses),
                    "record_format": RECORD_FORMAT,
                    "records": hashes,
                    "renderings": renderings,
                    "signatures": imported,
                },
            )
            return ImportResult(patient.id, procedure_id, created, added, present)


def _store_imported(session, procedure_id: int, part: signature_proofs.CheckedPart) -> dict[str, object]:
    """Store a checked signature made in another database: signed elsewhere, with the signer's certificate."""
    from datetime import datetime as _dt

    known = key_store.key_by_fingerprint(session, part.fingerprint)
    envelope = json.loads(part.proof.envelope)
    stored = sigstore.add_signature(
        session,
        sigstore.StoredSignature(
            id=0,
            procedure_id=procedure_id,
            part=part.proof.part,
            key_id=known.id if known is not None else None,
            signer_certificate=part.certificate,
            signed_elsewhere=True,
            content_format=part.proof.content_format,
            content=part.proof.content,
            envelope=part.proof.envelope,
            signature=part.signature,
            pdf=part.pdf,
            signed_at=_dt.strptime(envelope["signed_at"], "%Y-%m-%dT%H:%M:%SZ"),
        ),
    )
    return {
        "procedure": procedure_id,
        "part": part.proof.part,
        "signature_id": stored.id,
        "envelope_sha256": sha256_bytes(part.proof.envelope.encode("utf-8")),
        "key_fingerprint": part.fingerprint,
    }


def _timestamp(now: object) -> datetime | None:
    """The export time with its UTC offset (a naive time is local); refused when it is no time at all."""
    if now is None:
        return None
    problem = "must be a date and time"
    if isinstance(now, datetime):
        try:
            stamped = now.astimezone()
            if stamped.year >= 1900:
                return stamped
        except (OverflowError, ValueError, OSError):
            pass
        problem = "must be a date and time from the year 1900 on"
    raise InvalidRecord([FieldError(("now",), problem)])


__all__ = ["CaseService", "ImportResult", "NotFound"]
