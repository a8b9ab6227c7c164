"""Patient repository: save, load and search patients as domain models."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import operators
from sqlalchemy.sql.expression import UnaryExpression

from facetdesk.domain.base import STORED, is_row_id
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.patient import Patient
from facetdesk.domain.text import storable_text
from facetdesk.storage.errors import DuplicateMrn, RecordNotFound, StaleRecord
from facetdesk.storage.folded import PART, stacked
from facetdesk.storage.tables import (
    PatientAllergyRow,
    PatientAnticoagulantRow,
    PatientRow,
    PatientToxinElsewhereRow,
    ProcedureRow,
    utcnow,
)
from facetdesk.storage.textkey import fold, starts_with

# A search box never needs more; beyond this the user should type more letters.
MAX_SEARCH_LIMIT = 1000
# "given middle family" splits are tried at every word boundary; names have few words.
_MAX_NAME_WORDS = 6


@dataclass(frozen=True)
class PatientCursor:
    """Where a page of the patient list ended: the last row's place in list order (folded names, then id)."""

    family_key: str
    given_key: str
    id: int


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
    # Pass as ``after`` to search_patients for the rows that follow this one.
    cursor: PatientCursor | None = field(default=None, compare=False, repr=False)

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"


def _load_options() -> tuple:
    return (
        selectinload(PatientRow.anticoagulants),
        selectinload(PatientRow.allergies),
        selectinload(PatientRow.toxin_elsewhere),
    )


# The patient's own columns, as the domain model names them (version: the row's version_id).
_PATIENT_FIELDS = (
    "id", "mrn", "family_name", "given_name", "date_of_birth", "sex", "weight_kg", "diabetes", "pregnant",
    "neuromuscular_disease", "injection_site_infection", "renal_impairment", "inr", "inr_taken_at", "inr_normal",
    "takes_anticoagulants", "had_toxin_elsewhere",
)  # fmt: skip
_TOXIN_FIELDS = ("given_on", "product", "units", "indication", "source")


def _patient(row: Any, anticoagulants: list[Any], allergies: list[str], toxins: list[Any]) -> Patient:
    """The domain patient from its row and its children's rows (ORM objects or result rows alike)."""
    fields = {name: getattr(row, name) for name in _PATIENT_FIELDS}
    return Patient.model_validate(
        {
            **fields,
            "version": row.version_id,
            "anticoagulants": [{"agent": a.agent, "last_dose_at": a.last_dose_at} for a in anticoagulants],
            "allergies": allergies,
            "toxin_elsewhere": [{name: getattr(t, name) for name in _TOXIN_FIELDS} for t in toxins],
        },
        context=STORED,
    )


def patient_from_row(row: PatientRow) -> Patient:
    return _patient(row, row.anticoagulants, [a.text for a in row.allergies], row.toxin_elsewhere)


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
    row.renal_impairment = patient.renal_impairment
    row.inr = patient.inr
    row.inr_taken_at = patient.inr_taken_at
    row.inr_normal = patient.inr_normal
    row.takes_anticoagulants = patient.takes_anticoagulants
    row.had_toxin_elsewhere = patient.had_toxin_elsewhere
    row.updated_at = utcnow()
    row.anticoagulants = [
        PatientAnticoagulantRow(position=i, agent=a.agent, last_dose_at=a.last_dose_at)
        for i, a in enumerate(patient.anticoagulants)
    ]
    row.allergies = [PatientAllergyRow(position=i, text=text) for i, text in enumerate(patient.allergies)]
    row.toxin_elsewhere = [
        PatientToxinElsewhereRow(
            position=i,
            given_on=t.given_on,
            product=t.product.value,
            units=t.units,
            indication=t.indication,
            source=t.source,
        )
        for i, t in enumerate(patient.toxin_elsewhere)
    ]


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
        if row.version_id != patient.version:
            raise StaleRecord("patient")
        # Old child rows go first: the new list may reuse their keys.
        row.anticoagulants.clear()
        row.allergies.clear()
        row.toxin_elsewhere.clear()
        session.flush()
    try:
        # A savepoint keeps the session usable if another workstation took the MRN
        # between the check above and this write (possible on PostgreSQL).
        with session.begin_nested():
            _fill(row, patient)
            session.add(row)
            session.flush()  # an UPDATE checks the version read above (version_id_col)
    except StaleDataError:
        raise StaleRecord("patient") from None
    except sa_exc.IntegrityError:
        if _mrn_owner(session, patient.mrn) not in (None, patient.id):
            raise DuplicateMrn(patient.mrn) from None
        raise
    return patient.model_copy(update={"id": row.id, "version": row.version_id})


