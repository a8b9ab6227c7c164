"""Signing and addenda: procedures.signed_by / signed_at and the procedure_addenda table.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:00:00.000000

Written to match facetdesk.storage.tables (ProcedureRow.signed_by/signed_at, AddendumRow). The two
new procedure columns are nullable: every procedure stored before this revision reads back
unsigned (a draft), as it was. Adding a nullable column is a plain ALTER TABLE ... ADD COLUMN on
both databases (batch mode on SQLite adds it in place, no table rebuild). procedure_addenda is a
new table keyed by (procedure_id, position); its rows cascade with their procedure only.

The downgrade drops the table and the columns with plain op.drop_column (SQLite 3.35+), not a
batch rebuild: rebuilding "procedures" would drop the old table and, with foreign keys on,
cascade-delete every procedure's child rows (see 0003). Downgrading loses signatures and addenda.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signed_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("signed_at", sa.DateTime(), nullable=True))

    op.create_table(
        "procedure_addenda",
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("signed_by", sa.String(length=100), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name=op.f("fk_procedure_addenda_procedure_id_procedures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("procedure_id", "position", name=op.f("pk_procedure_addenda")),
    )


def downgrade() -> None:
    op.drop_table("procedure_addenda")
    op.drop_column("procedures", "signed_at")
    op.drop_column("procedures", "signed_by")
