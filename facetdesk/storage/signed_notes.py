"""Signed notes as stored: the PDF and hashes kept at signing, and a walk over every signed procedure."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session

from facetdesk.domain.procedure import Procedure
from facetdesk.storage.procedures import full_load, procedure_from_row
from facetdesk.storage.tables import ProcedureRow, SignedNoteRow


@dataclass(frozen=True)
class SignedNote:
    """What was stored when a procedure was signed (signed_notes), for verification and reprinting."""

    procedure_id: int
    content_sha256: str
    pdf_sha256: str
    pdf: bytes
    signed_at: datetime


def signed_note(session: Session, procedure_id: int) -> SignedNote | None:
    row = session.get(SignedNoteRow, procedure_id)
    if row is None:
        return None
    return SignedNote(row.procedure_id, row.content_sha256, row.pdf_sha256, row.pdf, row.signed_at)


@dataclass(frozen=True)
class StoredSignedProcedure:
    """A signed procedure as stored, with its patient, addendum hashes and whether a signed note exists."""

    patient_id: int
    procedure: Procedure | None  # None: the stored rows no longer make a valid record
    problem: str | None
    addendum_hashes: tuple[str | None, ...]
    note: SignedNote | None


def iter_signed_procedures(session: Session, batch: int = 200) -> Iterator[StoredSignedProcedure]:
    """Every signed procedure, by id, in batches (for verification of a whole database)."""
    after = 0
    while True:
        rows = session.scalars(
            sa.select(ProcedureRow)
            .where(ProcedureRow.signed_at.is_not(None), ProcedureRow.id > after)
            .order_by(ProcedureRow.id)
            .limit(batch)
            .options(*full_load())
        ).all()
        if not rows:
            return
        for row in rows:
            try:
                procedure, problem = procedure_from_row(row), None
            except ValidationError as exc:
                procedure, problem = None, f"its stored rows are not a valid record ({exc.error_count()} errors)"
            yield StoredSignedProcedure(
                row.patient_id,
                procedure,
                problem,
                tuple(a.content_sha256 for a in row.addenda),
                signed_note(session, row.id),
            )
        after = rows[-1].id
