"""Clinic setting: the long note form (coding notes and the LCD documentation appendix).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 07:55:00.000000

Written to match facetdesk.storage.tables (ClinicSettingsRow.note_long_form). Settings stored before this
revision keep the short two-page note (false).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("clinic_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note_long_form", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("clinic_settings", schema=None) as batch_op:
        batch_op.drop_column("note_long_form")
