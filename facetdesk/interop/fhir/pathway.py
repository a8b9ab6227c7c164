"""The records around a procedure: its follow-up visits (Observations), toxin given elsewhere (MedicationStatements)
and its images (Media with the de-identified PNG attached).

Codes only where the clinical reference gives them: the pain score carries LOINC 72514-3 (as the procedure's own
scores); disability, daily activities, pain medication and the patient's impression are text, since the
reference's ODI/NDI codes are unconfirmed and it names none for the rest.
"""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from fhir.resources.R4B.media import Media
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.resource import Resource

from facetdesk.domain.case import CaseFile
from facetdesk.domain.follow_up import FollowUp, pain_improvement_pct
from facetdesk.interop.fhir.common import UCUM, Scope, annotation, coding, concept, num


def _day(value: date) -> str:
    return value.isoformat()  # a date without a time of day needs no offset


def _percent(value: float) -> dict[str, Any]:
    return {"valueQuantity": {"value": value, "unit": "%", "system": UCUM, "code": "%"}}


def _follow_up_observations(scope: Scope, case: CaseFile, n: int, visit: FollowUp) -> list[Observation]:
    procedure = case.procedure
    common = {
        "status": "final",
        "subject": scope.ref("patient"),
        "partOf": [scope.ref("procedure")],
        "effectiveDateTime": _day(visit.seen_on),
    }
    about = f"Follow-up on {visit.seen_on:%Y-%m-%d} after the procedure of {procedure.performed_at:%Y-%m-%d}"
    out: list[Observation] = []

    def add(key: str, code: dict[str, Any], value: dict[str, Any], notes: list[str]) -> None:
        data = {"id": scope.id("follow-up", str(n), key), **common, "code": code, **value,
                "note": [annotation(t) for t in [about, *notes]]}  # fmt: skip
        out.append(Observation.model_validate(data))

    if visit.pain_nrs is not None:
        entry = scope.catalog.codes.get("observations", {}).get("pain_nrs")
        codings = [coding(entry["system"], entry["code"], entry["display"])] if entry else []
        better = pain_improvement_pct(procedure, visit)
        notes = [f"{num(better)}% better than before the procedure"] if better is not None else []
        add("pain", concept("Pain at follow-up (NRS 0-10)", *codings), {"valueInteger": visit.pain_nrs}, notes)
    if visit.disability_score is not None and visit.disability_scale is not None:
        add("disability", concept(visit.disability_scale.label), _percent(visit.disability_score), [])
    if visit.adl_improvement_pct is not None:
        add(
            "adl",
            concept("Daily activities, change since before the procedure"),
            _percent(visit.adl_improvement_pct),
            [],
        )
    if visit.analgesic_use is not None:
        add("analgesics", concept("Pain medication since the procedure"),
            {"valueCodeableConcept": concept(visit.analgesic_use.label)}, [])  # fmt: skip
    if visit.global_impression is not None:
        add("impression", concept("Patient's global impression of change"),
            {"valueCodeableConcept": concept(visit.global_impression.label)}, [])  # fmt: skip
    return out


def follow_up_resources(scope: Scope, case: CaseFile) -> list[Observation]:
    """The case procedure's follow-up visits, each measurement an Observation that names the visit."""
    visits = [v for v in case.follow_ups if v.procedure_uid == case.procedure.uid]
    return [obs for n, visit in enumerate(visits) for obs in _follow_up_observations(scope, case, n, visit)]


def toxin_elsewhere_resources(scope: Scope, case: CaseFile) -> list[MedicationStatement]:
    """Botulinum toxin the patient was given elsewhere, in the product's own units (never converted)."""
    return [
        MedicationStatement.model_validate(
            {
                "id": scope.id("toxin-elsewhere", str(i)),
                "status": "completed",
                "medicationCodeableConcept": concept(t.product.label),
                "subject": scope.ref("patient"),
                "effectiveDateTime": _day(t.given_on),
                "reasonCode": [concept(t.indication)],
                "dosage": [{"text": f"{num(t.units)} U of {t.product.value} (units of this product only)"}],
                "note": [annotation(f"Given elsewhere: {t.source}")],
            }
        )
        for i, t in enumerate(case.patient.toxin_elsewhere)
    ]


def media_resources(scope: Scope, case: CaseFile) -> list[Resource]:
    """The procedure's images as Media, each with its de-identified PNG attached (never a DICOM header)."""
    out: list[Resource] = []
    for i, image in enumerate(i for i in case.images if i.procedure_uid == case.procedure.uid):
        record = image.record()
        data: dict[str, Any] = {
            "id": scope.id("image", str(i)),
            "status": "completed",
            "subject": scope.ref("patient"),
            "partOf": [scope.ref("procedure")],
            "view": concept(record.view.label),
            "bodySite": concept(f"{record.level} facet joint"),
            "createdDateTime": scope.time(record.added_at),
            "width": record.width,
            "height": record.height,
            "content": {
                "contentType": "image/png",
                "data": base64.b64encode(image.png).decode(),
                "title": record.label(),
            },  # fmt: skip
        }
        if record.modality:  # from the DICOM header, as its text: the reference lists no code system for it
            data["modality"] = concept(record.modality)
        out.append(Media.model_validate(data))
    return out
