"""Procedure presets: clinic-editable templates of technique and medications, and applying one to a form."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from facetdesk.domain.base import Model, RowId
from facetdesk.domain.catalog import Region, get_catalog
from facetdesk.domain.documentation import ProcedureDocumentation
from facetdesk.domain.documentation_items import ITEMS
from facetdesk.domain.enums import Guidance, Intent, Sedation, Technique
from facetdesk.domain.procedure import BotoxPreparation, MedicationAdministration, check_per_nerve

PresetName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class Preset(Model):
    """A named starting point for a procedure form; levels, sides and scores are never part of it."""

    id: RowId | None = None
    # Unique per clinic, compared case- and accent-insensitively by the storage layer.
    name: PresetName
    technique: Technique
    # None leaves the form's current value alone when the preset is applied.
    intent: Intent | None = None
    guidance: Guidance | None = None
    sedation: Sedation | None = None
    region: Region | None = None
    medications: list[MedicationAdministration] = Field(default_factory=list)
    # The clinic's usual toxin product and dilution; None: the preset gives no botulinum toxin.
    botox: BotoxPreparation | None = None
    # The clinic's usual documentation items (sterile draping, monitoring, views, approach, dose unit); never
    # what is said, seen or measured on the day (domain/documentation: Item.usual).
    documentation: ProcedureDocumentation | None = None

    @field_validator("medications")
    @classmethod
    def _fits_technique(cls, v: list[MedicationAdministration], info: ValidationInfo) -> list[MedicationAdministration]:
        # The same rule the procedure applies, so a preset never fills a form that cannot be saved.
        check_per_nerve(v, info.data.get("technique"))
        return v

    @field_validator("documentation")
    @classmethod
    def _usual_items_only(cls, v: ProcedureDocumentation | None) -> ProcedureDocumentation | None:
        if v is None:
            return None
        observed = [item.label for item in ITEMS if not item.usual and getattr(v, item.key) not in (None, [])]
        if observed:
            raise ValueError(
                f"a preset holds how the clinic usually works, not {', '.join(observed)} (entered on the day)"
            )
        return v if v.usual_part() else None

    def uses_contrast(self) -> bool:
        catalog = get_catalog()
        return any(med.catalog_agent(catalog).drug_class == "contrast" for med in self.medications)


def apply_preset(preset: Preset, draft: dict[str, Any]) -> dict[str, Any]:
    """The procedure form data ``draft`` with ``preset`` applied; ``draft`` itself is not changed.

    ``draft`` is what ``ProcedureEditor.data()`` returns. The result has:

    - ``technique`` set to the preset's, and ``intent``, ``guidance`` and ``sedation`` set to the
      preset's where the preset names one (a preset without, say, an intent keeps the form's);
    - ``medications`` replaced by the preset's rows (dicts as ``MedicationsPanel.data()`` gives,
      enum members kept), so volumes are per joint / per nerve as the preset says;
    - ``contrast`` turned on when a preset row is a contrast agent (a procedure refuses a contrast
      agent with Contrast set to no), and otherwise left as it was;
    - with a toxin preparation, ``botulinum_toxin`` given that product, vial and diluent, keeping the form's
      injection sites (none yet on a new form: the physician adds them);
    - the preset's usual documentation items (sterile draping, monitoring, views, approach, dose unit) set in
      ``documentation``, the form's other items (what was discussed, seen or measured) kept.

    Everything else is left to the physician untouched: performed_at, physician, diagnoses,
    indication, targets (levels and sides), pain scores, toxin injection sites, complications,
    documentation, overrides, id/uid/version. The preset's region is advice for choosing levels
    and is not written into the form.
    """
    out = dict(draft)
    out["technique"] = preset.technique
    for field in ("intent", "guidance", "sedation"):
        value = getattr(preset, field)
        if value is not None:
            out[field] = value
    out["medications"] = [med.model_dump() for med in preset.medications]
    if preset.uses_contrast():
        out["contrast"] = True
    if preset.botox is not None:
        sites = (draft.get("botulinum_toxin") or {}).get("sites") or []
        out["botulinum_toxin"] = {**preset.botox.model_dump(), "sites": sites}
    if preset.documentation is not None:
        out["documentation"] = {**(draft.get("documentation") or {}), **preset.documentation.usual_part()}
    return out
