"""Start a procedure from a previous one: the structure is copied, never scores, dates, free text or sign-offs."""

from __future__ import annotations

from typing import Any

from facetdesk.domain.procedure import Procedure

# What carries over: how the procedure is done. What never does: anything observed or attested on the day,
# because copied-forward findings and scores are exactly what audits flag.
_COPIED = (
    "technique",
    "intent",
    "guidance",
    "contrast",
    "sedation",
    "diagnoses",
    "targets",
    "medications",
    "botulinum_toxin",
    "position",
    "skin_prep",
    "needle",
    "physician",
)
# An ablation's equipment and settings carry over; what stimulation showed on the day does not.
_LESIONING_COPIED = (
    "method", "cannula_gauge", "active_tip_mm", "temperature_c", "seconds_per_lesion", "lesions_per_nerve",
)  # fmt: skip
_INDICATION_COPIED = ("pain_duration_months", "conservative_care", "conservative_care_details", "pain_scale",
                      "disability_scale")  # fmt: skip


def start_from(previous: Procedure) -> dict[str, Any]:
    """Form data for a new procedure shaped like ``previous``; scores, dates, notes and overrides are left out."""
    data = previous.model_dump(include=set(_COPIED))
    indication = previous.indication.model_dump(include=set(_INDICATION_COPIED))
    data["indication"] = indication
    # How it is usually done carries over (draping, monitoring, views, approach, dose unit); never what was
    # discussed, seen or measured on the day.
    data["documentation"] = previous.documentation.usual_part()
    rf = previous.radiofrequency
    data["radiofrequency"] = rf.model_dump(include=set(_LESIONING_COPIED)) if rf is not None else None
    return data
