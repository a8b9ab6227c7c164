"""Accounts, the hash-chained audit log, signed-note hashes and PDFs, idle lock setting.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 05:00:00.000000

Written to match facetdesk.storage.tables (UserRow, AuditRow, SignedNoteRow,
AddendumRow.content_sha256, ClinicSettingsRow.idle_lock_minutes). Everything new is a new table
or a nullable column, so nothing stored before changes meaning: procedures signed before this
revision have no signed_notes row and their addenda no hash; `facetdesk verify` reports them as
"signed before tamper evidence" rather than as altered.

The downgrade drops the new tables and columns with plain op.drop_column (see 0005 for why not a
batch rebuild). Downgrading loses accounts, the audit log and signed-note PDFs.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("procedure_addenda", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("clinic_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idle_lock_minutes", sa.Integer(), nullable=True))

    op.create_table(
        "signed_notes",
        sa.Column("procedure_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name=op.f("fk_signed_notes_procedure_id_procedures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("procedure_id", name=op.f("pk_signed_notes")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("workstation", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_audit_log_entry_hash")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index("ix_audit_log_entity_entity_id", "audit_log", ["entity", "entity_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_log_entity_entity_id", table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("users")
    op.drop_table("signed_notes")
    op.drop_column("clinic_settings", "idle_lock_minutes")
    op.drop_column("procedure_addenda", "content_sha256")