def lock_patient(session: Session, patient_id: int, *, shared: bool = False) -> Patient | None:
    """The patient, its row locked to the end of the transaction (``shared``: only against changes to it).

    For checks that span records (a procedure's date against the date of birth): the patient locked
    shared while a procedure is saved cannot get a new date of birth meanwhile, and a patient locked
    exclusively while its date of birth changes cannot get a procedure before it (PostgreSQL; SQLite's
    writers are serialised already).
    """
    if not is_row_id(patient_id):
        return None
    row = session.scalar(
        sa.select(PatientRow).where(PatientRow.id == patient_id).options(*_load_options()).with_for_update(read=shared)
    )
    return None if row is None else patient_from_row(row)


def anticoagulant_counts(session: Session) -> dict[str, int]:
    """How many patients have each anticoagulant or antiplatelet recorded (the clinic's usual ones first)."""
    rows = session.execute(
        sa.select(PatientAnticoagulantRow.agent, sa.func.count()).group_by(PatientAnticoagulantRow.agent)
    )
    return {agent: count for agent, count in rows}


def get_patient(session: Session, patient_id: int) -> Patient | None:
    """The patient and its anticoagulants, allergies and toxin given elsewhere, read in one statement."""
    if not is_row_id(patient_id):  # no row has it, and a huge number cannot even be bound to the query
        return None
    patients, anticoagulants, allergies = PatientRow, PatientAnticoagulantRow, PatientAllergyRow
    toxins = PatientToxinElsewhereRow
    statement = stacked(
        sa.select(patients.version_id, *(getattr(patients, name) for name in _PATIENT_FIELDS)).where(
            patients.id == patient_id
        ),
        sa.select(anticoagulants.position, anticoagulants.agent, anticoagulants.last_dose_at).where(
            anticoagulants.patient_id == patient_id
        ),
        sa.select(allergies.position, allergies.text).where(allergies.patient_id == patient_id),
        sa.select(toxins.position, *(getattr(toxins, name) for name in _TOXIN_FIELDS)).where(
            toxins.patient_id == patient_id
        ),
    ).order_by(sa.literal_column(PART), sa.literal_column("position"))
    parts: tuple[list[sa.Row], ...] = ([], [], [], [])
    for row in _core(session).execute(statement):
        parts[row.part].append(row)
    if not parts[0]:
        return None
    return _patient(parts[0][0], parts[1], [a.text for a in parts[2]], parts[3])


def patients_by_id(session: Session, patient_ids: Collection[int]) -> dict[int, Patient]:
    """The patients with these ids (two queries for their allergies and anticoagulants, whatever the count)."""
    wanted = sorted({i for i in patient_ids if is_row_id(i)})
    if not wanted:
        return {}
    rows = session.scalars(sa.select(PatientRow).where(PatientRow.id.in_(wanted)).options(*_load_options()))
    return {row.id: patient_from_row(row) for row in rows}


def find_patient_by_mrn(session: Session, mrn: str) -> Patient | None:
    """The patient with this MRN, ignoring case and surrounding spaces."""
    row = session.scalar(sa.select(PatientRow).where(PatientRow.mrn_key == fold(mrn)).options(*_load_options()))
    return None if row is None else patient_from_row(row)


