"""The record of a procedure's documentation items (described in domain/documentation_items.py)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from facetdesk.domain.base import Model
from facetdesk.domain.documentation_items import MAX_FLUOROSCOPY_SECONDS, MAX_RADIATION_DOSE, USUAL_KEYS
from facetdesk.domain.enums import (
    Aspiration,
    DoseUnit,
    FluoroView,
    Monitoring,
    NeedleApproach,
    NeuroCheck,
    Tolerance,
)


class ProcedureDocumentation(Model):
    """The documentation items of one procedure; None (or an empty list) is "not documented"."""

    risks_discussed: bool | None = None
    off_label_discussed: bool | None = None
    sterile_drape: bool | None = None
    monitoring: list[Monitoring] = Field(default_factory=list)
    views: list[FluoroView] = Field(default_factory=list)
    approach: NeedleApproach | None = None
    aspiration: Aspiration | None = None
    fluoroscopy_seconds: int | None = Field(default=None, ge=0, le=MAX_FLUOROSCOPY_SECONDS)
    radiation_dose: float | None = Field(default=None, ge=0, le=MAX_RADIATION_DOSE)
    radiation_dose_unit: DoseUnit | None = Field(default=None, validate_default=True)
    images_saved: bool | None = None
    neuro_check: NeuroCheck | None = None
    tolerance: Tolerance | None = None

    @field_validator("monitoring", "views")
    @classmethod
    def _once_each(cls, v: list) -> list:
        if len(set(v)) != len(v):
            raise ValueError("lists an entry twice")
        return v

    @field_validator("radiation_dose_unit")
    @classmethod
    def _dose_has_unit(cls, v: DoseUnit | None, info: ValidationInfo) -> DoseUnit | None:
        if v is None and info.data.get("radiation_dose") is not None:
            raise ValueError("is required when a dose is entered (the unit your C-arm or CT console reports)")
        return v

    def usual_part(self) -> dict[str, Any]:
        """The items a preset or a copied procedure may carry, as set here (unset ones left out)."""
        return {key: value for key in USUAL_KEYS if (value := getattr(self, key)) not in (None, [])}
