"""Medication rows <-> domain medications, shared by procedures and presets (same columns in both tables)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from facetdesk.domain.procedure import MedicationAdministration

MEDICATION_FIELDS = ("agent", "concentration_mg_per_ml", "volume_ml", "volume_basis", "site")


def medication_dicts(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Stored rows (ordered by position) as the dicts the domain model validates."""
    return [{name: getattr(row, name) for name in MEDICATION_FIELDS} for row in rows]


def medication_rows(row_class: type, medications: Iterable[MedicationAdministration]) -> list:
    """Domain medications as new rows of ``row_class`` (MedicationRow or PresetMedicationRow)."""
    return [
        row_class(
            position=i,
            agent=m.agent,
            concentration_mg_per_ml=m.concentration_mg_per_ml,
            volume_ml=m.volume_ml,
            volume_basis=m.volume_basis.value,
            site=m.site.value,
        )
        for i, m in enumerate(medications)
    ]
