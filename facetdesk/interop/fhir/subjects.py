"""The patient side of a bundle: Patient, Encounter, diagnoses, and the risk facts decision support reads."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.resource import Resource

from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.interop.fhir.common import (
    ACT_CODE,
    ALLERGY_CLINICAL,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    DATA_ABSENT,
    DIAGNOSIS_ROLE,
    ICD10CM,
    UCUM,
    Scope,
    annotation,
    coding,
    concept,
)

# Yes/no facts the rules read (None: not recorded), by the label the note prints them under.
RISK_FACTS = (
    ("diabetes", "Diabetes"),
    ("pregnant", "Pregnant"),
    ("neuromuscular_disease", "Neuromuscular disease"),
    ("injection_site_infection", "Infection at injection site"),
    ("renal_impairment", "Renal impairment"),
    # Asked apart from the entries listed (each a MedicationStatement): No is the answer "none".
    ("takes_anticoagulants", "Takes an anticoagulant, antiplatelet or NSAID"),
    ("had_toxin_elsewhere", "Has had botulinum toxin elsewhere"),
)


def patient_resource(scope: Scope, patient: Patient) -> FhirPatient:
    return FhirPatient.model_validate(
        {
            "id": scope.id("patient"),
            "identifier": [{"system": scope.mrn_system, "value": patient.mrn}],
            "name": [{"family": patient.family_name, "given": [patient.given_name]}],
            "gender": patient.sex.value,
            "birthDate": patient.date_of_birth,
        }
    )


def diagnosis_codes(procedure: Procedure) -> list[str]:
    """Every ICD-10-CM code of the procedure, pre-procedure first, each once."""
    return list(dict.fromkeys([*procedure.diagnoses, *procedure.post_procedure_diagnoses]))


def condition_resources(scope: Scope, procedure: Procedure) -> list[Condition]:
    out = []
    for code in diagnosis_codes(procedure):
        dx = scope.catalog.diagnosis(code)
        title = dx.title if dx else None
        out.append(
            Condition.model_validate(
                {
                    "id": scope.id("condition", code),
                    "clinicalStatus": concept(None, coding(CONDITION_CLINICAL, "active")),
                    "category": [concept(None, coding(CONDITION_CATEGORY, "encounter-diagnosis"))],
                    "code": concept(title, coding(ICD10CM, code, title)),
                    "subject": scope.ref("patient"),
                    "encounter": scope.ref("encounter"),
                }
            )
        )
    return out


def encounter_resource(scope: Scope, procedure: Procedure) -> Encounter:
    # An empty post-procedure list means "same as pre-procedure": both roles then name the same conditions.
    post = procedure.post_procedure_diagnoses or procedure.diagnoses
    diagnoses = [
        {"condition": scope.ref("condition", code), "use": concept(None, coding(DIAGNOSIS_ROLE, role))}
        for role, codes in (("pre-op", procedure.diagnoses), ("post-op", post))
        for code in codes
    ]
    data: dict[str, Any] = {
        "id": scope.id("encounter"),
        "status": "finished",
        "class": coding(ACT_CODE, "AMB", "ambulatory"),
        "subject": scope.ref("patient"),
        "participant": [{"individual": scope.practitioner(procedure.physician)}],
        "period": {"start": scope.time(procedure.performed_at)},
    }
    if diagnoses:
        data["diagnosis"] = diagnoses
    if procedure.disposition is not None:
        data["hospitalization"] = {"dischargeDisposition": concept(procedure.disposition.label)}
    return Encounter.model_validate(data)


def risk_fact_resources(scope: Scope, patient: Patient) -> list[Resource]:
    """Weight, yes/no risk facts, allergies and anticoagulants: what the note prints under the patient."""
    out: list[Resource] = []
    subject, encounter = scope.ref("patient"), scope.ref("encounter")
    if patient.weight_kg is not None:
        out.append(
            Observation.model_validate(
                {
                    "id": scope.id("weight"),
                    "status": "final",
                    # Text only: the clinical reference lists no code for body weight (none is made up).
                    "code": concept("Body weight"),
                    "subject": subject,
                    "encounter": encounter,
                    "valueQuantity": {"value": patient.weight_kg, "unit": "kg", "system": UCUM, "code": "kg"},
                    "note": [annotation("Weight on the patient record at export (used for the dose limits).")],
                }
            )
        )
    for field, label in RISK_FACTS:
        value = getattr(patient, field)
        data: dict[str, Any] = {
            "id": scope.id("risk", field),
            "status": "final",
            "code": concept(label),
            "subject": subject,
            "encounter": encounter,
        }
        if value is None:
            data["dataAbsentReason"] = concept("Not recorded", coding(DATA_ABSENT, "unknown"))
        else:
            data["valueBoolean"] = value
        out.append(Observation.model_validate(data))
    if patient.inr is not None and patient.inr_taken_at is not None:
        # Text-coded like the facts above: the clinical reference gives no LOINC code for the INR.
        judged = "within" if patient.inr_normal else "outside"
        out.append(
            Observation.model_validate(
                {
                    "id": scope.id("inr"),
                    "status": "final",
                    "code": concept("INR"),
                    "subject": subject,
                    "encounter": encounter,
                    "effectiveDateTime": scope.time(patient.inr_taken_at),
                    "valueQuantity": {"value": patient.inr, "unit": "INR"},
                    "interpretation": [concept(f"{judged.capitalize()} the laboratory's normal range")],
                }
            )
        )
    for i, allergy in enumerate(patient.allergies):
        if scope.catalog.allergy_names.says_none_known(allergy):
            # "NKDA" is a statement that there is none, not an allergy: as an AllergyIntolerance it would be an
            # active allergy to a substance named "NKDA" in the receiving EHR. Text-coded like the risk facts
            # above (the clinical reference gives no code for "no known allergy").
            out.append(
                Observation.model_validate(
                    {
                        "id": scope.id("allergy", str(i)),
                        "status": "final",
                        "code": concept("Allergies"),
                        "subject": subject,
                        "encounter": encounter,
                        "valueString": f"No known allergies (recorded as {allergy!r})",
                    }
                )
            )
            continue
        out.append(
            AllergyIntolerance.model_validate(
                {
                    "id": scope.id("allergy", str(i)),
                    "clinicalStatus": concept(None, coding(ALLERGY_CLINICAL, "active")),
                    "code": concept(allergy),
                    "patient": subject,
                    "encounter": encounter,
                }
            )
        )
    for use in patient.anticoagulants:
        agent = scope.catalog.anticoagulant(use.agent)
        if use.last_dose_at is not None:
            dosage = {
                "text": "Last dose taken before the procedure",
                "timing": {"event": [scope.time(use.last_dose_at)]},
            }
        else:
            dosage = {"text": "Time of the last dose not recorded"}
        out.append(
            MedicationStatement.model_validate(
                {
                    "id": scope.id("anticoagulant", use.agent),
                    "status": "active",
                    "medicationCodeableConcept": concept(agent.name if agent else use.agent),
                    "subject": subject,
                    "context": encounter,
                    "dosage": [dosage],
                }
            )
        )
    return out
