"""Use cases for patients and procedures: search, open, save, sign, add an addendum (one transaction each).

Every change is checked against the signed-in user's role and recorded in the audit log in the
same transaction, so a change and its audit entry are stored together or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from facetdesk.domain.audit import AuditAction, changed_fields
from facetdesk.domain.base import is_row_id
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.signed_content import RECORD_FORMAT, patient_record_hash, procedure_record_hash
from facetdesk.domain.text import shown, storable_text
from facetdesk.domain.users import NotPermitted, Permission
from facetdesk.services.session import WorkSession
from facetdesk.services.validation import parse_patient, parse_procedure
from facetdesk.storage import repository as repo
from facetdesk.storage.audit import changed_since
from facetdesk.storage.db import Database
from facetdesk.storage.errors import DuplicateMrn, RecordLocked, StaleRecord

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
        with self._db.lookup() as session:  # one statement per page: one round trip
            return repo.search_patients(session, text.strip(), limit, after)

    def get_patient(self, patient_id: int) -> Patient:
        self._work.require(Permission.VIEW)
        with self._db.lookup() as session:  # the patient and its lists in one statement
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
                    # Locked first: no procedure of this patient is saved between the check below and the save.
                    before = repo.lock_patient(session, patient.id)
                    if before is not None and before.version != patient.version:
                        raise StaleRecord("patient", changed_since(session, "patient", patient.id, patient.version,
                                                                    before.version))  # fmt: skip
                    # A new date of birth must not leave an existing procedure before birth.
                    earliest = repo.earliest_procedure_time(session, patient.id)
                    if earliest is not None and earliest.date() < patient.date_of_birth:
                        raise InvalidRecord(
                            [FieldError(("date_of_birth",), f"is after the procedure of {earliest:%Y-%m-%d}")]
                        )
                saved = repo.save_patient(session, patient)
                self._log_change(session, "patient", saved.id, before, saved, record_hash(saved))
                return saved
        except DuplicateMrn as exc:
            raise InvalidRecord([FieldError(("mrn",), str(exc))]) from None

    def usual_anticoagulants(self) -> list[str]:
        """The anticoagulant keys this clinic records most, most frequent first (for the order of choices)."""
        self._work.require(Permission.VIEW)
        with self._db.lookup() as session:
            counts = repo.anticoagulant_counts(session)
        return [agent for agent, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    def usual_medication_agents(self) -> list[str]:
        """The medication agent keys this clinic uses most (its presets', then its records'), for the order
        of choices."""
        self._work.require(Permission.VIEW)
        with self._db.read() as session:
            return repo.usual_medication_agents(session)

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
        with self._db.lookup() as session:  # a page in one statement
            return repo.list_procedures(session, patient_id, before, limit)

    def versions_of(self, patient_id: int) -> repo.RecordVersions:
        """The stored versions of the patient and of each of its procedures, in one statement.

        A screen compares them with the versions it shows, every few seconds, to catch up with another
        workstation's saves, signatures and addenda: cheap enough to ask often, and nothing to reload when
        nothing changed.
        """
        self._work.require(Permission.VIEW)
        with self._db.lookup() as session:  # one statement
            versions = repo.record_versions(session, patient_id)
        if versions is None:
            raise NotFound(f"patient {shown(patient_id)} does not exist")
        return versions

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
            # Locked shared: the date of birth checked below cannot change before this save commits.
            patient = repo.lock_patient(session, patient_id, shared=True)
            if patient is None:
                raise NotFound(f"patient {shown(patient_id)} does not exist")
            procedure = parse_procedure(data, patient)
            before = None
            if procedure.id is not None:
                # Gone meanwhile: the repository says so (RecordNotFound) when it tries the update.
                found = repo.get_procedure(session, procedure.id, lock=True)
                if found is not None and (found[0] != patient_id or found[1].uid != procedure.uid):
                    raise InvalidRecord([FieldError(("id",), "belongs to another record; reopen the procedure")])
                before = None if found is None else found[1]
            if (before is None or not before.is_signed) and (procedure.signature is not None or procedure.addenda):
                # Saving is not signing: a signature comes only from sign_procedure, as the signed-in physician.
                # (A signed record is refused below, by the repository, as locked.)
                raise InvalidRecord([FieldError(("signature",), "is set by signing, not by saving")])
            # The true reason first: a procedure signed or changed meanwhile is refused as such, before any
            # check of who may change what (a nurse's save racing a physician's edit is stale, not forbidden).
            if before is not None and before.signature is not None:
                raise RecordLocked(before.signature.signed_by, before.signature.signed_at)
            if before is not None and before.version != procedure.version:
                assert procedure.id is not None
                raise StaleRecord(
                    "procedure", changed_since(session, "procedure", procedure.id, procedure.version, before.version)
                )
            if not may_edit:
                self._only_pain_scores(before, procedure)
            saved = repo.save_procedure(session, patient_id, procedure)
            self._log_change(session, "procedure", saved.id, before, saved, record_hash(saved, patient_id))
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

    def _log_change(self, session, entity: str, entity_id, before, after, detail: dict) -> None:
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


def record_hash(record: Patient | Procedure, patient_id: int | None = None) -> dict[str, object]:
    """The audit detail that pins a record's stored content (services.verify checks the rows against it)."""
    if isinstance(record, Patient):
        return {"record_format": RECORD_FORMAT, "record_sha256": patient_record_hash(record)}
    assert patient_id is not None
    return {
        "uid": record.uid,
        "record_format": RECORD_FORMAT,
        "record_sha256": procedure_record_hash(patient_id, record),
    }


def _changes(before: Patient | Procedure, after: Patient | Procedure) -> list[str]:
    return changed_fields(
        before.model_dump(mode="json", exclude=_NOT_CONTENT), after.model_dump(mode="json", exclude=_NOT_CONTENT)
    )
