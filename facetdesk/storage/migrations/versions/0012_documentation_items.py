"""The procedure's documentation items, one column each, and presets carrying the clinic's usual ones.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:00:00.000000

Written to match facetdesk.storage.tables (ProcedureRow: risks_discussed ... tolerance; PresetRow.documentation).
Procedures stored before this revision have every item NULL: "not documented", never a value.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PROCEDURE_COLUMNS: tuple[tuple[str, sa.types.TypeEngine], ...] = (
    ("risks_discussed", sa.Boolean()),
    ("off_label_discussed", sa.Boolean()),
    ("sterile_drape", sa.Boolean()),
    ("monitoring", sa.JSON()),
    ("views", sa.JSON()),
    ("approach", sa.String(length=32)),
    ("aspiration", sa.String(length=32)),
    ("fluoroscopy_seconds", sa.Integer()),
    ("radiation_dose", sa.Double()),
    ("radiation_dose_unit", sa.String(length=32)),
    ("images_saved", sa.Boolean()),
    ("neuro_check", sa.String(length=32)),
    ("tolerance", sa.String(length=32)),
)


def upgrade() -> None:
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        for name, type_ in _PROCEDURE_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table("presets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("documentation", sa.JSON(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), not a batch rebuild: rebuilding "procedures" drops the old table, and
    # with foreign keys on that would cascade-delete every procedure's child rows (as in 0003).
    op.drop_column("presets", "documentation")
    for name, _ in reversed(_PROCEDURE_COLUMNS):
        op.drop_column("procedures", name)