def _name_match(family: str, given: str) -> sa.ColumnElement[bool]:
    condition = starts_with(PatientRow.family_key, family)
    return sa.and_(condition, starts_with(PatientRow.given_key, given)) if given else condition


@dataclass(frozen=True)
class _Branches:
    """A search split by how its matches come out of the indexes.

    ``in_order``: conditions that each hold a range on family_key, so the name index yields their matches
    already in list order. ``scattered``: the MRN and given-name prefixes, whose matches lie all over the
    list and need either a sort or a walk along the name index (_scattered_condition).
    """

    in_order: tuple[sa.ColumnElement[bool], ...]
    # (key column, folded prefix, walk along the name index from this many matches on)
    scattered: tuple[tuple[sa.ColumnElement[str], str, int], ...] = ()


def _branches(text: str) -> _Branches | None:
    """None: no condition (list everyone)."""
    if "," in text:
        family, _, given = text.partition(",")
        return _Branches((_name_match(fold(family), fold(given)),))
    query = fold(text)
    if not query:
        return None
    in_order = [starts_with(PatientRow.family_key, query)]
    words = query.split(" ")[:_MAX_NAME_WORDS]
    for i in range(1, len(words)):
        head, tail = " ".join(words[:i]), " ".join(words[i:])
        in_order.append(_name_match(tail, head))  # "given family"
        in_order.append(_name_match(head, tail))  # "family given"
    columns = PatientRow.__table__.c
    return _Branches(
        tuple(in_order),
        ((columns.mrn_key, query, _WALK_FROM_MRN), (columns.given_key, query, _WALK_FROM_GIVEN)),
    )


def _search_condition(text: str) -> sa.ColumnElement[bool] | None:
    """The whole search as one condition (None: everyone); _matching_page reads it branch by branch."""
    branches = _branches(text)
    if branches is None:
        return None
    return sa.or_(*branches.in_order, *(starts_with(column, query) for column, query, _ in branches.scattered))


_LIST_ORDER = (PatientRow.family_key, PatientRow.given_key, PatientRow.id)
# Below this many matches a scattered branch is read through its own index and its matches sorted; from here
# on a walk along the name index, stopping after one page, costs less (a page of matches turns up every
# N/matches rows). The given name is in the name index, so walking for it reads the index alone and pays
# sooner; walking for the MRN reads each row. Measured on 100,000 patients (benchmarks/bench_records.py).
# Counting stops at the threshold, so the count itself stays cheap.
_WALK_FROM_GIVEN = 500
_WALK_FROM_MRN = 2000


