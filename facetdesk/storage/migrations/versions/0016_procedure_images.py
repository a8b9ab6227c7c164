"""Images saved at a procedure (facetdesk.domain.images): the record, its PNG rendering and the original file;
the clinic's choice to print them on the note (clinic_settings.note_images).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 16:00:00.000000

Written to match facetdesk.storage.tables (ProcedureImageRow).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "procedure_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("view", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("caption", sa.String(length=200), nullable=False),
        sa.Column("source_format", sa.String(length=32), nullable=False),
        sa.Column("modality", sa.String(length=16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.Column("original", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name=op.f("fk_procedure_images_procedure_id_procedures"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_images")),
    )
    op.create_index(op.f("ix_procedure_images_procedure_id"), "procedure_images", ["procedure_id"], unique=False)
    with op.batch_alter_table("clinic_settings") as batch:
        batch.add_column(sa.Column("note_images", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("clinic_settings") as batch:
        batch.drop_column("note_images")
    op.drop_index(op.f("ix_procedure_images_procedure_id"), table_name="procedure_images")
    op.drop_table("procedure_images")
