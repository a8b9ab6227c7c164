"""Follow-up repository: store and read follow-up visits as domain models, with optimistic concurrency."""

from __future__ import annotations

from collections.abc import Collection, Iterator

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from facetdesk.domain.base import STORED, is_row_id
from facetdesk.domain.follow_up import FollowUp
from facetdesk.storage import pages
from facetdesk.storage.errors import RecordNotFound, StaleRecord
from facetdesk.storage.procedures import MAX_PAGE
from facetdesk.storage.tables import FollowUpRow, ProcedureRow, column_value, utcnow

# Every field but the row's bookkeeping and the procedure link is a column of the same name.
_COLUMNS = tuple(name for name in FollowUp.model_fields if name not in ("id", "version", "procedure_uid"))


def _from_row(row: FollowUpRow, procedure_uid: str) -> FollowUp:
    values = {name: getattr(row, name) for name in _COLUMNS}
    bookkeeping = {"id": row.id, "version": row.version_id, "procedure_uid": procedure_uid}
    return FollowUp.model_validate(bookkeeping | values, context=STORED)


def _procedure_id(session: Session, uid: str) -> int:
    found = session.scalar(sa.select(ProcedureRow.id).where(ProcedureRow.uid == uid))
    if found is None:
        raise RecordNotFound("The procedure is no longer in the database.")
    return found


def save_follow_up(session: Session, follow_up: FollowUp) -> FollowUp:
    """Insert (``id`` None) or update; StaleRecord when another workstation saved it since it was read."""
    procedure_id = _procedure_id(session, follow_up.procedure_uid)
    if follow_up.id is None:
        row = FollowUpRow(procedure_id=procedure_id)
        session.add(row)
    else:
        found = session.get(FollowUpRow, follow_up.id)
        if found is None:
            raise RecordNotFound("The follow-up is no longer in the database.")
        if found.procedure_id != procedure_id:
            raise ValueError(f"follow-up {follow_up.id} belongs to another procedure")
        if found.version_id != follow_up.version:
            raise StaleRecord("follow-up visit")
        row = found
    for name in _COLUMNS:
        setattr(row, name, column_value(getattr(follow_up, name)))
    row.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError:
        raise StaleRecord("follow-up visit") from None
    return follow_up.model_copy(update={"id": row.id, "version": row.version_id})


def follow_ups_for_patient(session: Session, patient_id: int) -> list[FollowUp]:
    """Every follow-up of the patient's procedures, oldest visit first."""
    rows = session.execute(
        sa.select(FollowUpRow, ProcedureRow.uid)
        .join(ProcedureRow, ProcedureRow.id == FollowUpRow.procedure_id)
        .where(ProcedureRow.patient_id == patient_id)
        .order_by(FollowUpRow.seen_on, FollowUpRow.id)
    )
    return [_from_row(row, uid) for row, uid in rows]


def follow_ups_of_procedures(session: Session, procedure_ids: Collection[int]) -> dict[int, list[FollowUp]]:
    """Procedure id -> its follow-ups, oldest visit first (procedures without any are left out).

    One query per MAX_PAGE procedures, through the index on follow_ups.procedure_id: a registry export asks
    this once per page of procedures.
    """
    wanted = sorted({i for i in procedure_ids if is_row_id(i)})
    out: dict[int, list[FollowUp]] = {}
    for i in range(0, len(wanted), MAX_PAGE):
        rows = session.execute(
            sa.select(FollowUpRow, ProcedureRow.uid)
            .join(ProcedureRow, ProcedureRow.id == FollowUpRow.procedure_id)
            .where(FollowUpRow.procedure_id.in_(wanted[i : i + MAX_PAGE]))
            .order_by(FollowUpRow.procedure_id, FollowUpRow.seen_on, FollowUpRow.id)
        )
        for row, uid in rows:
            out.setdefault(row.procedure_id, []).append(_from_row(row, uid))
    return out


def get_follow_up(session: Session, follow_up_id: int) -> FollowUp | None:
    row = session.get(FollowUpRow, follow_up_id)
    if row is None:
        return None
    uid = session.scalar(sa.select(ProcedureRow.uid).where(ProcedureRow.id == row.procedure_id))
    assert uid is not None  # the foreign key keeps the procedure
    return _from_row(row, uid)


def iter_follow_ups(session: Session, batch: int = 500) -> Iterator[tuple[int, FollowUp | None]]:
    """Every follow-up by id (for verification); None where the stored row no longer makes a valid record."""
    query = sa.select(FollowUpRow, ProcedureRow.uid).join(ProcedureRow, ProcedureRow.id == FollowUpRow.procedure_id)
    for row, uid in pages.by_id(session, query, FollowUpRow.id, batch):
        try:
            yield row.id, _from_row(row, uid)
        except ValidationError:
            yield row.id, None
