"""The EHR outbox (ehr_messages): messages queued at signing, claimed by one workstation at a time, and their fate."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, undefer

from facetdesk.domain.ehr import DeliveryStatus, Destination, MessageKind, MessageRoute, OutboxEntry
from facetdesk.storage import pages
from facetdesk.storage.tables import EhrMessageRow, PatientRow, ProcedureRow


@dataclass(frozen=True)
class NewMessage:
    procedure_id: int
    part: int
    kind: MessageKind
    destination: Destination
    target: str
    control_id: str
    file_name: str
    sha256: str
    payload: bytes

    @property
    def route(self) -> MessageRoute:
        return _route(self)


def _route(m: NewMessage | Claimed | EhrMessageRow) -> MessageRoute:
    return MessageRoute(
        procedure_id=m.procedure_id,
        part=m.part,
        kind=m.kind if isinstance(m.kind, str) else m.kind.value,
        destination=m.destination if isinstance(m.destination, str) else m.destination.value,
        target=m.target,
        control_id=m.control_id,
        file_name=m.file_name,
        sha256=m.sha256,
    )


@dataclass(frozen=True)
class Claimed:
    """A message this workstation now owns until it records the outcome."""

    id: int
    procedure_id: int
    kind: MessageKind
    destination: Destination
    target: str
    control_id: str
    file_name: str
    attempts: int
    payload: bytes
    part: int
    sha256: str

    @property
    def route(self) -> MessageRoute:
        return _route(self)


def add_messages(session: Session, messages: list[NewMessage], now: datetime) -> list[int]:
    rows = [
        EhrMessageRow(
            procedure_id=m.procedure_id,
            part=m.part,
            kind=m.kind.value,
            destination=m.destination.value,
            target=m.target,
            control_id=m.control_id,
            file_name=m.file_name,
            status=DeliveryStatus.PENDING.value,
            attempts=0,
            last_error="",
            ack_code="",
            created_at=now,
            next_attempt_at=now,
            sha256=m.sha256,
            payload=m.payload,
        )
        for m in messages
    ]
    session.add_all(rows)
    session.flush()
    return [r.id for r in rows]


def due_ids(session: Session, now: datetime, stale_after: timedelta) -> list[int]:
    """Pending messages whose time has come, and claims older than ``stale_after`` (a workstation that quit)."""
    pending = sa.and_(EhrMessageRow.status == DeliveryStatus.PENDING.value, EhrMessageRow.next_attempt_at <= now)
    abandoned = sa.and_(
        EhrMessageRow.status == DeliveryStatus.SENDING.value, EhrMessageRow.claimed_at < now - stale_after
    )
    return list(
        session.scalars(sa.select(EhrMessageRow.id).where(sa.or_(pending, abandoned)).order_by(EhrMessageRow.id))
    )


def claim(session: Session, message_id: int, now: datetime, stale_after: timedelta) -> Claimed | None:
    """Mark the message as being sent by this workstation; None when another one claimed or finished it first."""
    claimable = sa.or_(
        EhrMessageRow.status == DeliveryStatus.PENDING.value,
        sa.and_(EhrMessageRow.status == DeliveryStatus.SENDING.value, EhrMessageRow.claimed_at < now - stale_after),
    )
    # One UPDATE with the condition: of two workstations, exactly one sees a row changed.
    result = session.execute(
        sa.update(EhrMessageRow)
        .where(EhrMessageRow.id == message_id, claimable)
        .values(status=DeliveryStatus.SENDING.value, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    row = session.get(EhrMessageRow, message_id, populate_existing=True)
    assert row is not None
    return Claimed(
        row.id,
        row.procedure_id,
        MessageKind(row.kind),
        Destination(row.destination),
        row.target,
        row.control_id,
        row.file_name,
        row.attempts,
        row.payload,
        row.part,
        row.sha256,
    )


def record_outcome(
    session: Session,
    message_id: int,
    status: DeliveryStatus,
    *,
    attempts: int,
    error: str = "",
    ack_code: str = "",
    next_attempt_at: datetime | None = None,
    sent_at: datetime | None = None,
) -> None:
    session.execute(
        sa.update(EhrMessageRow)
        .where(EhrMessageRow.id == message_id)
        .values(
            status=status.value,
            attempts=attempts,
            last_error=error,
            ack_code=ack_code,
            next_attempt_at=next_attempt_at,
            sent_at=sent_at,
            claimed_at=None,
        )
        .execution_options(synchronize_session=False)
    )


def requeue(session: Session, message_id: int, now: datetime) -> bool:
    """A failed message back to pending, due now (a person chose to retry it)."""
    result = session.execute(
        sa.update(EhrMessageRow)
        .where(EhrMessageRow.id == message_id, EhrMessageRow.status == DeliveryStatus.FAILED.value)
        .values(status=DeliveryStatus.PENDING.value, next_attempt_at=now, last_error="")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def list_entries(session: Session, limit: int = 500) -> list[OutboxEntry]:
    """The newest messages first, with the patient and the procedure's date for the outbox view."""
    rows = session.execute(
        sa.select(
            EhrMessageRow,
            PatientRow.family_name,
            PatientRow.given_name,
            PatientRow.mrn,
            ProcedureRow.performed_at,
        )
        .join(ProcedureRow, ProcedureRow.id == EhrMessageRow.procedure_id)
        .join(PatientRow, PatientRow.id == ProcedureRow.patient_id)
        .order_by(EhrMessageRow.id.desc())
        .limit(limit)
    )
    return [
        OutboxEntry(
            id=m.id,
            procedure_id=m.procedure_id,
            part=m.part,
            kind=MessageKind(m.kind),
            destination=Destination(m.destination),
            target=m.target,
            control_id=m.control_id,
            status=DeliveryStatus(m.status),
            attempts=m.attempts,
            last_error=m.last_error,
            created_at=m.created_at,
            next_attempt_at=m.next_attempt_at,
            sent_at=m.sent_at,
            ack_code=m.ack_code,
            patient=f"{family}, {given} ({mrn})",
            performed_at=performed,
        )
        for m, family, given, mrn, performed in rows
    ]


def count_by_status(session: Session) -> dict[DeliveryStatus, int]:
    rows = session.execute(sa.select(EhrMessageRow.status, sa.func.count()).group_by(EhrMessageRow.status))
    counts = {status: 0 for status in DeliveryStatus}
    for status, n in rows:
        counts[DeliveryStatus(status)] = n
    return counts


def iter_messages(session: Session, batch: int = 100) -> Iterator[tuple[int, MessageRoute, bytes]]:
    """Every message's id, route and exact bytes, by id (for verification)."""
    query = sa.select(EhrMessageRow).options(undefer(EhrMessageRow.payload))
    for (row,) in pages.by_id(session, query, EhrMessageRow.id, batch):
        yield row.id, _route(row), row.payload
