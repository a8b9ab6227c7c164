"""Stored records walked whole for verification: every patient, every procedure (or every signed one)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session

from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.storage.patients import _load_options, patient_from_row
from facetdesk.storage.procedures import full_load, procedure_from_row
from facetdesk.storage.tables import PatientRow, ProcedureRow


@dataclass(frozen=True)
class StoredProcedure:
    """A procedure as stored, with its patient's id; ``procedure`` is None when the rows are no valid record."""

    id: int
    patient_id: int
    signed: bool
    procedure: Procedure | None
    problem: str | None


def iter_procedures(session: Session, *, signed_only: bool = False, batch: int = 200) -> Iterator[StoredProcedure]:
    """Every procedure (or every signed one), by id, in batches."""
    after = 0
    while True:
        query = sa.select(ProcedureRow).where(ProcedureRow.id > after)
        if signed_only:
            query = query.where(ProcedureRow.signed_at.is_not(None))
        rows = session.scalars(query.order_by(ProcedureRow.id).limit(batch).options(*full_load())).all()
        if not rows:
            return
        for row in rows:
            try:
                procedure, problem = procedure_from_row(row), None
            except ValidationError as exc:
                procedure, problem = None, f"its stored rows are not a valid record ({exc.error_count()} errors)"
            yield StoredProcedure(row.id, row.patient_id, row.signed_at is not None, procedure, problem)
        after = rows[-1].id


def iter_patients(session: Session, batch: int = 500) -> Iterator[tuple[int, Patient | None]]:
    """Every patient by id; None where the stored rows no longer make a valid record."""
    after = 0
    while True:
        rows = session.scalars(
            sa.select(PatientRow)
            .where(PatientRow.id > after)
            .order_by(PatientRow.id)
            .limit(batch)
            .options(*_load_options())
        ).all()
        if not rows:
            return
        for row in rows:
            try:
                yield row.id, patient_from_row(row)
            except ValidationError:
                yield row.id, None
        after = rows[-1].id
