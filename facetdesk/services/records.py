"""Use cases for patients and procedures: search, open, save, sign, add an addendum (one transaction each).

Every change is checked against the signed-in user's role and recorded in the audit log in the
same transaction, so a change and its audit entry are stored together or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from facetdesk.domain.audit import AuditAction, changed_fields, sha256_bytes
from facetdesk.domain.base import is_row_id
from facetdesk.domain.case import CaseFile
from facetdesk.domain.errors import FieldError, InvalidRecord, field_errors
from facetdesk.domain.integrity import addendum_content_hash, procedure_content_hash
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Addendum, Procedure, Signature
from facetdesk.domain.text import shown, storable_text
from facetdesk.domain.users import NotPermitted, Permission
from facetdesk.services.session import WorkSession
from facetdesk.services.validation import parse_patient, parse_procedure
from facetdesk.storage import repository as repo
from facetdesk.storage.db import Database
from facetdesk.storage.errors import AlreadySigned, DuplicateMrn, StaleRecord
from facetdesk.storage.settings import load_settings

# What a nurse may change on a stored procedure: the pain scores before and after the injection.
PAIN_SCORE_FIELDS = ("pre_procedure_pain", "pain_scores")
# Bookkeeping that is not a change of content.
_NOT_CONTENT = {"id", "version"}


class NotFound(LookupError):
    """The record asked for does not exist (deleted, or a wrong id)."""


class RecordService:
    def __init__(self, database: Database, work: WorkSession):
        self._db = database
        self._work = work

    # ---- patients ---------------------------------------------------------
    def search_patients(
        self, text: str, limit: int = 200, *, after: repo.PatientCursor | None = None
    ) -> list[repo.PatientSummary]:
        """Patients by name or MRN prefix, in list order; ``after`` (a summary's ``cursor``): the next page."""
        self._work.require(Permission.VIEW)
        if not isinstance(text, str):
            raise InvalidRecord([FieldError(("search",), "must be text (a name or an MRN)")])
        _check_patient_cursor(after)
        with self._db.read() as session:
            return repo.search_patients(session, text.strip(), limit, after)

    def get_patient(self, patient_id: int) -> Patient:
        self._work.require(Permission.VIEW)
        with self._db.read() as session:
            patient = repo.get_patient(session, patient_id)
        if patient is None:
            raise NotFound(f"patient {shown(patient_id)} does not exist")
        return patient

    def save_patient(self, data: dict[str, Any] | Patient) -> Patient:
        self._work.require(Permission.EDIT_PATIENT)
        patient = parse_patient(data)
        try:
            with self._db.transaction() as session:
                before = None
                if patient.id is not None:
                    before = repo.get_patient(session, patient.id)
                    # A new date of birth must not leave an existing procedure before birth.
                    for proc in repo.procedures_for_patient(session, patient.id):
                        if proc.performed_at.date() < patient.date_of_birth:
                            raise InvalidRecord(
                                [
                                    FieldError(
                                        ("date_of_birth",),
                                        f"is after the procedure of {proc.performed_at:%Y-%m-%d}",
                                    )
                                ]
                            )
                saved = repo.save_patient(session, patient)
                self._log_change(session, "patient", saved.id, before, saved)
                return saved
        except DuplicateMrn as exc:
            raise InvalidRecord([FieldError(("mrn",), str(exc))]) from None

    # ---- procedures -------------------------------------------------------
    def list_procedures(
        self, patient_id: int, *, before: repo.ProcedureCursor | None = None, limit: int | None = None
    ) -> list[repo.ProcedureSummary]:
        """The patient's procedures, newest first: ``limit`` at most (None: all), older than ``before``.

        ``before`` is the ``cursor`` of the last summary of the previous page.
        """
        self._work.require(Permission.VIEW)
        if not is_row_id(patient_id):
            raise NotFound(f"patient {shown(patient_id)} does not exist")
        _check_procedure_cursor(before)
        if limit is not None and not (is_row_id(limit) and limit <= repo.MAX_PAGE):
            raise InvalidRecord([FieldError(("limit",), f"must be a whole number from 1 to {repo.MAX_PAGE}")])
        with self._db.read() as session:
            return repo.list_procedures(session, patient_id, before, limit)

    def get_procedure(self, procedure_id: int) -> tuple[Patient, Procedure]:
        self._work.require(Permission.VIEW)
        with self._db.read() as session:
            found = repo.get_procedure(session, procedure_id)
            if found is None:
                raise NotFound(f"procedure {shown(procedure_id)} does not exist")
            patient_id, procedure = found
            patient = repo.get_patient(session, patient_id)
        assert patient is not None
        return patient, procedure

    def procedures_of(self, patient_id: int) -> list[Procedure]:
        """Every procedure of the patient, oldest first (decision support picks the earlier ones)."""
        self._work.require(Permission.VIEW)
        with self._db.read() as session:
            return repo.procedures_for_patient(session, patient_id)

    def prior_procedures(self, patient_id: int, procedure: Procedure) -> list[Procedure]:
        """The patient's other procedures performed before this one."""
        every = self.procedures_of(patient_id)
        return [p for p in every if p.uid != procedure.uid and p.performed_at <= procedure.performed_at]

    def save_procedure(self, patient_id: int, data: dict[str, Any] | Procedure) -> Procedure:
        """Validate and store; a nurse may only change the pain scores of a stored procedure."""
        may_edit = self._work.may(Permission.EDIT_PROCEDURE)
        if not may_edit:
            self._work.require(Permission.RECORD_PAIN_SCORES)
        with self._db.transaction() as session:
            patient = repo.get_patient(session, patient_id)
            if patient is None:
                raise NotFound(f"patient {shown(patient_id)} does not exist")
            procedure = parse_procedure(data, patient)
            before = None
            if procedure.id is not None:
                # Gone meanwhile: the repository says so (RecordNotFound) when it tries the update.
                found = repo.get_procedure(session, procedure.id)
                if found is not None and (found[0] != patient_id or found[1].uid != procedure.uid):
                    raise InvalidRecord([FieldError(("id",), "belongs to another record; reopen the procedure")])
                before = None if found is None else found[1]
            if (before is None or not before.is_signed) and (procedure.signature is not None or procedure.addenda):
                # Saving is not signing: a signature comes only from sign_procedure, as the signed-in physician.
                # (A signed record is refused below, by the repository, as locked.)
                raise InvalidRecord([FieldError(("signature",), "is set by signing, not by saving")])
            if not may_edit:
                self._only_pain_scores(before, procedure)
            saved = repo.save_procedure(session, patient_id, procedure)
            self._log_change(session, "procedure", saved.id, before, saved, {"uid": saved.uid})
            return saved

    def _only_pain_scores(self, before: Procedure | None, after: Procedure) -> None:
        if before is None:
            raise NotPermitted(self._work.actor, Permission.EDIT_PROCEDURE)
        other = [f for f in _changes(before, after) if f.split(".")[0] not in PAIN_SCORE_FIELDS]
        if other:
            raise InvalidRecord(
                [
                    FieldError(
                        (other[0].split(".")[0],),
                        "cannot be changed with a nurse's account; only the pain scores can. Nothing was saved.",
                    )
                ]
            )

    def sign_procedure(self, procedure_id: int, version: int) -> Procedure:
        """Sign, as the signed-in physician, the procedure as stored at ``version`` (the one they saw).

        The note is rendered for the signature and kept with the SHA-256 of the content and of the PDF.
        Refused with StaleRecord when it changed since, with AlreadySigned when signed before.
        """
        actor = self._work.require(Permission.SIGN)
        signed_at = _now()
        try:
            signature = Signature(signed_by=actor.display_name, signed_at=signed_at)
        except ValidationError as exc:
            raise InvalidRecord(field_errors(exc)) from None
        with self._db.read() as session:
            found = repo.get_procedure(session, procedure_id)
            if found is None:
                raise NotFound(f"procedure {shown(procedure_id)} does not exist")
            patient_id, procedure = found
            patient = repo.get_patient(session, patient_id)
            priors = [
                p
                for p in repo.procedures_for_patient(session, patient_id)
                if p.uid != procedure.uid and p.performed_at <= procedure.performed_at
            ]
            clinic = load_settings(session)
        assert patient is not None
        if procedure.signature is not None:
            raise AlreadySigned(procedure.signature.signed_by, procedure.signature.signed_at)
        if procedure.version != version:
            raise StaleRecord()
        # Rendered outside the write transaction; sign_procedure below refuses it if the
        # procedure changed meanwhile (expected_version), so the PDF is of what is signed.
        signed_case = CaseFile(
            patient=patient, procedure=procedure.model_copy(update={"signature": signature}), prior_procedures=priors
        )
        # Imported here: the PDF renderer (reportlab) is not needed until a note is signed or output.
        from facetdesk.services.rendering import render_case_note

        pdf = render_case_note(signed_case, clinic=clinic, generated_at=signed_at).pdf
        with self._db.transaction() as session:
            signed = repo.sign_procedure(
                session, procedure_id, signature.signed_by, signature.signed_at, expected_version=version, pdf=pdf
            )
            self._work.log(
                session,
                AuditAction.SIGN,
                "procedure",
                procedure_id,
                detail={
                    "uid": signed.uid,
                    "content_sha256": procedure_content_hash(signed, patient_id),
                    "pdf_sha256": sha256_bytes(pdf),
                },
            )
            return signed

    def add_addendum(self, procedure_id: int, text: str) -> Procedure:
        """Append an addendum to a signed procedure, written and signed by the signed-in physician."""
        actor = self._work.require(Permission.ADD_ADDENDUM)
        written_at = _now()
        try:
            addendum = Addendum(
                author=actor.display_name,
                written_at=written_at,
                text=text,
                signed_by=actor.display_name,
                signed_at=written_at,
            )
        except ValidationError as exc:
            raise InvalidRecord(field_errors(exc)) from None
        with self._db.transaction() as session:
            procedure = repo.add_addendum(session, procedure_id, addendum)
            position = len(procedure.addenda) - 1
            self._work.log(
                session,
                AuditAction.ADDENDUM,
                "procedure",
                procedure_id,
                fields=(f"addenda.{position}",),
                detail={
                    "uid": procedure.uid,
                    "position": position,
                    "content_sha256": addendum_content_hash(procedure.addenda[position], procedure.uid, position),
                },
            )
            return procedure

    def _log_change(self, session, entity: str, entity_id, before, after, detail: dict | None = None) -> None:
        if before is None:
            self._work.log(session, AuditAction.CREATE, entity, entity_id, detail=detail)
        else:
            self._work.log(
                session, AuditAction.UPDATE, entity, entity_id, fields=_changes(before, after), detail=detail
            )


def _check_patient_cursor(cursor: object) -> None:
    # A cursor comes back from the previous page; anything else is a caller's mistake, said clearly.
    if cursor is None:
        return
    if not (
        isinstance(cursor, repo.PatientCursor)
        and all(isinstance(k, str) and storable_text(k) for k in (cursor.family_key, cursor.given_key))
        and is_row_id(cursor.id)
    ):
        raise InvalidRecord([FieldError(("after",), "must be the cursor of a patient list row, or nothing")])


def _check_procedure_cursor(cursor: object) -> None:
    if cursor is None:
        return
    if not (
        isinstance(cursor, repo.ProcedureCursor)
        and isinstance(cursor.performed_at, datetime)
        and cursor.performed_at.tzinfo is None
        and is_row_id(cursor.id)
    ):
        raise InvalidRecord([FieldError(("before",), "must be the cursor of a procedure list row, or nothing")])


def _changes(before: Patient | Procedure, after: Patient | Procedure) -> list[str]:
    return changed_fields(
        before.model_dump(mode="json", exclude=_NOT_CONTENT), after.model_dump(mode="json", exclude=_NOT_CONTENT)
    )


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)
