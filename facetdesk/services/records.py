"""Use cases for patients and procedures: search, open, save, sign, add an addendum (one transaction each)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from facetdesk.domain.errors import FieldError, InvalidRecord, field_errors
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Addendum, Procedure, Signature
from facetdesk.services.validation import parse_patient, parse_procedure
from facetdesk.storage import repository as repo
from facetdesk.storage.db import Database
from facetdesk.storage.errors import DuplicateMrn


class NotFound(LookupError):
    """The record asked for does not exist (deleted, or a wrong id)."""


class RecordService:
    def __init__(self, database: Database):
        self._db = database

    # ---- patients ---------------------------------------------------------
    def search_patients(self, text: str, limit: int = 200) -> list[repo.PatientSummary]:
        with self._db.read() as session:
            return repo.search_patients(session, text.strip(), limit)

    def get_patient(self, patient_id: int) -> Patient:
        with self._db.read() as session:
            patient = repo.get_patient(session, patient_id)
        if patient is None:
            raise NotFound(f"patient {patient_id} does not exist")
        return patient

    def save_patient(self, data: dict[str, Any] | Patient) -> Patient:
        patient = parse_patient(data)
        try:
            with self._db.transaction() as session:
                if patient.id is not None:
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
                return repo.save_patient(session, patient)
        except DuplicateMrn as exc:
            raise InvalidRecord([FieldError(("mrn",), str(exc))]) from None

    # ---- procedures -------------------------------------------------------
    def list_procedures(self, patient_id: int) -> list[repo.ProcedureSummary]:
        with self._db.read() as session:
            return repo.list_procedures(session, patient_id)

    def get_procedure(self, procedure_id: int) -> tuple[Patient, Procedure]:
        with self._db.read() as session:
            found = repo.get_procedure(session, procedure_id)
            if found is None:
                raise NotFound(f"procedure {procedure_id} does not exist")
            patient_id, procedure = found
            patient = repo.get_patient(session, patient_id)
        assert patient is not None
        return patient, procedure

    def procedures_of(self, patient_id: int) -> list[Procedure]:
        """Every procedure of the patient, oldest first (decision support picks the earlier ones)."""
        with self._db.read() as session:
            return repo.procedures_for_patient(session, patient_id)

    def prior_procedures(self, patient_id: int, procedure: Procedure) -> list[Procedure]:
        """The patient's other procedures performed before this one."""
        with self._db.read() as session:
            every = repo.procedures_for_patient(session, patient_id)
        return [p for p in every if p.uid != procedure.uid and p.performed_at <= procedure.performed_at]

    def save_procedure(self, patient_id: int, data: dict[str, Any] | Procedure) -> Procedure:
        with self._db.transaction() as session:
            patient = repo.get_patient(session, patient_id)
            if patient is None:
                raise NotFound(f"patient {patient_id} does not exist")
            procedure = parse_procedure(data, patient)
            return repo.save_procedure(session, patient_id, procedure)

    def sign_procedure(self, procedure_id: int, signed_by: str, version: int) -> Procedure:
        """Sign the procedure as stored at ``version`` (the one the signer saw); it is locked from then on.

        Refused with StaleRecord when it changed since, with AlreadySigned when signed before.
        """
        signed_at = _now()
        try:
            signature = Signature(signed_by=signed_by, signed_at=signed_at)
        except ValidationError as exc:
            raise InvalidRecord(field_errors(exc)) from None
        with self._db.transaction() as session:
            return repo.sign_procedure(
                session, procedure_id, signature.signed_by, signature.signed_at, expected_version=version
            )

    def add_addendum(self, procedure_id: int, author: str, text: str) -> Procedure:
        """Append an addendum to a signed procedure, signed by its author as it is written."""
        written_at = _now()
        try:
            addendum = Addendum(author=author, written_at=written_at, text=text, signed_by=author, signed_at=written_at)
        except ValidationError as exc:
            raise InvalidRecord(field_errors(exc)) from None
        with self._db.transaction() as session:
            return repo.add_addendum(session, procedure_id, addendum)


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)
