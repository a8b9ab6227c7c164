"""How a procedure's facts are put into words, shared by the printed note and the FHIR export.

One place, so the EHR receives the same sentences the chart's printed note shows.
"""

from __future__ import annotations

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.documentation_items import ITEMS as DOCUMENTATION_ITEMS
from facetdesk.domain.documentation_items import Group, Item
from facetdesk.domain.enums import ExclusionAnswer, Guidance, MedicationSite, Technique, VolumeBasis
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import MedicationAdministration, Procedure
from facetdesk.domain.procedure_form import FIELDS as FORM_FIELDS
from facetdesk.domain.relief import ReliefDuration, ReliefSummary
from facetdesk.domain.timefmt import fmt_datetime, format_minutes

NOT_RECORDED = "not recorded"
NOT_DOCUMENTED = "not documented"
NONE_RECORDED = "None recorded"

Fields = tuple[tuple[str, str], ...]

GUIDANCE_PHRASE = {
    Guidance.FLUOROSCOPY: "under fluoroscopic guidance",
    Guidance.CT: "under CT guidance",
    Guidance.ULTRASOUND: "under ultrasound guidance",
    Guidance.NONE: "without image guidance",
}


# How many of a patient's earlier procedures a message names: the latest; a long history is counted, not listed.
NAMED_IN_MESSAGES = 3


def latest_named(entries: list[str]) -> str:
    """'a; b; c' naming the latest entries, with how many earlier ones there are ('5 earlier; c; d; e')."""
    shown = entries[-NAMED_IN_MESSAGES:]
    hidden = len(entries) - len(shown)
    return "; ".join([*([f"{hidden} earlier"] if hidden else []), *shown])


def num(value: float) -> str:
    """A quantity without float noise: 15.0 -> '15', 0.25 -> '0.25'."""
    return f"{round(value, 3):g}"


def documentation_text(procedure: Procedure, item: Item) -> str:
    """One documentation item as the note and the exports word it; "not documented" when not recorded."""
    doc = procedure.documentation
    value = getattr(doc, item.key)
    if value is None or value == []:
        return NOT_DOCUMENTED
    if isinstance(value, bool):
        return item.yes_no[0] if value else item.yes_no[1]
    if isinstance(value, list):
        return ", ".join(v.label for v in value)
    if item.key == "fluoroscopy_seconds":
        minutes, seconds = divmod(value, 60)
        return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    if item.key == "radiation_dose":
        unit = doc.radiation_dose_unit
        return f"{num(value)} {unit.label}" if unit is not None else f"{num(value)} (unit {NOT_DOCUMENTED})"
    if isinstance(value, (int, float)):
        return num(value)
    return value.label if hasattr(value, "label") else str(value)


def described_later_fields(procedure: Procedure) -> Fields:
    """Plain fields described after the note's own sections were written (FormField.signed_from): each with its
    value, or "not documented", so a field added by its description alone still prints."""
    out = []
    for f in FORM_FIELDS:
        if len(f.path) != 1 or not f.signed_from or f.kind == "panel":  # a panel prints in its own section
            continue
        value = getattr(procedure, f.key)
        if value is None or value == "" or value == []:
            text = NOT_DOCUMENTED
        elif isinstance(value, bool):
            text = "Yes" if value else "No"
        elif isinstance(value, (int, float)):
            text = num(value)
        else:
            text = getattr(value, "label", str(value))
        out.append((f.label, text))
    return tuple(out)


def documentation_fields(procedure: Procedure, group: Group) -> Fields:
    """The printed items of one documentation group that concern this procedure, each with its text."""
    return tuple(
        (item.label, documentation_text(procedure, item))
        for item in DOCUMENTATION_ITEMS
        if item.group == group and item.printed and procedure.documentation_applies(item)
    )


