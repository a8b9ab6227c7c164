"""Procedure presets: the presets and preset_medications tables, seeded with two examples.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:00:00.000000

Written to match facetdesk.storage.tables (PresetRow, PresetMedicationRow); two new tables, so
nothing is altered and no batch rebuild happens on SQLite. Preset names are unique through
name_key, the folded name ("C" collation on PostgreSQL, as for the patients' search keys).
Intent, guidance, sedation and region are nullable: NULL means the preset leaves that field of
the procedure form as it is.

Seed data, so a new clinic sees what a preset looks like. These are EXAMPLES FOR THE CLINIC TO
REVIEW and edit or delete (Tools > Presets), not recommendations; check the volumes against your
own protocol:

- "Lumbar MBB, bupivacaine 0.5% 0.5 mL per nerve": medial branch block, diagnostic (first),
  fluoroscopy, no sedation; bupivacaine 5 mg/mL, 0.5 mL per nerve at the targets (0.5 mL per
  targeted nerve: clinical-facts S10; lumbar MBB <=0.5 mL: S8 Table 11).
- "Lumbar IA, triamcinolone 40 mg + lidocaine 1%": intra-articular, therapeutic, fluoroscopy, no
  sedation; triamcinolone acetonide 40 mg/mL 1 mL in total (40 mg, shared over the joints) and
  lidocaine 10 mg/mL 0.4 mL per joint. A single joint gets 1.4 mL, under the lumbar IA
  maximum of <1.5 mL (S8 Table 11); contrast for the arthrogram (0.1-0.3 mL, S8) enters the joint
  too, which the intra-articular volume check counts.

Ids are left to the database (an explicit id would leave a PostgreSQL sequence behind); the
medication rows find their preset by name_key with INSERT ... SELECT, which also renders as
plain SQL in offline mode. The literal name_key values are fold(name) as of this revision.

The downgrade drops both tables, seeded or edited presets included.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_KEY = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")

# (name, name_key, technique, intent, guidance, sedation, region, medications)
# medications: (agent, mg/mL, volume mL, basis, site)
SEED = (
    (
        "Lumbar MBB, bupivacaine 0.5% 0.5 mL per nerve",
        "lumbar mbb, bupivacaine 0.5% 0.5 ml per nerve",
        "medial_branch_block",
        "diagnostic_first",
        "fluoroscopy",
        "none",
        "lumbar",
        (("bupivacaine", 5.0, 0.5, "per_nerve", "target"),),
    ),
    (
        "Lumbar IA, triamcinolone 40 mg + lidocaine 1%",
        "lumbar ia, triamcinolone 40 mg + lidocaine 1%",
        "intra_articular",
        "therapeutic",
        "fluoroscopy",
        "none",
        "lumbar",
        (
            ("triamcinolone_acetonide", 40.0, 1.0, "total", "target"),
            ("lidocaine", 10.0, 0.4, "per_joint", "target"),
        ),
    ),
)


def upgrade() -> None:
    presets = op.create_table(
        "presets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_key", SEARCH_KEY, nullable=False),
        sa.Column("technique", sa.String(length=32), nullable=False),
        sa.Column("intent", sa.String(length=32), nullable=True),
        sa.Column("guidance", sa.String(length=32), nullable=True),
        sa.Column("sedation", sa.String(length=32), nullable=True),
        sa.Column("region", sa.String(length=16), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presets")),
    )
    op.create_index("ix_presets_name_key", "presets", ["name_key"], unique=True)
    medications = op.create_table(
        "preset_medications",
        sa.Column("preset_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(length=64), nullable=False),
        sa.Column("concentration_mg_per_ml", sa.Double(), nullable=False),
        sa.Column("volume_ml", sa.Double(), nullable=False),
        sa.Column("volume_basis", sa.String(length=32), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["preset_id"],
            ["presets.id"],
            name=op.f("fk_preset_medications_preset_id_presets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("preset_id", "position", name=op.f("pk_preset_medications")),
    )
    # Naive UTC, as facetdesk.storage.tables.utcnow writes it (CURRENT_TIMESTAMP is local time on PostgreSQL).
    seeded_at = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    for name, key, technique, intent, guidance, sedation, region, meds in SEED:
        op.execute(
            presets.insert().values(
                name=name,
                name_key=key,
                technique=technique,
                intent=intent,
                guidance=guidance,
                sedation=sedation,
                region=region,
                updated_at=seeded_at,
            )
        )
        for position, (agent, strength, volume, basis, site) in enumerate(meds):
            chosen = sa.select(
                presets.c.id,
                sa.literal(position),
                sa.literal(agent),
                sa.literal(strength),
                sa.literal(volume),
                sa.literal(basis),
                sa.literal(site),
            ).where(presets.c.name_key == key)
            op.execute(
                medications.insert().from_select(
                    ["preset_id", "position", "agent", "concentration_mg_per_ml", "volume_ml", "volume_basis", "site"],
                    chosen,
                )
            )


def downgrade() -> None:
    op.drop_table("preset_medications")
    op.drop_index("ix_presets_name_key", table_name="presets")
    op.drop_table("presets")
