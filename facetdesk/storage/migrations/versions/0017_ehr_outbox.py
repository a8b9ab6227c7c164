"""The EHR interface: the clinic's identifier systems and destinations (clinic_settings.ehr_interface), and the
outbox of signed notes on their way to the EHR (ehr_messages).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 19:00:00.000000

Written to match facetdesk.storage.tables (EhrMessageRow).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ehr_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("destination", sa.String(length=32), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("control_id", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("ack_code", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name=op.f("fk_ehr_messages_procedure_id_procedures"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ehr_messages")),
    )
    op.create_index(op.f("ix_ehr_messages_procedure_id"), "ehr_messages", ["procedure_id"], unique=False)
    op.create_index(op.f("ix_ehr_messages_status"), "ehr_messages", ["status"], unique=False)
    with op.batch_alter_table("clinic_settings") as batch:
        batch.add_column(sa.Column("ehr_interface", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clinic_settings") as batch:
        batch.drop_column("ehr_interface")
    op.drop_index(op.f("ix_ehr_messages_status"), table_name="ehr_messages")
    op.drop_index(op.f("ix_ehr_messages_procedure_id"), table_name="ehr_messages")
    op.drop_table("ehr_messages")
