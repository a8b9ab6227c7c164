"""Patient row versions: two workstations saving one patient no longer lose a change without a word.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 04:30:00.000000

Written to match facetdesk.storage.tables (PatientRow.version_id, the mapper's version_id_col). Rows
stored before this revision start at version 1, as a newly inserted row does; the server default also
covers rows another (older) workstation inserts during an upgrade window.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version_id", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    op.drop_column("patients", "version_id")
