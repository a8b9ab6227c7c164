"""Outcomes rows for registries: one procedure as ordered columns, and their de-identification.

``outcome_row`` turns a stored procedure and its patient into typed values (dates, numbers, tuples
of codes) under the names in IDENTIFIED_COLUMNS; ``outcomes_csv`` writes them as text. Doses are
the note's (Procedure.doses_by_agent), relief is procedure_relief (the note's) against the pre-injection score
at the thresholds of resources/thresholds.json, codes are derive_codes'. An ablation's lesioning is in the
rf_* columns (empty for every other technique). The follow-up columns come from the procedure's follow-up
visits: how many, the last one's time and improvements (pain_improvement_pct, the one definition), whether the
improvement was sustained (sustained_improvement) and how long it lasted (relief_span), at the improvement and
months the LCD's repeat rule asks of that kind of procedure (an RF's: lcd.rfa.repeat_*; any other's:
lcd.repeat_therapeutic.*), written beside them; months are of time.days_per_month days.

De-identification (``deidentify``) keeps only DEIDENTIFIED_COLUMNS, an allow-list, so a column
added to the identified export later stays out of the de-identified one until someone adds it here.

Removed: the patient's MRN, family and given name and date of birth; the physician and the signer;
the procedure's uid (a record number traceable in the clinic's database); every free-text field,
because any of them may hold a name, a date or a number (findings, notes, complication details,
follow-up, addenda; the other free texts of the record, such as conservative-care details, coverage
reasons, needle, contrast spread, blood loss, pain-score activities and override reasons, and the follow-up
visits' notes and who recorded them, are in neither export). Sex is kept. The follow-up columns are counts,
numbers, choices and months after the procedure (intervals, kept as they are), never a visit's date.

Replaced: the patient by a pseudonym ("P000001", numbered in an order drawn at random for each
export, never the row id, so it says nothing about the patient or the order of their visits; the
same patient has a different pseudonym in every export) and each procedure by the pseudonym and its
number among the patient's procedures in the file ("P000001-2"); the date of birth by the age in
whole years on the day of the procedure, reported as "90+" above 89 (HIPAA Safe Harbor, 45 CFR
164.514(b)(2)(i)(C)); every date and time (performed, signed) shifted by the patient's offset: a
whole number of days from 1 to MAX_SHIFT_DAYS, earlier or later, drawn for each patient of each
export from the operating system's CSPRNG (``secrets``) and never written anywhere. A patient's
intervals between procedures are kept; calendar dates, weekdays and seasons are not. A date that
cannot be shifted (outside the calendar) is left blank.

Shifted dates are not Safe Harbor's "all elements of dates except the year": whether a
date-shifted file counts as de-identified for a given registry is the privacy officer's call
(expert determination or a limited data set agreement), and FacetDesk's help says so.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.coding import CodeLine, derive_codes
from facetdesk.domain.enums import Technique
from facetdesk.domain.follow_up import FollowUp, pain_improvement_pct, relief_span, sustained_improvement
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.relief import RELIEF_THRESHOLD_KEYS, procedure_relief, relief_thresholds

# A shift of up to about half a year either way: seasons and weekdays are lost, intervals kept.
MAX_SHIFT_DAYS = 182
# HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(C): ages over 89 are aggregated into one category.
MAX_REPORTED_AGE = 89
OLDEST_AGE_LABEL = "90+"

# Column name prefix of each relief threshold (resources/thresholds.json key -> column prefix).
_RELIEF_PREFIX = {"relief.meaningful_pct": "relief_meaningful", "relief.positive_block_pct": "relief_positive_block"}
RELIEF_COLUMNS = tuple(
    f"{_RELIEF_PREFIX[key]}_{part}"
    for key in RELIEF_THRESHOLD_KEYS
    for part in ("threshold_pct", "from_min", "lasted_min", "below_at_min")
)

# An ablation's lesioning, field by field (Lesioning): listed here, not generated, so a field added to the
# model later stays out of both exports until someone decides it belongs (a test names it).
RF_COLUMNS = (
    "rf_method",
    "rf_cannula_gauge",
    "rf_active_tip_mm",
    "rf_sensory_threshold_v",
    "rf_motor_test",
    "rf_temperature_c",
    "rf_seconds_per_lesion",
    "rf_lesions_per_nerve",
)
FOLLOW_UP_COLUMNS = (
    "follow_up_visits",
    "last_follow_up_months",
    "last_follow_up_pain_nrs",
    "last_follow_up_pain_improvement_pct",
    "last_follow_up_adl_improvement_pct",
    "last_follow_up_impression",
    "improvement_threshold_pct",
    "improvement_for_months",
    "improvement_sustained",
    "improvement_lasted_months",
    "improvement_ended",
)
# The improvement (and for how many months) the LCD's repeat rule asks of each kind of procedure.
_RF_IMPROVEMENT = ("lcd.rfa.repeat_min_improvement_pct", "lcd.rfa.repeat_min_duration_months")
_OTHER_IMPROVEMENT = ("lcd.repeat_therapeutic.min_relief_pct", "lcd.repeat_therapeutic.min_duration_months")
DAYS_PER_MONTH_KEY = "time.days_per_month"

# Direct identifiers: in the identified export only.
IDENTITY_COLUMNS = ("procedure_uid", "mrn", "family_name", "given_name", "date_of_birth", "physician")
# In the de-identified export instead of the identity columns.
PSEUDONYM_COLUMNS = ("patient", "procedure")
# Codes, numbers, catalog keys and (shiftable) dates: in both exports.
CLINICAL_COLUMNS = (
    "age_years",
    "sex",
    "performed_at",
    "region",
    "levels",
    "sides",
    "target_count",
    "technique",
    "intent",
    "guidance",
    "contrast",
    "sedation",
    "local_anaesthetics",
    "local_anaesthetic_mg",
    "corticosteroids",
    "corticosteroid_mg",
    "botox_product",
    "botox_units",
    "botox_muscles",
    "pain_scale",
    "pain_duration_months",
    "baseline_pain",
    "disability_scale",
    "disability_score",
    "pre_procedure_pain",
    "post_pain",
    "peak_relief_pct",
    "peak_relief_min",
    *RELIEF_COLUMNS,
    "diagnoses",
    "post_procedure_diagnoses",
    "cpt_codes",
    "cpt_units",
    "hcpcs_drug_codes",
    "hcpcs_drug_units",
    "complications",
    "disposition",
    "signed",
    "signed_at",
    "addenda_count",
    *RF_COLUMNS,
    *FOLLOW_UP_COLUMNS,
)
# Names and free text: in the identified export only.
FREE_TEXT_COLUMNS = ("signed_by", "complication_details", "findings", "follow_up", "notes", "addenda")

IDENTIFIED_COLUMNS = IDENTITY_COLUMNS + CLINICAL_COLUMNS + FREE_TEXT_COLUMNS
DEIDENTIFIED_COLUMNS = PSEUDONYM_COLUMNS + CLINICAL_COLUMNS
# The columns holding a date or time of the patient's care: shifted when de-identified.
DATE_COLUMNS = ("performed_at", "signed_at")

# Addenda in one cell, oldest first.
ADDENDA_SEPARATOR = "\n\n"


def _code(line: CodeLine) -> str:
    return "-".join((line.code, *line.modifiers))


def _levels_and_sides(procedure: Procedure) -> tuple[tuple[str, ...], tuple[str, ...]]:
    levels = tuple(procedure.levels())
    sides = []
    for level in levels:
        at = procedure.sides_at(level)
        sides.append("bilateral" if len(set(at)) == 2 else at[0].value)
    return levels, tuple(sides)


def _doses(procedure: Procedure, catalog: Catalog, drug_class: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    # The note's totals (agent -> mg over every syringe of it), in the order the agents were given.
    doses = procedure.doses_by_agent()
    agents = tuple(a for a in doses if (found := catalog.agent(a)) is not None and found.drug_class == drug_class)
    return agents, tuple(doses[a] for a in agents)


def _relief(procedure: Procedure, catalog: Catalog) -> dict[str, Any]:
    thresholds = relief_thresholds(catalog)
    summary = procedure_relief(procedure, catalog, thresholds)
    out: dict[str, Any] = {"peak_relief_pct": summary.peak_pct, "peak_relief_min": summary.peak_at}
    for key, threshold in zip(RELIEF_THRESHOLD_KEYS, thresholds, strict=True):
        prefix = _RELIEF_PREFIX[key]
        # Durations mean nothing without a peak (no pre-injection score, a score of 0, or no scores).
        duration = summary.duration(threshold) if summary.peak_pct is not None else None
        out[f"{prefix}_threshold_pct"] = threshold
        out[f"{prefix}_from_min"] = None if duration is None else duration.reached_at
        # Counted from when relief reached the threshold (the one definition of a relief duration).
        out[f"{prefix}_lasted_min"] = None if duration is None else duration.minutes
        out[f"{prefix}_below_at_min"] = None if duration is None else duration.ended_before
    return out


def _lesioning(procedure: Procedure) -> dict[str, Any]:
    rf = procedure.radiofrequency
    values = {} if rf is None else rf.model_dump(mode="json")
    return {column: values.get(column.removeprefix("rf_")) for column in RF_COLUMNS}


def _follow_ups(procedure: Procedure, visits: Sequence[FollowUp], catalog: Catalog) -> dict[str, Any]:
    """The follow-up columns (see the module docstring): the last visit's empty when there is none."""
    rf = procedure.technique is Technique.RADIOFREQUENCY_ABLATION
    pct_key, months_key = _RF_IMPROVEMENT if rf else _OTHER_IMPROVEMENT
    min_pct = float(catalog.threshold(pct_key).value)
    months = float(catalog.threshold(months_key).value)
    days_per_month = float(catalog.threshold(DAYS_PER_MONTH_KEY).value)
    ordered = sorted(visits, key=lambda v: v.seen_on)
    span = relief_span(procedure, ordered, min_pct)
    lasted = span.months(days_per_month)
    out: dict[str, Any] = {
        "follow_up_visits": len(ordered),
        "last_follow_up_months": None,
        "last_follow_up_pain_nrs": None,
        "last_follow_up_pain_improvement_pct": None,
        "last_follow_up_adl_improvement_pct": None,
        "last_follow_up_impression": None,
        "improvement_threshold_pct": min_pct,
        "improvement_for_months": months,
        "improvement_sustained": sustained_improvement(procedure, ordered, min_pct, months, days_per_month).met,
        "improvement_lasted_months": None if lasted is None else round(lasted, 1),
        "improvement_ended": span.ended,
    }
    if ordered:
        last = ordered[-1]
        impression = last.global_impression
        out |= {
            "last_follow_up_months": round((last.seen_on - procedure.performed_at.date()).days / days_per_month, 1),
            "last_follow_up_pain_nrs": last.pain_nrs,
            "last_follow_up_pain_improvement_pct": pain_improvement_pct(procedure, last),
            "last_follow_up_adl_improvement_pct": last.adl_improvement_pct,
            "last_follow_up_impression": None if impression is None else impression.value,
        }
    return out


