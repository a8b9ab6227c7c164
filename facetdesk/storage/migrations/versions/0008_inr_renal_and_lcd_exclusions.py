"""Patients' renal function and latest INR; each procedure's answers to the LCD exclusions.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 04:30:00.000000

Written to match facetdesk.storage.tables. Every new column is nullable and NULL means "not
recorded", so patients and procedures stored before this revision read back unchanged: no INR,
renal function unknown, no exclusion answered (decision support then asks for them rather than
assuming). Adding a nullable column is a plain ALTER TABLE ... ADD COLUMN on both databases.
The downgrade drops the columns with native ALTER TABLE ... DROP COLUMN (see 0003 for why not batch).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PATIENT_COLUMNS: tuple[tuple[str, sa.types.TypeEngine], ...] = (
    ("renal_impairment", sa.Boolean()),
    ("inr", sa.Double()),
    ("inr_taken_at", sa.DateTime()),
    ("inr_normal", sa.Boolean()),
)


def upgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        for name, type_ in PATIENT_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lcd_exclusions", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("procedures", "lcd_exclusions")
    for name, _ in reversed(PATIENT_COLUMNS):
        op.drop_column("patients", name)
