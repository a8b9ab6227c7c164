"""Botulinum toxin given elsewhere (facetdesk.domain.toxin), one row each, kept with the patient.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 15:30:00.000000

Written to match facetdesk.storage.tables (PatientToxinElsewhereRow).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "patient_toxin_elsewhere",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("product", sa.String(length=32), nullable=False),
        sa.Column("units", sa.Double(), nullable=False),
        sa.Column("indication", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_toxin_elsewhere_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", "position", name=op.f("pk_patient_toxin_elsewhere")),
    )


def downgrade() -> None:
    op.drop_table("patient_toxin_elsewhere")
