"""A radiofrequency ablation's lesioning, one column per field (rf_method ... rf_lesions_per_nerve).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 13:45:00.000000

Written to match facetdesk.storage.tables (ProcedureRow.rf_*). Procedures stored before this revision are
injections: every rf_ column NULL.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PROCEDURE_COLUMNS: tuple[tuple[str, sa.types.TypeEngine], ...] = (
    ("rf_method", sa.String(length=32)),
    ("rf_cannula_gauge", sa.Integer()),
    ("rf_active_tip_mm", sa.Double()),
    ("rf_sensory_threshold_v", sa.Double()),
    ("rf_motor_test", sa.String(length=32)),
    ("rf_temperature_c", sa.Integer()),
    ("rf_seconds_per_lesion", sa.Integer()),
    ("rf_lesions_per_nerve", sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        for name, type_ in _PROCEDURE_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), not a batch rebuild: rebuilding "procedures" would cascade-delete every
    # procedure's child rows with foreign keys on (as in 0003 and 0012).
    for name, _ in reversed(_PROCEDURE_COLUMNS):
        op.drop_column("procedures", name)