def procedure_performed(procedure: Procedure) -> str:
    """One line naming what was done, as the 'Procedure performed' line of a procedure note."""
    p = procedure
    parts = []
    for level in p.levels():
        sides = p.sides_at(level)
        parts.append(f"{level} {'bilateral' if len(sides) == 2 else sides[0].label.lower()}")
    where = f"{'; '.join(parts)}, " if parts else ""
    if p.technique is Technique.TOXIN_ONLY and p.botulinum_toxin is not None:
        # The toxin is the whole procedure: said once, not "Botulinum toxin only (therapeutic); chemodenervation".
        toxin, guided = p.botulinum_toxin.product.label, GUIDANCE_PHRASE[p.guidance]
        return f"Chemodenervation of paraspinal muscles with {toxin} (no facet joint treated), {guided}"
    what = f"{p.technique.label} ({p.intent.label.lower()}), {where}{GUIDANCE_PHRASE[p.guidance]}"
    if p.botulinum_toxin is not None:
        what += f"; chemodenervation of paraspinal muscles with {p.botulinum_toxin.product.label}"
    return what


def procedure_fields(procedure: Procedure, catalog: Catalog) -> Fields:
    """The technique as the note's "Procedure" table lists it."""
    p = procedure
    if p.contrast:
        spread = p.contrast_spread or NOT_DOCUMENTED
    else:
        spread = "No contrast used"
    label = {f.key: f.label for f in FORM_FIELDS if len(f.path) == 1}  # as the form names them
    return (
        (label["technique"], p.technique.label),
        (label["intent"], p.intent.label),
        ("Region", ", ".join(r.capitalize() for r in p.regions(catalog))),
        (label["guidance"], p.guidance.label),
        (label["position"], p.position.label if p.position else NOT_DOCUMENTED),
        (label["skin_prep"], p.skin_prep.label if p.skin_prep else NOT_DOCUMENTED),
        (label["sedation"], p.sedation.label),
        (label["needle"], p.needle or NOT_DOCUMENTED),
        (label["contrast"], "Yes" if p.contrast else "No"),
        (label["contrast_spread"], spread),
    )


def exclusions_text(procedure: Procedure, catalog: Catalog) -> str:
    """The LCD exclusions as answered: any that applies first, then exceptions, then what is not recorded."""
    ind = procedure.indication
    applies, excepted, missing, no = [], [], [], 0
    for e in catalog.exclusions:
        answer = ind.exclusion_answer(e.key)
        if answer == ExclusionAnswer.PRESENT:
            applies.append(e.question)
        elif answer == ExclusionAnswer.EXCEPTED:
            excepted.append(f"{e.question}: {e.exception} (the LCD's exception)")
        elif answer is None:
            missing.append(e.question)
        else:
            no += 1
    if not (applies or excepted or missing):
        return f"None applies (all {no} answered no)"
    parts = []
    if applies:
        parts.append("APPLIES: " + "; ".join(applies))
    parts += excepted
    if missing:
        parts.append("Not recorded: " + "; ".join(missing))
    if no:
        parts.append(f"{no} answered no")
    return ". ".join(parts)