def outcome_row(
    patient: Patient, procedure: Procedure, catalog: Catalog, follow_ups: Sequence[FollowUp] = ()
) -> dict[str, Any]:
    """The identified row of one procedure with its follow-up visits, in IDENTIFIED_COLUMNS order, as typed values.

    Values are None (not recorded), bool, int, float, str, date, datetime, or a tuple of these
    (a list in one cell; ``levels`` and ``sides``, the agent and mg columns, the code and unit
    columns run in parallel).
    """
    levels, sides = _levels_and_sides(procedure)
    anaesthetics, anaesthetic_mg = _doses(procedure, catalog, "local_anesthetic")
    steroids, steroid_mg = _doses(procedure, catalog, "corticosteroid")
    botox = procedure.botulinum_toxin
    codes = derive_codes(procedure, catalog)
    indication = procedure.indication
    signature = procedure.signature
    age = patient.age_on(procedure.performed_at.date())
    values: dict[str, Any] = {
        "procedure_uid": procedure.uid,
        "mrn": patient.mrn,
        "family_name": patient.family_name,
        "given_name": patient.given_name,
        "date_of_birth": patient.date_of_birth,
        "physician": procedure.physician,
        "age_years": age if age >= 0 else None,
        "sex": patient.sex.value,
        "performed_at": procedure.performed_at,
        "region": tuple(procedure.regions(catalog)),
        "levels": levels,
        "sides": sides,
        "target_count": len(procedure.targets),
        "technique": procedure.technique.value,
        "intent": procedure.intent.value,
        "guidance": procedure.guidance.value,
        "contrast": procedure.contrast,
        "sedation": procedure.sedation.value,
        "local_anaesthetics": anaesthetics,
        "local_anaesthetic_mg": anaesthetic_mg,
        "corticosteroids": steroids,
        "corticosteroid_mg": steroid_mg,
        "botox_product": None if botox is None else botox.product.value,
        "botox_units": None if botox is None else botox.total_units,
        "botox_muscles": () if botox is None else tuple(dict.fromkeys(s.muscle for s in botox.sites)),
        "pain_scale": indication.pain_scale.value,
        "pain_duration_months": indication.pain_duration_months,
        "baseline_pain": indication.baseline_pain,
        "disability_scale": None if indication.disability_scale is None else indication.disability_scale.value,
        "disability_score": indication.disability_score,
        "pre_procedure_pain": procedure.pre_procedure_pain,
        "post_pain": tuple(f"{p.minutes_after}:{p.nrs}" for p in procedure.pain_scores),
        **_relief(procedure, catalog),
        "diagnoses": tuple(procedure.diagnoses),
        "post_procedure_diagnoses": tuple(procedure.post_procedure_diagnoses),
        "cpt_codes": tuple(_code(line) for line in codes.procedure_codes),
        "cpt_units": tuple(line.units for line in codes.procedure_codes),
        "hcpcs_drug_codes": tuple(_code(line) for line in codes.drug_codes),
        "hcpcs_drug_units": tuple(line.units for line in codes.drug_codes),
        "complications": tuple(c.value for c in procedure.complications),
        "disposition": None if procedure.disposition is None else procedure.disposition.value,
        "signed": signature is not None,
        "signed_at": None if signature is None else signature.signed_at,
        "addenda_count": len(procedure.addenda),
        **_lesioning(procedure),
        **_follow_ups(procedure, follow_ups, catalog),
        "signed_by": None if signature is None else signature.signed_by,
        "complication_details": procedure.complication_details,
        "findings": procedure.findings,
        "follow_up": procedure.follow_up,
        "notes": procedure.notes,
        "addenda": ADDENDA_SEPARATOR.join(a.text for a in procedure.addenda),
    }
    return {column: values[column] for column in IDENTIFIED_COLUMNS}


