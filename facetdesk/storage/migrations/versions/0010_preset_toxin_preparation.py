"""Presets carry the clinic's usual botulinum toxin preparation (product, vial units, diluent).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 06:45:00.000000

Written to match facetdesk.storage.tables (PresetRow.botox_*). Presets stored before this revision
give no toxin (all three NULL), as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("presets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("botox_product", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("botox_vial_units", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("botox_diluent_ml", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("presets", schema=None) as batch_op:
        batch_op.drop_column("botox_diluent_ml")
        batch_op.drop_column("botox_vial_units")
        batch_op.drop_column("botox_product")
