"""Patient repository: save, load and search patients as domain models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, selectinload

from facetdesk.domain.base import STORED, is_row_id, storable_text
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.patient import Patient
from facetdesk.storage.errors import DuplicateMrn, RecordNotFound
from facetdesk.storage.tables import (
    PatientAllergyRow,
    PatientAnticoagulantRow,
    PatientRow,
    ProcedureRow,
    utcnow,
)
from facetdesk.storage.textkey import fold, starts_with

# A search box never needs more; beyond this the user should type more letters.
MAX_SEARCH_LIMIT = 1000
# "given middle family" splits are tried at every word boundary; names have few words.
_MAX_NAME_WORDS = 6


@dataclass(frozen=True)
class PatientSummary:
    """One line of the patient search list."""

    id: int
    mrn: str
    family_name: str
    given_name: str
    date_of_birth: date
    procedure_count: int
    last_procedure_at: datetime | None

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"


def _load_options() -> tuple:
    return (selectinload(PatientRow.anticoagulants), selectinload(PatientRow.allergies))


def patient_from_row(row: PatientRow) -> Patient:
    return Patient.model_validate(
        {
            "id": row.id,
            "mrn": row.mrn,
            "family_name": row.family_name,
            "given_name": row.given_name,
            "date_of_birth": row.date_of_birth,
            "sex": row.sex,
            "weight_kg": row.weight_kg,
            "diabetes": row.diabetes,
            "anticoagulants": [{"agent": a.agent, "last_dose_at": a.last_dose_at} for a in row.anticoagulants],
            "allergies": [a.text for a in row.allergies],
            "pregnant": row.pregnant,
            "neuromuscular_disease": row.neuromuscular_disease,
            "injection_site_infection": row.injection_site_infection,
        },
        context=STORED,
    )


def _fill(row: PatientRow, patient: Patient) -> None:
    row.mrn = patient.mrn
    row.mrn_key = fold(patient.mrn)
    row.family_name = patient.family_name
    row.family_key = fold(patient.family_name)
    row.given_name = patient.given_name
    row.given_key = fold(patient.given_name)
    row.date_of_birth = patient.date_of_birth
    row.sex = patient.sex.value
    row.weight_kg = patient.weight_kg
    row.diabetes = patient.diabetes
    row.pregnant = patient.pregnant
    row.neuromuscular_disease = patient.neuromuscular_disease
    row.injection_site_infection = patient.injection_site_infection
    row.updated_at = utcnow()
    row.anticoagulants = [
        PatientAnticoagulantRow(position=i, agent=a.agent, last_dose_at=a.last_dose_at)
        for i, a in enumerate(patient.anticoagulants)
    ]
    row.allergies = [PatientAllergyRow(position=i, text=text) for i, text in enumerate(patient.allergies)]


def _mrn_owner(session: Session, mrn: str) -> int | None:
    return session.scalar(sa.select(PatientRow.id).where(PatientRow.mrn_key == fold(mrn)))


def save_patient(session: Session, patient: Patient) -> Patient:
    """Insert (``id`` None) or update the patient; returns it with its id. Raises DuplicateMrn."""
    owner = _mrn_owner(session, patient.mrn)
    if owner is not None and owner != patient.id:
        raise DuplicateMrn(patient.mrn)
    if patient.id is None:
        row = PatientRow(created_at=utcnow())
    else:
        # FOR UPDATE: another workstation saving this patient now waits for this save to commit, then
        # replaces the child rows it sees (PostgreSQL); without it both would insert the same child keys.
        found = session.scalar(
            sa.select(PatientRow).where(PatientRow.id == patient.id).options(*_load_options()).with_for_update()
        )
        if found is None:
            raise RecordNotFound("This patient is no longer in the database (deleted on another workstation?).")
        row = found
        # Old child rows go first: the new list may reuse their keys.
        row.anticoagulants.clear()
        row.allergies.clear()
        session.flush()
    try:
        # A savepoint keeps the session usable if another workstation took the MRN
        # between the check above and this write (possible on PostgreSQL).
        with session.begin_nested():
            _fill(row, patient)
            session.add(row)
            session.flush()
    except sa_exc.IntegrityError:
        if _mrn_owner(session, patient.mrn) not in (None, patient.id):
            raise DuplicateMrn(patient.mrn) from None
        raise
    return patient.model_copy(update={"id": row.id})


def get_patient(session: Session, patient_id: int) -> Patient | None:
    if not is_row_id(patient_id):  # no row has it, and a huge number cannot even be bound to the query
        return None
    row = session.scalar(sa.select(PatientRow).where(PatientRow.id == patient_id).options(*_load_options()))
    return None if row is None else patient_from_row(row)


def find_patient_by_mrn(session: Session, mrn: str) -> Patient | None:
    """The patient with this MRN, ignoring case and surrounding spaces."""
    row = session.scalar(sa.select(PatientRow).where(PatientRow.mrn_key == fold(mrn)).options(*_load_options()))
    return None if row is None else patient_from_row(row)


def _name_match(family: str, given: str) -> sa.ColumnElement[bool]:
    condition = starts_with(PatientRow.family_key, family)
    return sa.and_(condition, starts_with(PatientRow.given_key, given)) if given else condition


def _search_condition(text: str) -> sa.ColumnElement[bool] | None:
    if "," in text:
        family, _, given = text.partition(",")
        return _name_match(fold(family), fold(given))
    query = fold(text)
    if not query:
        return None
    options = [
        starts_with(PatientRow.mrn_key, query),
        starts_with(PatientRow.family_key, query),
        starts_with(PatientRow.given_key, query),
    ]
    words = query.split(" ")[:_MAX_NAME_WORDS]
    for i in range(1, len(words)):
        head, tail = " ".join(words[:i]), " ".join(words[i:])
        options.append(_name_match(tail, head))  # "given family"
        options.append(_name_match(head, tail))  # "family given"
    return sa.or_(*options)


def search_patients(session: Session, text: str, limit: int = 200) -> list[PatientSummary]:
    """Patients whose MRN, family name or given name starts with ``text`` (any case, accents ignored).

    "family, given" and "given family" narrow by both names; empty text lists everyone
    alphabetically. Each condition is a range on an indexed key column, and at most
    ``limit`` rows are read, so the search stays fast on a clinic-sized database.
    """
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidRecord([FieldError(("limit",), f"must be a whole number from 1 to {MAX_SEARCH_LIMIT}")])
    limit = max(1, min(limit, MAX_SEARCH_LIMIT))
    if not storable_text(text):
        return []  # stored names and MRNs are valid UTF-8, so text that is not (a lone surrogate) matches none
    stmt = sa.select(
        PatientRow.id, PatientRow.mrn, PatientRow.family_name, PatientRow.given_name, PatientRow.date_of_birth
    )
    condition = _search_condition(text)
    if condition is not None:
        stmt = stmt.where(condition)
    stmt = stmt.order_by(PatientRow.family_key, PatientRow.given_key, PatientRow.id).limit(limit)
    rows = session.execute(stmt).all()
    if not rows:
        return []
    # Counts in a second, keyed query: only for the rows shown, via the (patient_id, performed_at) index.
    stats = {
        patient_id: (count, last)
        for patient_id, count, last in session.execute(
            sa.select(ProcedureRow.patient_id, sa.func.count(), sa.func.max(ProcedureRow.performed_at))
            .where(ProcedureRow.patient_id.in_([r.id for r in rows]))
            .group_by(ProcedureRow.patient_id)
        )
    }
    return [
        PatientSummary(
            id=r.id,
            mrn=r.mrn,
            family_name=r.family_name,
            given_name=r.given_name,
            date_of_birth=r.date_of_birth,
            procedure_count=stats.get(r.id, (0, None))[0],
            last_procedure_at=stats.get(r.id, (0, None))[1],
        )
        for r in rows
    ]