def _unindexed(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    # SQLite's documented way to keep a term from choosing an index: a unary plus. The only index left
    # for the query is then the name index, read in list order and stopped after one page.
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def _core(session: Session) -> sa.Connection:
    # The list queries select columns, not entities: run on the session's connection (same transaction),
    # skipping the ORM's result machinery, which costs more per keystroke than the queries themselves.
    return session.connection()


def _after(cursor: PatientCursor) -> sa.ColumnElement[bool]:
    # Keyset pagination: the rows after the cursor in list order. The plain range on family_key lets any
    # b-tree index start at the cursor; the row comparison then skips the ties before it.
    return sa.and_(
        PatientRow.family_key >= cursor.family_key,
        sa.tuple_(*_LIST_ORDER) > sa.tuple_(cursor.family_key, cursor.given_key, cursor.id),
    )


def _page_query(condition: sa.ColumnElement[bool] | None, after: PatientCursor | None, limit: int) -> sa.Select:
    stmt = sa.select(
        PatientRow.id,
        PatientRow.mrn,
        PatientRow.family_name,
        PatientRow.given_name,
        PatientRow.date_of_birth,
        PatientRow.family_key,
        PatientRow.given_key,
    )
    if condition is not None:
        stmt = stmt.where(condition)
    if after is not None:
        stmt = stmt.where(_after(after))
    return stmt.order_by(*_LIST_ORDER).limit(limit)


def _scattered_condition(
    session: Session, column: sa.ColumnElement[str], query: str, walk_from: int
) -> sa.ColumnElement[bool]:
    if session.get_bind().dialect.name == "sqlite":
        # SQLite keeps no statistics to tell a prefix matching a tenth of the clinic (read along the name
        # index: a page of matches turns up quickly) from one matching a few patients (read through the
        # key's own index and sorted); counting up to ``walk_from`` tells them apart cheaply (in the process:
        # no round trip).
        matches = _core(session).scalar(
            sa.select(sa.func.count()).select_from(
                sa.select(sa.literal(1)).where(starts_with(column, query)).limit(walk_from).subquery()
            )
        )
        if (matches or 0) >= walk_from:
            return starts_with(_unindexed(column), query)
    # PostgreSQL estimates a prefix's matches from its own statistics and chooses the plan itself.
    return starts_with(column, query)


def _matching_page(session: Session, text: str, after: PatientCursor | None, limit: int) -> sa.Select:
    """The page's rows in list order, as one query: each kind of branch reads at most ``limit`` rows in list
    order through its own index, and their union gives the page (a row found twice is one row)."""
    branches = _branches(text)
    if branches is None:
        return _page_query(None, after, limit)
    conditions = [sa.or_(*branches.in_order)]
    conditions += [_scattered_condition(session, *scattered) for scattered in branches.scattered]
    reads = [sa.select(_page_query(c, after, limit).subquery()) for c in conditions]
    hits = sa.union(*reads).subquery("hits") if len(reads) > 1 else reads[0].subquery("hits")
    return sa.select(hits).order_by(hits.c.family_key, hits.c.given_key, hits.c.id).limit(limit)


def search_patients(
    session: Session, text: str, limit: int = 200, after: PatientCursor | None = None
) -> list[PatientSummary]:
    """Patients whose MRN, family name or given name starts with ``text`` (any case, accents ignored).

    "family, given" and "given family" narrow by both names; empty text lists everyone
    alphabetically. Each condition is a range on an indexed key column, and at most
    ``limit`` rows are read per condition, so the search stays fast on a clinic-sized database.
    ``after`` (the ``cursor`` of the last summary of the previous page) asks for the next page.
    The page and its procedure counts come in one statement: one round trip to a server.
    """
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidRecord([FieldError(("limit",), f"must be a whole number from 1 to {MAX_SEARCH_LIMIT}")])
    limit = max(1, min(limit, MAX_SEARCH_LIMIT))
    if not storable_text(text):
        return []  # stored names and MRNs are valid UTF-8, so text that is not (a lone surrogate) matches none
    page = _matching_page(session, text, after, limit).cte("page")
    # Counts only for the rows shown, via the (patient_id, performed_at) index.
    stats = (
        sa.select(
            ProcedureRow.patient_id,
            sa.func.count().label("procedure_count"),
            sa.func.max(ProcedureRow.performed_at).label("last_procedure_at"),
        )
        .where(ProcedureRow.patient_id.in_(sa.select(page.c.id)))
        .group_by(ProcedureRow.patient_id)
        .subquery("stats")
    )
    rows = _core(session).execute(
        sa.select(page, stats.c.procedure_count, stats.c.last_procedure_at)
        .select_from(page.outerjoin(stats, stats.c.patient_id == page.c.id))
        .order_by(page.c.family_key, page.c.given_key, page.c.id)
    )
    return [
        PatientSummary(
            id=r.id,
            mrn=r.mrn,
            family_name=r.family_name,
            given_name=r.given_name,
            date_of_birth=r.date_of_birth,
            procedure_count=r.procedure_count or 0,
            last_procedure_at=r.last_procedure_at,
            cursor=PatientCursor(r.family_key, r.given_key, r.id),
        )
        for r in rows
    ]