def indication_fields(procedure: Procedure, catalog: Catalog) -> Fields:
    """The indication as the note prints it, with the coverage reasons (LCD L38773) when recorded."""
    ind = procedure.indication
    months = ind.pain_duration_months
    care = ", ".join(c.label for c in ind.conservative_care) or NONE_RECORDED
    if ind.conservative_care_details:
        care = f"{care} — {ind.conservative_care_details}"
    if ind.disability_scale is not None and ind.disability_score is not None:
        disability = f"{ind.disability_scale.label}: {num(ind.disability_score)}"
    elif ind.disability_scale is not None:
        disability = f"{ind.disability_scale.label}: {NOT_RECORDED}"
    else:
        disability = NOT_RECORDED
    fields: Fields = (
        ("Pain duration", f"{months} months" if months is not None else NOT_RECORDED),
        ("Conservative care tried", care),
        ("Pain scale", ind.pain_scale.label),
        ("Usual pain at evaluation", f"{ind.baseline_pain}/10" if ind.baseline_pain is not None else NOT_RECORDED),
        # Coverage wants the same scale at baseline and after the block: both scores sit beside the scale.
        (
            "Pre-injection pain (day of procedure)",
            f"{procedure.pre_procedure_pain}/10" if procedure.pre_procedure_pain is not None else NOT_RECORDED,
        ),
        ("Disability", disability),
    )
    if catalog.exclusions and procedure.technique.treats_joints:  # the LCD's: facet joint interventions only
        fields += (("LCD exclusions", exclusions_text(procedure, catalog)),)
    if procedure.mbb_not_possible_reason:
        fields += (("MBB not possible because", procedure.mbb_not_possible_reason),)
    if procedure.rfa_not_candidate_reason:
        fields += (("Not a radiofrequency candidate because", procedure.rfa_not_candidate_reason),)
    return fields


def strength_text(med: MedicationAdministration, catalog: Catalog) -> str:
    """'Bupivacaine 0.5%' style strength when the catalog lists it, else the concentration and its unit."""
    agent = med.catalog_agent(catalog)
    strength = agent.strength(med.concentration_mg_per_ml)
    return strength.label if strength else f"{num(med.concentration_mg_per_ml)} {agent.concentration_unit}"


def volume_text(med: MedicationAdministration, procedure: Procedure) -> str:
    """'0.5 mL per nerve (× 6 nerves)': the volume as given, and what it was multiplied by."""
    volume = f"{num(med.volume_ml)} mL {med.volume_basis.label}"
    n = med.multiplier(procedure)
    if med.volume_basis == VolumeBasis.PER_NERVE:
        volume += f" (× {n} nerve{'s' if n != 1 else ''})"
    elif med.volume_basis == VolumeBasis.PER_JOINT:
        volume += f" (× {n} joint{'s' if n != 1 else ''})"
    if med.site == MedicationSite.SKIN:
        volume += ", skin and needle track"
    return volume


def peak_relief_text(summary: ReliefSummary) -> str:
    """'Peak relief: 87.5% at 15 min', or why relief was not computed: the screen, the note and the EHR say it alike."""
    if summary.reason_not_computed or summary.peak_pct is None or summary.peak_at is None:
        return f"Relief not computed: {summary.reason_not_computed}"
    return f"Peak relief: {num(summary.peak_pct)}% at {format_minutes(summary.peak_at)}"


def relief_summary_text(summary: ReliefSummary) -> str:
    """The peak and each threshold's duration as one passage (the editor's pain tab)."""
    if summary.reason_not_computed:
        return peak_relief_text(summary) + "."
    durations = sorted(summary.durations, key=lambda d: -d.threshold_pct)  # the stricter threshold first, as printed
    return ". ".join([peak_relief_text(summary), *(relief_duration_text(d) for d in durations)]) + "."


def relief_duration_text(d: ReliefDuration) -> str:
    """'Relief ≥80%: from 15 min, lasted 45 min (below at 1 h)', as the note prints it.

    How long relief lasted is counted from when it began (domain.relief.ReliefDuration.minutes).
    """
    head = f"Relief ≥{num(d.threshold_pct)}%: {d.run_text()}"
    if d.reached_at is None or d.minutes is None:
        return head
    if d.ended_before is not None:
        return f"{head} (below at {format_minutes(d.ended_before)})"
    return head if d.one_score else f"{head} (still at last score)"


def inr_text(patient: Patient) -> str:
    """'1.1 (within the laboratory's normal range), taken 2026-12-04 08:00', or not recorded."""
    if patient.inr is None or patient.inr_taken_at is None:
        return NOT_RECORDED
    judged = "within" if patient.inr_normal else "OUTSIDE"
    return f"{num(patient.inr)} ({judged} the laboratory's normal range), taken {fmt_datetime(patient.inr_taken_at)}"
