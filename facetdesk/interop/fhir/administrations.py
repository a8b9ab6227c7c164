"""MedicationAdministration resources: each syringe of the procedure, and each botulinum toxin injection site."""

from __future__ import annotations

from fhir.resources.R4B.medicationadministration import MedicationAdministration as FhirAdministration

from facetdesk.domain.enums import MedicationSite, Side, Technique
from facetdesk.domain.procedure import BotoxTreatment, MedicationAdministration, Procedure
from facetdesk.domain.wording import strength_text, volume_text
from facetdesk.interop.fhir.common import UCUM, Scope, concept, num

# Botulinum toxin units are product-specific biological units, not international units: the labels say
# they cannot be compared with or converted into another product's. UCUM's arbitrary unit says that;
# "[iU]" would suggest a standard that makes the products interchangeable.
TOXIN_UNIT_CODE = "[arb'U]"


def medication_route(med: MedicationAdministration, procedure: Procedure) -> str:
    """Text only: the reference holds no route codes for these."""
    if med.site == MedicationSite.SKIN:
        return "Local infiltration (skin and needle track)"
    if procedure.technique == Technique.MEDIAL_BRANCH_BLOCK:
        return "Perineural (medial branch block)"
    if procedure.technique == Technique.RADIOFREQUENCY_ABLATION:
        return "Perineural (before radiofrequency lesioning)"
    return "Intra-articular"


def medication_site(med: MedicationAdministration, procedure: Procedure, scope: Scope) -> str:
    if med.site == MedicationSite.SKIN:
        return "Skin and needle track"
    if procedure.technique.on_nerves:
        nerves = procedure.nerves(scope.catalog)
        per_side = []
        for side in (Side.LEFT, Side.RIGHT):
            names = [n for n, s in nerves if s == side]
            if names:
                per_side.append(f"{side.label}: {', '.join(names)}")
        return "; ".join(per_side)
    return "; ".join(f"{t.level} facet joint, {t.side.label.lower()}" for t in procedure.targets)


def _dosage_text(med: MedicationAdministration, procedure: Procedure, scope: Scope) -> str:
    """The note's medication row in one line: agent, strength, volume as given, totals."""
    agent = med.catalog_agent(scope.catalog)
    total = f"{num(med.total_volume_ml(procedure))} mL = {num(med.total_dose_mg(procedure))} {agent.dose_unit}"
    return f"{agent.name} {strength_text(med, scope.catalog)}, {volume_text(med, procedure)}; total {total}"


def _common(scope: Scope, procedure: Procedure) -> dict:
    return {
        "status": "completed",
        "subject": scope.ref("patient"),
        "context": scope.ref("encounter"),
        "effectiveDateTime": scope.time(procedure.performed_at),
        "performer": [{"actor": scope.practitioner(procedure.physician)}],
        "partOf": [scope.ref("procedure")],
    }


def medication_resources(scope: Scope, procedure: Procedure) -> list[FhirAdministration]:
    """One per syringe, in the order recorded; the dose is the note's (MedicationAdministration.total_dose_mg)."""
    out = []
    for i, med in enumerate(procedure.medications):
        agent = med.catalog_agent(scope.catalog)
        # Contrast is dosed in mg of iodine: the unit says so, the UCUM code is plain mg.
        dose = {"value": med.total_dose_mg(procedure), "unit": agent.dose_unit, "system": UCUM, "code": "mg"}
        out.append(
            FhirAdministration.model_validate(
                {
                    "id": scope.id("medication", str(i)),
                    **_common(scope, procedure),
                    # Text only: the drug catalog holds no RxNorm codes.
                    "medicationCodeableConcept": concept(agent.name),
                    "dosage": {
                        "text": _dosage_text(med, procedure, scope),
                        "site": concept(medication_site(med, procedure, scope)),
                        "route": concept(medication_route(med, procedure)),
                        "dose": dose,
                    },
                }
            )
        )
    return out


def toxin_site_text(scope: Scope, muscle_key: str, level: str, side: Side) -> str:
    muscle = scope.catalog.muscle(muscle_key)
    return f"{muscle.name if muscle else muscle_key}, {level}, {side.label.lower()}"


def toxin_resources(scope: Scope, procedure: Procedure) -> list[FhirAdministration]:
    bt: BotoxTreatment | None = procedure.botulinum_toxin
    if bt is None:
        return []
    per_ml = bt.units_per_ml
    out = []
    for i, site in enumerate(bt.sites):
        units = site.units or 0
        out.append(
            FhirAdministration.model_validate(
                {
                    "id": scope.id("toxin", str(i)),
                    **_common(scope, procedure),
                    "medicationCodeableConcept": concept(bt.product.label),
                    "dosage": {
                        "text": (
                            f"{num(units)} U = {round(units / per_ml, 2):g} mL of {num(bt.vial_units)} U in "
                            f"{num(bt.diluent_ml)} mL ({num(per_ml)} U/mL); units of {bt.product.label} only, "
                            "not convertible to another botulinum toxin product"
                        ),
                        "site": concept(toxin_site_text(scope, site.muscle, site.level, site.side)),
                        "route": concept("Intramuscular"),
                        "dose": {"value": units, "unit": "U", "system": UCUM, "code": TOXIN_UNIT_CODE},
                    },
                }
            )
        )
    return out
