"""Cryptographic signatures as stored (insert-only), the legacy list, and the signed document of a procedure."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from facetdesk.storage.tables import LegacySignedRow, SignatureRow, SignedNoteRow


@dataclass(frozen=True)
class StoredSignature:
    id: int
    procedure_id: int
    part: int  # 0: the procedure; n: its addendum n
    key_id: int | None
    signer_certificate: bytes | None
    signed_elsewhere: bool
    content_format: int
    content: str
    envelope: str
    signature: bytes
    pdf: bytes
    signed_at: datetime


def _signature(row: SignatureRow) -> StoredSignature:
    return StoredSignature(
        row.id,
        row.procedure_id,
        row.part,
        row.key_id,
        row.signer_certificate,
        row.signed_elsewhere,
        row.content_format,
        row.content,
        row.envelope,
        row.signature,
        row.pdf,
        row.signed_at,
    )


def add_signature(session: Session, signature: StoredSignature) -> StoredSignature:
    row = SignatureRow(
        procedure_id=signature.procedure_id,
        part=signature.part,
        key_id=signature.key_id,
        signer_certificate=signature.signer_certificate,
        signed_elsewhere=signature.signed_elsewhere,
        content_format=signature.content_format,
        content=signature.content,
        envelope=signature.envelope,
        signature=signature.signature,
        pdf=signature.pdf,
        signed_at=signature.signed_at,
    )
    session.add(row)
    session.flush()
    return _signature(row)


def signatures_of(session: Session, procedure_id: int) -> list[StoredSignature]:
    """The procedure's signatures, part 0 (the procedure) first, then each addendum's."""
    rows = session.scalars(
        sa.select(SignatureRow).where(SignatureRow.procedure_id == procedure_id).order_by(SignatureRow.part)
    )
    return [_signature(r) for r in rows]


def signed_content(session: Session, procedure_id: int) -> tuple[int, str] | None:
    """The format and signed content of the procedure's own signature (part 0), without its PDF; None if none."""
    found = session.execute(
        sa.select(SignatureRow.content_format, SignatureRow.content).where(
            SignatureRow.procedure_id == procedure_id, SignatureRow.part == 0
        )
    ).first()
    return None if found is None else (found[0], found[1])


def signed_document(session: Session, procedure_id: int) -> bytes | None:
    """The signed PDF as it stands: the latest part's (the note and every addendum), or a legacy signed note."""
    pdf = session.scalar(
        sa.select(SignatureRow.pdf)
        .where(SignatureRow.procedure_id == procedure_id)
        .order_by(SignatureRow.part.desc())
        .limit(1)
    )
    if pdf is not None:
        return pdf
    return session.scalar(sa.select(SignedNoteRow.pdf).where(SignedNoteRow.procedure_id == procedure_id))


def iter_signatures(session: Session, batch: int = 200) -> Iterator[StoredSignature]:
    after = 0
    while True:
        rows = session.scalars(
            sa.select(SignatureRow).where(SignatureRow.id > after).order_by(SignatureRow.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from (_signature(r) for r in rows)
        after = rows[-1].id


def legacy_signed_ids(session: Session) -> list[int]:
    return list(session.scalars(sa.select(LegacySignedRow.procedure_id).order_by(LegacySignedRow.procedure_id)))
