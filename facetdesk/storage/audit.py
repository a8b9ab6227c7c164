"""Audit log repository: append an entry to the hash chain, read entries back in order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from facetdesk.domain.audit import GENESIS_HASH, AuditAction, AuditEntry, canonical_json
from facetdesk.domain.ehr import QueuedMessages
from facetdesk.storage.tables import AuditRow

# Any fixed number: the key of the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 0x46445F41554449  # "FD_AUDI"


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_CHAIN_LOCK_KEY)))


def chain_head(session: Session) -> str:
    """The newest entry's hash, with the chain locked until the transaction ends (a signature covers it)."""
    _lock_chain(session)
    last = session.scalar(sa.select(AuditRow.entry_hash).order_by(AuditRow.id.desc()).limit(1))
    return last or GENESIS_HASH


def append_audit(session: Session, entry: AuditEntry) -> AuditEntry:
    """Link ``entry`` after the last one and insert it, in the caller's transaction.

    Appends must not interleave, or two entries would claim the same predecessor. SQLite writers
    already hold the database's write lock (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped
    advisory lock, released at commit or rollback.
    """
    linked = entry.chained(chain_head(session))
    row = AuditRow(
        at=linked.at,
        username=linked.username,
        workstation=linked.workstation,
        action=linked.action.value,
        entity=linked.entity,
        entity_id=linked.entity_id,
        fields=canonical_json(list(linked.fields)),
        detail=canonical_json(linked.detail),
        prev_hash=linked.prev_hash,
        entry_hash=linked.entry_hash,
    )
    session.add(row)
    session.flush()
    return linked.model_copy(update={"id": row.id})


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        username=row.username,
        workstation=row.workstation,
        action=AuditAction(row.action),
        entity=row.entity,
        entity_id=row.entity_id,
        fields=tuple(json.loads(row.fields)),
        detail=json.loads(row.detail),
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
    )


def iter_audit(session: Session, batch: int = 2000) -> Iterator[AuditEntry]:
    """Every entry, oldest first, read in batches (the log of a busy clinic is long)."""
    after = 0
    while True:
        rows = session.scalars(sa.select(AuditRow).where(AuditRow.id > after).order_by(AuditRow.id).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            yield _entry(row)
        after = rows[-1].id


def search_audit(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    username: str | None = None,
    action: AuditAction | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[AuditEntry]:
    """Entries matching every filter given, newest first."""
    q = sa.select(AuditRow)
    if since is not None:
        q = q.where(AuditRow.at >= since)
    if until is not None:
        q = q.where(AuditRow.at < until)
    if username:
        q = q.where(AuditRow.username == username)
    if action is not None:
        q = q.where(AuditRow.action == action.value)
    if entity:
        q = q.where(AuditRow.entity == entity)
    if entity_id is not None:
        q = q.where(AuditRow.entity_id == entity_id)
    rows = session.scalars(q.order_by(AuditRow.id.desc()).limit(limit).offset(offset))
    return [_entry(r) for r in rows]


# A bound on what a refusal reads of the trail: the saves it names, and the entries it looks through for them
# (exports and prints of the record are entries too).
_MAX_NAMED_SAVES = 20
_SCANNED_ENTRIES = 200
# Changed with every save, so no news to the user (some entries list them).
_BOOKKEEPING = ("version", "id", "updated at")


def changed_since(session: Session, entity: str, entity_id: int, read: int, stored: int) -> list[str]:
    """What the saves after version ``read`` changed, from their audit entries (one per version moved on), so a
    refused save can say what to look at again; empty when the trail cannot tell."""
    if not 0 <= read < stored or stored - read > _MAX_NAMED_SAVES:
        return []
    entries = search_audit(session, entity=entity, entity_id=str(entity_id), limit=_SCANNED_ENTRIES)
    saves = [e for e in entries if e.action in (AuditAction.UPDATE, AuditAction.IMPORT)][: stored - read]
    names: list[str] = []
    for entry in saves:
        for path in entry.fields or (("case file import",) if entry.action is AuditAction.IMPORT else ()):
            name = path.split(".")[0].replace("_", " ")
            if name not in names and name not in _BOOKKEEPING:
                names.append(name)
    return names


def audited_settings(session: Session) -> dict[str, str] | None:
    """The digests of each setting as last saved through FacetDesk (domain.settings.settings_digests), or None when
    the newest settings save predates them or there is none."""
    q = (
        sa.select(AuditRow)
        .where(
            AuditRow.entity == "clinic_settings",
            AuditRow.entity_id == "1",
            AuditRow.action == AuditAction.SETTINGS_UPDATE.value,
        )
        .order_by(AuditRow.id.desc())
        .limit(1)
    )
    row = session.scalars(q).first()
    digests = _entry(row).detail.get("settings_sha256") if row is not None else None
    return {str(k): str(v) for k, v in digests.items()} if isinstance(digests, dict) else None


# The audit detail's "format" of the entry that queues a signed note's messages for the EHR (services.ehr_outbox).
EHR_QUEUED = "ehr-outbox"


def queued_messages(session: Session, procedure_id: int) -> QueuedMessages:
    """What the audit entries that queued this procedure's messages for the EHR say: their SHA-256 and routes."""
    q = sa.select(AuditRow).where(
        AuditRow.entity == "procedure",
        AuditRow.entity_id == str(procedure_id),
        AuditRow.action == AuditAction.EXPORT.value,
    )
    out = QueuedMessages()
    for row in session.scalars(q):
        detail = _entry(row).detail
        if detail.get("format") == EHR_QUEUED:
            out.add(detail)
    return out
