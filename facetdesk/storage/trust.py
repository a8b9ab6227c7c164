"""Keys and certificates as stored: the clinic CA and its key shares, physicians' signing keys and their history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from facetdesk.storage.tables import CaKeyShareRow, ClinicCaRow, SigningKeyRow, UserRow, utcnow


@dataclass(frozen=True)
class StoredCa:
    id: int
    certificate: bytes  # DER
    fingerprint: str
    created_at: datetime


@dataclass(frozen=True)
class StoredKey:
    """A signing key as stored; ``wrapped`` is the encrypted private keys (opened only with the password)."""

    id: int
    user_id: int
    username: str
    display_name: str
    public_key: bytes
    pdf_public_key: bytes
    fingerprint: str
    content_certificate: bytes | None
    pdf_certificate: bytes | None
    wrapped: bytes
    created_at: datetime
    certified_at: datetime | None
    retired_at: datetime | None
    retired_reason: str | None

    @property
    def certified(self) -> bool:
        return self.content_certificate is not None and self.pdf_certificate is not None

    @property
    def active(self) -> bool:
        return self.retired_at is None


def _ca(row: ClinicCaRow) -> StoredCa:
    return StoredCa(row.id, row.certificate, row.fingerprint, row.created_at)


def clinic_cas(session: Session) -> list[StoredCa]:
    """Every clinic CA this database trusts, oldest first (normally one)."""
    return [_ca(r) for r in session.scalars(sa.select(ClinicCaRow).order_by(ClinicCaRow.id))]


def add_ca(session: Session, certificate: bytes, fingerprint: str) -> StoredCa:
    row = ClinicCaRow(certificate=certificate, fingerprint=fingerprint, created_at=utcnow())
    session.add(row)
    session.flush()
    return _ca(row)


def ca_share(session: Session, user_id: int) -> tuple[StoredCa, bytes] | None:
    """The newest CA whose key this user holds a share of, with the share."""
    row = session.execute(
        sa.select(ClinicCaRow, CaKeyShareRow.wrapped)
        .join(CaKeyShareRow, CaKeyShareRow.ca_id == ClinicCaRow.id)
        .where(CaKeyShareRow.user_id == user_id)
        .order_by(ClinicCaRow.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (_ca(row[0]), row[1])


def put_ca_share(session: Session, ca_id: int, user_id: int, wrapped: bytes) -> None:
    row = session.get(CaKeyShareRow, (ca_id, user_id))
    if row is None:
        session.add(CaKeyShareRow(ca_id=ca_id, user_id=user_id, wrapped=wrapped, created_at=utcnow()))
    else:
        row.wrapped = wrapped
        row.created_at = utcnow()
    session.flush()


def drop_ca_shares(session: Session, user_id: int) -> None:
    session.execute(sa.delete(CaKeyShareRow).where(CaKeyShareRow.user_id == user_id))


def _key(row: SigningKeyRow, user: UserRow) -> StoredKey:
    return StoredKey(
        row.id,
        row.user_id,
        user.username,
        user.display_name,
        row.public_key,
        row.pdf_public_key,
        row.fingerprint,
        row.content_certificate,
        row.pdf_certificate,
        row.wrapped,
        row.created_at,
        row.certified_at,
        row.retired_at,
        row.retired_reason,
    )


def _keys(session: Session, where) -> list[StoredKey]:
    rows = session.execute(
        sa.select(SigningKeyRow, UserRow)
        .join(UserRow, UserRow.id == SigningKeyRow.user_id)
        .where(where)
        .order_by(SigningKeyRow.id)
    ).all()
    return [_key(k, u) for k, u in rows]


def active_key(session: Session, user_id: int) -> StoredKey | None:
    found = _keys(session, sa.and_(SigningKeyRow.user_id == user_id, SigningKeyRow.retired_at.is_(None)))
    return found[-1] if found else None


def keys_of(session: Session, user_id: int) -> list[StoredKey]:
    """Every key the user ever had, oldest first (retired ones keep old signatures verifiable)."""
    return _keys(session, SigningKeyRow.user_id == user_id)


def all_keys(session: Session) -> list[StoredKey]:
    return _keys(session, sa.true())


def key_by_id(session: Session, key_id: int) -> StoredKey | None:
    found = _keys(session, SigningKeyRow.id == key_id)
    return found[0] if found else None


def key_by_fingerprint(session: Session, fingerprint: str) -> StoredKey | None:
    found = _keys(session, SigningKeyRow.fingerprint == fingerprint)
    return found[0] if found else None


def add_key(
    session: Session,
    user_id: int,
    public_key: bytes,
    pdf_public_key: bytes,
    fingerprint: str,
    wrapped: bytes,
    certificates: tuple[bytes, bytes] | None,
) -> StoredKey:
    """A new active key for the user; the one it replaces is retired first (kept, never deleted)."""
    now = utcnow()
    for row in session.scalars(
        sa.select(SigningKeyRow).where(SigningKeyRow.user_id == user_id, SigningKeyRow.retired_at.is_(None))
    ):
        row.retired_at = now
        row.retired_reason = "replaced by a new key"
    row = SigningKeyRow(
        user_id=user_id,
        public_key=public_key,
        pdf_public_key=pdf_public_key,
        fingerprint=fingerprint,
        wrapped=wrapped,
        content_certificate=certificates[0] if certificates else None,
        pdf_certificate=certificates[1] if certificates else None,
        certified_at=now if certificates else None,
        created_at=now,
    )
    session.add(row)
    session.flush()
    found = key_by_id(session, row.id)
    assert found is not None
    return found


def certify_key(session: Session, key_id: int, certificates: tuple[bytes, bytes]) -> None:
    row = session.get(SigningKeyRow, key_id, with_for_update=True)
    if row is None:
        raise LookupError(f"signing key {key_id} does not exist")
    row.content_certificate, row.pdf_certificate = certificates
    row.certified_at = utcnow()
    session.flush()


def rewrap_key(session: Session, key_id: int, wrapped: bytes) -> None:
    row = session.get(SigningKeyRow, key_id, with_for_update=True)
    if row is not None:
        row.wrapped = wrapped
        session.flush()
