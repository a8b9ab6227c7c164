"""Two questions asked apart from their lists: does the patient take an anticoagulant, antiplatelet or NSAID, and
has the patient had botulinum toxin elsewhere.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 00:30:00.000000

Written to match facetdesk.storage.tables (PatientRow.takes_anticoagulants, had_toxin_elsewhere). NULL means "not
asked": before this revision an empty list could mean "none" or "never asked", so patients stored without an entry
read back as not asked, and decision support asks rather than assuming none. A patient with an entry listed has
answered yes, as the domain model derives it (domain.patient._answered_by_list). The downgrade drops the columns
(see 0003 for why not batch).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each question's column and the table of the entries that answer it yes.
ASKED = (("takes_anticoagulants", "patient_anticoagulants"), ("had_toxin_elsewhere", "patient_toxin_elsewhere"))


def upgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        for column, _ in ASKED:
            batch_op.add_column(sa.Column(column, sa.Boolean(), nullable=True))
    for column, entries in ASKED:
        patients = sa.table("patients", sa.column("id", sa.Integer()), sa.column(column, sa.Boolean()))
        listed = sa.table(entries, sa.column("patient_id", sa.Integer()))
        op.execute(
            patients.update().where(patients.c.id.in_(sa.select(listed.c.patient_id))).values({column: sa.true()})
        )


def downgrade() -> None:
    for column, _ in reversed(ASKED):
        op.drop_column("patients", column)
