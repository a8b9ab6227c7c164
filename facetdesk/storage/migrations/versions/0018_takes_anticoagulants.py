"""Whether each patient takes an anticoagulant, antiplatelet or NSAID, asked apart from the agents listed.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 00:30:00.000000

Written to match facetdesk.storage.tables (PatientRow.takes_anticoagulants). NULL means "not asked": before this
revision an empty list could mean either, so patients stored without an agent read back as not asked, and
decision support asks rather than assuming none. A patient with an agent listed has answered yes, as the domain
model derives it (domain.patient.Patient.takes_anticoagulants). The downgrade drops the column (see 0003 for why
not batch).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("takes_anticoagulants", sa.Boolean(), nullable=True))
    patients = sa.table("patients", sa.column("id", sa.Integer()), sa.column("takes_anticoagulants", sa.Boolean()))
    listed = sa.table("patient_anticoagulants", sa.column("patient_id", sa.Integer()))
    op.execute(
        patients.update()
        .where(patients.c.id.in_(sa.select(listed.c.patient_id)))
        .values(takes_anticoagulants=sa.true())
    )


def downgrade() -> None:
    op.drop_column("patients", "takes_anticoagulants")
