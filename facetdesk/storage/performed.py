"""Procedures performed in a time range, with their patients, read in pages for registry exports.

Both reads go through an index: the date-ordered pages through ix_procedures_performed_at (keyset on
(performed_at, id), so a page costs the same wherever it starts), the per-patient batches through
ix_procedures_patient_performed. Neither holds more than one page of records at a time.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from facetdesk.domain.base import is_row_id
from facetdesk.domain.enums import Technique
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.storage.patients import patients_by_id
from facetdesk.storage.procedures import MAX_PAGE, ProcedureCursor, full_load, procedure_from_row
from facetdesk.storage.tables import ProcedureRow


@dataclass(frozen=True)
class PerformedPage:
    """One page of procedures, oldest first, each with its patient.

    ``cursor``: pass as ``after`` for the next page; None when this page was the last.
    """

    records: list[tuple[Patient, Procedure]]
    cursor: ProcedureCursor | None


def _in_range(start: datetime, end: datetime | None) -> list[sa.ColumnElement[bool]]:
    # Half-open [start, end): the caller turns "to this date, inclusive" into the next midnight.
    conditions = [ProcedureRow.performed_at >= start]
    if end is not None:
        conditions.append(ProcedureRow.performed_at < end)
    return conditions


def _with_patients(session: Session, rows: list[ProcedureRow]) -> list[tuple[Patient, Procedure]]:
    patients = patients_by_id(session, {row.patient_id for row in rows})
    return [(patients[row.patient_id], procedure_from_row(row)) for row in rows]


def performed_between(
    session: Session,
    start: datetime,
    end: datetime | None,
    after: ProcedureCursor | None = None,
    limit: int = MAX_PAGE,
) -> PerformedPage:
    """Procedures performed in [start, end) (``end`` None: no upper bound), oldest first, ties by id.

    ``after`` is the previous page's cursor. Three queries for the procedures and their child rows
    plus three for their patients, whatever the page's length (``limit``, at most MAX_PAGE).
    """
    limit = max(1, min(limit, MAX_PAGE))
    stmt = sa.select(ProcedureRow).where(*_in_range(start, end))
    if after is not None:
        # The plain range lets the index start at the cursor; the row comparison breaks ties by id.
        stmt = stmt.where(
            ProcedureRow.performed_at >= after.performed_at,
            sa.tuple_(ProcedureRow.performed_at, ProcedureRow.id) > sa.tuple_(after.performed_at, after.id),
        )
    stmt = stmt.order_by(ProcedureRow.performed_at, ProcedureRow.id).limit(limit).options(*full_load())
    rows = list(session.scalars(stmt))
    # The cursor is the stored value, not the validated one (which drops seconds): a row stored with
    # seconds would otherwise sort after its own cursor and be read again.
    cursor = ProcedureCursor(rows[-1].performed_at, rows[-1].id) if len(rows) == limit else None
    return PerformedPage(_with_patients(session, rows), cursor)


def patients_performed_between(session: Session, start: datetime, end: datetime | None) -> list[int]:
    """The ids of the patients with a procedure in [start, end), in id order (ids only, one query)."""
    stmt = sa.select(ProcedureRow.patient_id).where(*_in_range(start, end)).distinct()
    return sorted(session.scalars(stmt))


def performed_by_patients(
    session: Session,
    patient_ids: Collection[int],
    start: datetime,
    end: datetime | None,
    technique: Technique | None = None,
) -> list[tuple[Patient, Procedure]]:
    """The procedures in [start, end) of these patients (at most MAX_PAGE ids), by patient, oldest first;
    only those of ``technique`` when it is given."""
    wanted = sorted({i for i in patient_ids if is_row_id(i)})
    if not wanted:
        return []
    if len(wanted) > MAX_PAGE:
        raise ValueError(f"at most {MAX_PAGE} patients per batch")
    conditions = [ProcedureRow.patient_id.in_(wanted), *_in_range(start, end)]
    if technique is not None:
        conditions.append(ProcedureRow.technique == technique.value)
    stmt = (
        sa.select(ProcedureRow)
        .where(*conditions)
        .order_by(ProcedureRow.patient_id, ProcedureRow.performed_at, ProcedureRow.id)
        .options(*full_load())
    )
    return _with_patients(session, list(session.scalars(stmt)))
