"""Observation resources for the pain scores (before, after, usual) and the disability score."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fhir.resources.R4B.observation import Observation

from facetdesk.domain.procedure import Procedure
from facetdesk.domain.relief import relief_pct
from facetdesk.domain.timefmt import format_minutes
from facetdesk.interop.fhir.common import UCUM, Scope, annotation, coding, concept, num


def _pain_code(scope: Scope, procedure: Procedure, label: str) -> dict[str, Any]:
    scale = procedure.indication.pain_scale
    text = f"{label} ({scale.label})"
    # The code (LOINC 72514-3, resources/codes.json) names the verbal numeric rating scale; a VAS score is
    # another measurement and stays text, as does every score when a clinic's older resources lack the code.
    entry = scope.catalog.codes.get("observations", {}).get("pain_nrs")
    if entry and scale.value == entry["scale"]:
        return concept(text, coding(entry["system"], entry["code"], entry["display"]))
    return concept(text)


def pain_resources(scope: Scope, procedure: Procedure) -> list[Observation]:
    p = procedure
    start = scope.time(p.performed_at)
    linked = {
        "status": "final",
        "subject": scope.ref("patient"),
        "encounter": scope.ref("encounter"),
        "partOf": [scope.ref("procedure")],
    }
    out = []
    baseline = p.indication.baseline_pain
    if baseline is not None:
        out.append(
            Observation.model_validate(
                {
                    "id": scope.id("pain", "usual"),
                    "status": "final",
                    "subject": scope.ref("patient"),
                    "code": _pain_code(scope, p, "Usual pain at evaluation (baseline)"),
                    "valueInteger": baseline,
                    "note": [annotation("Recorded at the evaluation before the procedure; its date is not recorded.")],
                }
            )
        )
    if p.pre_procedure_pain is not None:
        out.append(
            Observation.model_validate(
                {
                    "id": scope.id("pain", "pre"),
                    **linked,
                    "code": _pain_code(scope, p, "Pain before injection, day of procedure"),
                    "effectiveDateTime": start,
                    "valueInteger": p.pre_procedure_pain,
                }
            )
        )
    for score in p.pain_scores:
        notes = []
        if score.activity:
            notes.append(annotation(f"Activity: {score.activity}"))
        if p.pre_procedure_pain:
            notes.append(
                annotation(
                    f"Relief: {num(relief_pct(p.pre_procedure_pain, score.nrs))}% "
                    f"from pre-injection pain {p.pre_procedure_pain}/10"
                )
            )
        data: dict[str, Any] = {
            "id": scope.id("pain", str(score.minutes_after)),
            **linked,
            "code": _pain_code(scope, p, f"Pain {format_minutes(score.minutes_after)} after injection"),
            "effectiveDateTime": scope.time(start + timedelta(minutes=score.minutes_after)),
            "valueInteger": score.nrs,
        }
        if notes:
            data["note"] = notes
        out.append(Observation.model_validate(data))
    return out


def disability_resource(scope: Scope, procedure: Procedure) -> Observation | None:
    """The ODI or NDI score at evaluation; text only (the reference's LOINC codes for them are unconfirmed)."""
    ind = procedure.indication
    if ind.disability_scale is None or ind.disability_score is None:
        return None
    return Observation.model_validate(
        {
            "id": scope.id("disability"),
            "status": "final",
            "subject": scope.ref("patient"),
            "code": concept(ind.disability_scale.label),
            "valueQuantity": {"value": ind.disability_score, "unit": "%", "system": UCUM, "code": "%"},
            "note": [annotation("Recorded at the evaluation before the procedure; its date is not recorded.")],
        }
    )
