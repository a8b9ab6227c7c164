"""Follow-up visits after a procedure (facetdesk.domain.follow_up), one row each.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 14:00:00.000000

Written to match facetdesk.storage.tables (FollowUpRow).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("seen_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("pain_nrs", sa.Integer(), nullable=True),
        sa.Column("disability_scale", sa.String(length=32), nullable=True),
        sa.Column("disability_score", sa.Double(), nullable=True),
        sa.Column("adl_improvement_pct", sa.Double(), nullable=True),
        sa.Column("analgesic_use", sa.String(length=32), nullable=True),
        sa.Column("global_impression", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["procedure_id"], ["procedures.id"], name=op.f("fk_follow_ups_procedure_id_procedures"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    op.create_index(op.f("ix_follow_ups_procedure_id"), "follow_ups", ["procedure_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_follow_ups_procedure_id"), table_name="follow_ups")
    op.drop_table("follow_ups")
