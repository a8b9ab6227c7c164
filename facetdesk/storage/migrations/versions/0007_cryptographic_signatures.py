"""Cryptographic signatures: the clinic CA, physicians' signing keys, signatures, procedures signed before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 01:00:00.000000

Written to match facetdesk.storage.tables (ClinicCaRow, CaKeyShareRow, SigningKeyRow, SignatureRow,
LegacySignedRow). Every procedure signed when this revision runs is listed in legacy_signed_procedures,
and the list is recorded in the audit log (its count and the SHA-256 of its ids), so `facetdesk verify`
can tell a procedure genuinely signed before cryptographic signatures from a signature forged later by
setting signed_by and signed_at. Downgrading drops the new tables and loses every cryptographic signature.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from facetdesk.domain.audit import GENESIS_HASH, AuditAction, AuditEntry, canonical_json, sha256_text

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def legacy_ids_digest(ids: Sequence[int]) -> str:
    """The digest of the legacy list that the audit entry keeps (services.verify recomputes it)."""
    return sha256_text(canonical_json(sorted(int(i) for i in ids)))


def upgrade() -> None:
    op.create_table(
        "clinic_cas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate", sa.LargeBinary(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_cas")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_clinic_cas_fingerprint")),
    )
    op.create_table(
        "ca_key_shares",
        sa.Column("ca_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ca_id"], ["clinic_cas.id"], name=op.f("fk_ca_key_shares_ca_id_clinic_cas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ca_key_shares_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("ca_id", "user_id", name=op.f("pk_ca_key_shares")),
    )
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_public_key", sa.LargeBinary(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("content_certificate", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_certificate", sa.LargeBinary(), nullable=True),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("certified_at", sa.DateTime(), nullable=True),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("retired_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_signing_keys_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_keys")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_signing_keys_fingerprint")),
    )
    op.create_index(op.f("ix_signing_keys_user_id"), "signing_keys", ["user_id"], unique=False)
    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("signer_certificate", sa.LargeBinary(), nullable=True),
        sa.Column("signed_elsewhere", sa.Boolean(), nullable=False),
        sa.Column("content_format", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["key_id"], ["signing_keys.id"], name=op.f("fk_signatures_key_id_signing_keys")),
        sa.ForeignKeyConstraint(
            ["procedure_id"], ["procedures.id"], name=op.f("fk_signatures_procedure_id_procedures"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
        sa.UniqueConstraint("procedure_id", "part", name=op.f("uq_signatures_procedure_id_part")),
    )
    legacy = op.create_table(
        "legacy_signed_procedures",
        sa.Column("procedure_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name=op.f("fk_legacy_signed_procedures_procedure_id_procedures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("procedure_id", name=op.f("pk_legacy_signed_procedures")),
    )
    if op.get_context().as_sql:
        # Offline SQL (for a DBA to run): the list is copied by the server; the audit entry that vouches
        # for it needs the chain's head, which only a live upgrade can read, so verify reports the list
        # as unrecorded until the clinic checks it by hand.
        op.execute(
            "insert into legacy_signed_procedures (procedure_id) select id from procedures where signed_at is not null"
        )
        return
    bind = op.get_bind()
    ids = [row[0] for row in bind.execute(sa.text("select id from procedures where signed_at is not null order by id"))]
    if ids:
        # Recorded only when there are some: a new database (and a server awaiting a move) stays unused.
        op.bulk_insert(legacy, [{"procedure_id": i} for i in ids])
        _audit_legacy_list(bind, ids)


def _audit_legacy_list(bind: sa.Connection, ids: list[int]) -> None:
    """One audit entry recording which procedures were signed before cryptographic signatures."""
    audit = sa.table(
        "audit_log",
        *(sa.column(c) for c in ("at", "username", "workstation", "action", "entity", "entity_id", "fields")),
        sa.column("detail"),
        sa.column("prev_hash"),
        sa.column("entry_hash"),
    )
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("select pg_advisory_xact_lock(:k)"), {"k": 0x46445F41554449})
    last = bind.execute(sa.text("select entry_hash from audit_log order by id desc limit 1")).scalar()
    entry = AuditEntry(
        at=datetime.now(timezone.utc).replace(tzinfo=None),
        username="facetdesk",
        workstation="migration 0007",
        action=AuditAction.LEGACY_SIGNATURES,
        entity="procedure",
        detail={"procedures": len(ids), "ids_sha256": legacy_ids_digest(ids)},
    ).chained(last or GENESIS_HASH)
    bind.execute(
        audit.insert().values(
            at=entry.at,
            username=entry.username,
            workstation=entry.workstation,
            action=entry.action.value,
            entity=entry.entity,
            entity_id=None,
            fields=json.dumps([]),
            detail=canonical_json(entry.detail),
            prev_hash=entry.prev_hash,
            entry_hash=entry.entry_hash,
        )
    )


def downgrade() -> None:
    op.drop_table("legacy_signed_procedures")
    op.drop_table("signatures")
    op.drop_index(op.f("ix_signing_keys_user_id"), table_name="signing_keys")
    op.drop_table("signing_keys")
    op.drop_table("ca_key_shares")
    op.drop_table("clinic_cas")