def _shifted(value: date | datetime | None, days: int) -> date | datetime | None:
    if value is None:
        return None
    try:
        return value + timedelta(days=days)
    except OverflowError:  # beyond year 1 or 9999: withheld rather than left unshifted
        return None


def deidentify(row: Mapping[str, Any], *, pseudonym: str, procedure_ref: str, shift_days: int) -> dict[str, Any]:
    """The de-identified row (DEIDENTIFIED_COLUMNS) of an identified ``row`` from outcome_row.

    ``shift_days``: the patient's offset (the same for every procedure of the patient in one export).
    Pure: the caller draws pseudonyms and offsets (draw_shift_days).
    """
    if not isinstance(shift_days, int) or isinstance(shift_days, bool) or shift_days == 0:
        raise ValueError("a de-identified export needs a non-zero shift in whole days")
    out: dict[str, Any] = {"patient": pseudonym, "procedure": procedure_ref}
    for column in CLINICAL_COLUMNS:
        value = row[column]
        if column in DATE_COLUMNS:
            value = _shifted(value, shift_days)
        elif column == "age_years" and value is not None and value > MAX_REPORTED_AGE:
            value = OLDEST_AGE_LABEL
        out[column] = value
    return out


def draw_shift_days() -> int:
    """A patient's date offset for one export: 1 to MAX_SHIFT_DAYS days, earlier or later, from the CSPRNG."""
    drawn = secrets.randbelow(2 * MAX_SHIFT_DAYS)  # 0 .. 2*MAX-1
    return drawn - MAX_SHIFT_DAYS if drawn < MAX_SHIFT_DAYS else drawn - MAX_SHIFT_DAYS + 1


def pseudonym(n: int) -> str:
    """The ``n``-th patient's pseudonym in an export (1 -> "P000001")."""
    return f"P{n:06d}"
