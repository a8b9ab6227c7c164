"""What the procedure note shows, as plain data: CaseFile -> NoteContent (no drawing here).

The one thing read from outside the case is the embedded font's character map, so that text the
font cannot draw is reported (NoteContent.warnings) instead of printing as silent empty boxes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from facetdesk.domain.case import CaseFile
from facetdesk.domain.catalog import Catalog, get_catalog
from facetdesk.domain.coding import derive_codes
from facetdesk.domain.finding import Finding
from facetdesk.domain.follow_up import FollowUp, follow_up_summary
from facetdesk.domain.months import months_before
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.settings import ClinicSettings
from facetdesk.domain.wording import (
    NAMED_IN_MESSAGES,
    described_later_fields,
    documentation_fields,
    indication_fields,
    inr_text,
    procedure_fields,
    procedure_performed,
)
from facetdesk.note.blocks import (  # noqa: F401 (re-exported: the note's public names)
    DRAFT_STATUS,
    NOT_DOCUMENTED,
    NOT_RECORDED,
    NOTE_IMAGES_MAX,
    SAME_AS_PRE,
    SIGNED_STATUS,
    TITLE,
    TOXIN_TITLE,
    VERIFY,
    AddendumBlock,
    BotoxBlock,
    CodingBlock,
    Fields,
    Letterhead,
    NoteImage,
    PainBlock,
    PatientBlock,
    Table,
    fmt_date,
    fmt_datetime,
    num,
    signed_line,
    yes_no,
)
from facetdesk.note.decision_support import (  # noqa: F401 (re-exported: the note's public names)
    DECISION_SUPPORT_DISCLAIMER,
    DECISION_SUPPORT_NOT_RUN,
    NOT_ACKNOWLEDGED,
    NOTHING_FLAGGED,
    DecisionSupportBlock,
    FlaggedFinding,
    SourcedLine,
    decision_support_block,
)
from facetdesk.note.diary_sheet import diary_times
from facetdesk.note.glyphs import glyph_warnings
from facetdesk.note.instructions import standard_instructions
from facetdesk.note.narrative import technique_narrative
from facetdesk.note.procedure_sections import (
    botox_block,
    coding_block,
    consent_fields,
    letterhead,
    medications_table,
    nerve_lines,
    pain_block,
    targets_table,
)


@dataclass(frozen=True)
class NoteContent:
    title: str
    summary: str
    clinic_name: str
    status: str
    watermark: str
    generated_at: datetime
    generated_label: str
    patient: PatientBlock
    service_date: str
    service_time: str
    physician: str
    risk_facts: Fields
    indication: Fields
    diagnoses: Table
    prior_procedures: Table
    procedure: Fields
    targets: Table
    nerves: tuple[str, ...]
    medications: Table
    botox: BotoxBlock | None
    pain: PainBlock
    complications: tuple[str, ...]
    complication_details: str
    disposition: str
    follow_up: str
    notes: str
    decision_support: DecisionSupportBlock
    # The follow-up visits after this procedure recorded by the time the note is made, one line each.
    follow_up_visits: tuple[str, ...] = ()
    # The procedure's images, when the clinic prints them (ClinicSettings.note_images), and how many more it has.
    images: tuple[NoteImage, ...] = ()
    images_not_printed: int = 0
    discharge_instructions: tuple[str, ...] = ()
    signature_fields: tuple[str, ...] = field(default=("Physician", "Signature", "Date/time"))
    letterhead: Letterhead = field(default=Letterhead("", (), ""))
    page_size: str = "letter"
    # Post-procedure diagnoses; no rows means they are the pre-procedure ones.
    post_diagnoses: Table = field(default=Table(("ICD-10-CM", "Diagnosis"), (), empty=SAME_AS_PRE))
    procedure_performed: str = ""
    coding: CodingBlock | None = None
    consent: Fields = ()
    # Radiation and images, and the check after the procedure (documentation items; "not documented" if absent).
    radiation: Fields = ()
    post_check: Fields = ()
    # Plain fields described after these sections were written (printed with the post-procedure check).
    later: Fields = ()
    narrative: tuple[str, ...] = ()
    procedure_findings: str = NOT_RECORDED
    estimated_blood_loss: str = NOT_RECORDED
    patient_instructions: tuple[str, ...] = ()
    # Set when the procedure is signed: "Electronically signed by ... on ..." replaces the blank lines.
    signed: str = ""
    addenda: tuple[AddendumBlock, ...] = ()
    warnings: tuple[str, ...] = ()
    # Printed in each page's code (render.page_code_text), so a scanned page finds its record and its place.
    procedure_uid: str = ""
    # The prior procedures not listed, in one line ("" when every one is listed).
    prior_summary: str = ""
    document: str = "procedure-note"
    # The patient's diary sheet: (the clinic's time point, its clock time counted from the injection).
    diary_sheet: tuple[tuple[str, str], ...] = ()
    # The clinic's long form (ClinicSettings.note_long_form): coding notes and the LCD documentation appendix.
    long_form: bool = False


# ---- formatting helpers ---------------------------------------------------


# ---- sections -------------------------------------------------------------
def _patient(patient: Patient, procedure: Procedure) -> PatientBlock:
    return PatientBlock(
        name=patient.display_name,
        mrn=patient.mrn,
        date_of_birth=fmt_date(patient.date_of_birth),
        sex=patient.sex.label,
        age_at_procedure=f"{patient.age_on(procedure.performed_at.date())} years",
        weight=f"{num(patient.weight_kg)} kg" if patient.weight_kg is not None else NOT_RECORDED,
    )


def _answer_without_entries(answer: bool | None, yes: str) -> str:
    """A question asked apart from its list, printed when the list is empty: not asked, none (asked), or ``yes``
    (answered yes, nothing listed: the reader must know the record is incomplete)."""
    if answer is None:
        return NOT_RECORDED
    return yes if answer else "None (asked)"


def _latest_visits(procedure: Procedure, visits: list[FollowUp]) -> tuple[str, ...]:
    """The latest follow-up visits one line each, the earlier ones counted with their span: a long course of
    visits must not push the signature to another page (the visits are all on the patient's timeline)."""
    shown = visits[-NAMED_IN_MESSAGES:]
    earlier = visits[: len(visits) - len(shown)]
    lines = [follow_up_summary(procedure, v) for v in shown]
    if earlier:
        span = f"{earlier[0].seen_on:%Y-%m-%d}" + (f" to {earlier[-1].seen_on:%Y-%m-%d}" if len(earlier) > 1 else "")
        lines.insert(0, f"{len(earlier)} earlier visit(s), {span}")
    return tuple(lines)


def _risk_facts(patient: Patient, procedure: Procedure, catalog: Catalog) -> Fields:
    anticoagulants = []
    for use in patient.anticoagulants:
        agent = catalog.anticoagulant(use.agent)
        name = agent.name if agent else use.agent
        last = fmt_datetime(use.last_dose_at) if use.last_dose_at else NOT_RECORDED
        anticoagulants.append(f"{name} (last dose {last})")
    facts: Fields = (
        ("Diabetes", yes_no(patient.diabetes)),
        (
            "Anticoagulants / antiplatelets",
            "; ".join(anticoagulants)
            or _answer_without_entries(patient.takes_anticoagulants, "Yes, agent not recorded"),
        ),
        # Empty is not asked, not "none": a patient without allergies has "NKDA" (or the like) recorded.
        ("Allergies", "; ".join(patient.allergies) or NOT_RECORDED),
        ("Pregnant", yes_no(patient.pregnant)),
        ("Neuromuscular disease", yes_no(patient.neuromuscular_disease)),
        ("Infection at injection site", yes_no(patient.injection_site_infection)),
        ("Renal impairment", yes_no(patient.renal_impairment)),
        ("INR", inr_text(patient)),
    )
    elsewhere = _toxin_elsewhere(patient, procedure)
    return (*facts, ("Botulinum toxin elsewhere", elsewhere)) if elsewhere else facts


def _toxin_elsewhere(patient: Patient, procedure: Procedure) -> str:
    """The latest dose given elsewhere by the procedure's day (the toxin findings count each in their window); with
    none, the answer to the question when toxin is given today (the reader must know whether it was asked)."""
    before = patient.toxin_elsewhere_until(procedure.performed_at.date())
    if not before:
        if procedure.botulinum_toxin is None:
            return ""
        # Yes with no dose listed (or none by this day): the exposure counted is incomplete.
        return _answer_without_entries(patient.had_toxin_elsewhere, "Yes, no dose recorded")
    more = len(before) - 1
    return before[-1].summary() + (f"; {more} earlier dose(s) recorded" if more else "")


def _diagnoses(codes: list[str], catalog: Catalog, empty: str) -> Table:
    rows = []
    for code in codes:
        dx = catalog.diagnosis(code)
        rows.append((code, dx.title if dx else ""))
    return Table(("ICD-10-CM", "Diagnosis"), tuple(rows), empty=empty)


def _levels_summary(procedure: Procedure) -> str:
    return f"{', '.join(procedure.levels())} ({procedure.laterality()})"


def _note_images(case: CaseFile, clinic: ClinicSettings | None) -> tuple[tuple[NoteImage, ...], int]:
    """The images to print (the clinic's choice), up to NOTE_IMAGES_MAX, and how many are left out."""
    if clinic is None or not clinic.note_images:
        return (), 0
    mine = [i for i in case.images if i.procedure_uid == case.procedure.uid]
    shown = tuple(NoteImage(i.record().label(), i.png, i.width, i.height) for i in mine[:NOTE_IMAGES_MAX])
    return shown, len(mine) - len(shown)


def _what_was_treated(procedure: Procedure) -> str:
    """The levels of a facet procedure; the toxin of a toxin-only visit (it treats no joint)."""
    bt = procedure.botulinum_toxin
    if procedure.technique.treats_joints or bt is None:
        return _levels_summary(procedure)
    return f"{num(bt.total_units)} U {bt.product.label}"


def _prior(procedure: Procedure, priors: list[Procedure], catalog: Catalog) -> tuple[Table, str]:
    """The prior procedures the coverage rules weigh (same region, within the LCD's rolling window), one row each,
    and one line for the rest: a long history stays a line, not pages."""
    window = int(catalog.threshold("lcd.sessions.window_months").value)
    since = months_before(procedure.performed_at, window)
    regions = set(procedure.regions(catalog))
    earlier = sorted((p for p in priors if p.performed_at < procedure.performed_at), key=lambda p: p.performed_at)
    if not regions:  # a toxin-only visit: no region to weigh facet procedures in
        in_record = f"{len(earlier)} earlier procedure(s) in the record" if earlier else ""
        return Table(("Date", "Technique", "Intent", "Levels"), (), empty="Not applicable: no facet joint treated"), (
            in_record
        )
    listed = [p for p in earlier if p.performed_at >= since and regions & set(p.regions(catalog))]
    rows = tuple(
        (fmt_date(p.performed_at.date()), p.technique.label, p.intent.label, _levels_summary(p)) for p in listed
    )
    table = Table(("Date", "Technique", "Intent", "Levels"), rows, empty="None recorded in FacetDesk")
    rest = [p for p in earlier if p not in listed]
    if not rest:
        return table, ""
    other_region = sum(1 for p in rest if not regions & set(p.regions(catalog)))
    older = len(rest) - other_region
    parts = [f"{n} {what}" for n, what in ((older, f"in this region before {fmt_date(since.date())}"),
                                           (other_region, "in other regions")) if n]  # fmt: skip
    first, last = rest[0].performed_at.date(), rest[-1].performed_at.date()
    span = fmt_date(first) if first == last else f"{fmt_date(first)} to {fmt_date(last)}"
    summary = f"{len(rest)} more not listed ({'; '.join(parts)}; {span}); all are in the record"
    return (table if rows else dataclasses.replace(table, empty="None in this region in the last "
                                                   f"{window} months"), summary)  # fmt: skip


def _addenda(procedure: Procedure) -> tuple[AddendumBlock, ...]:
    return tuple(
        AddendumBlock(
            heading=f"Addendum {n} — {a.author}, {fmt_datetime(a.written_at)}",
            text=a.text,
            signed=signed_line(a.signed_by, a.signed_at),
        )
        for n, a in enumerate(procedure.addenda, start=1)
    )


def _warnings(c: NoteContent) -> tuple[str, ...]:
    """Every typed or catalog string, by the section it prints in (derived text such as the narrative repeats them)."""
    return glyph_warnings(
        {
            "Clinic letterhead": (c.letterhead, c.clinic_name),
            "Patient": c.patient,
            "Physician": c.physician,
            "Risk factors": c.risk_facts,
            "Indication": c.indication,
            "Diagnosis": (c.diagnoses, c.post_diagnoses),
            "Prior facet procedures": c.prior_procedures,
            "Procedure": (c.procedure_performed, c.coding, c.procedure, c.targets, c.nerves),
            "Medications": c.medications,
            "Botulinum toxin": c.botox,
            "Findings": c.procedure_findings,
            "Complications": (c.complications, c.complication_details),
            "Estimated blood loss": c.estimated_blood_loss,
            "Pain response": c.pain.scores,
            "Decision support": c.decision_support,
            "Disposition": c.disposition,
            "Follow-up": (c.follow_up, c.follow_up_visits),
            "Discharge instructions": (c.discharge_instructions, c.patient_instructions),
            "Notes": c.notes,
            "Signature": c.signed,
            "Addenda": tuple((a.heading, a.text, a.signed) for a in c.addenda),
        }
    )


def build_note_content(
    case: CaseFile,
    *,
    clinic: ClinicSettings | None = None,
    generated_at: datetime | None = None,
    findings: Sequence[Finding] = (),
    discharge_instructions: Sequence[str] = (),
    signer_fingerprint: str = "",
) -> NoteContent:
    """Everything the note shows, derived from the case; the renderer adds only layout.

    ``clinic`` gives the letterhead and paper size (None: no letterhead, Letter);
    ``findings`` are decision-support results computed elsewhere (the note does not run rules);
    ``discharge_instructions`` are case-specific patient-facing sentences, printed before the
    standard instructions every patient gets.
    """
    catalog = get_catalog()
    patient, procedure = case.patient, case.procedure
    generated = (generated_at or datetime.now()).replace(microsecond=0)
    head = letterhead(clinic)
    signature = procedure.signature
    prior_table, prior_summary = _prior(procedure, list(case.prior_procedures), catalog)
    printed_images, images_left_out = _note_images(case, clinic)
    content = NoteContent(
        title=TITLE if procedure.technique.treats_joints else TOXIN_TITLE,
        summary=f"{procedure.technique.label} · {_what_was_treated(procedure)}",
        clinic_name=head.name,
        # The DRAFT watermark goes only with a signature.
        status=SIGNED_STATUS if signature else DRAFT_STATUS,
        watermark="" if signature else "DRAFT",
        generated_at=generated,
        generated_label=fmt_datetime(generated),
        patient=_patient(patient, procedure),
        service_date=fmt_date(procedure.performed_at.date()),
        service_time=f"{procedure.performed_at:%H:%M}",
        physician=procedure.physician,
        risk_facts=_risk_facts(patient, procedure, catalog),
        indication=indication_fields(procedure, catalog),
        diagnoses=_diagnoses(procedure.diagnoses, catalog, "No diagnosis recorded"),
        prior_procedures=prior_table,
        prior_summary=prior_summary,
        procedure=procedure_fields(procedure, catalog) + documentation_fields(procedure, "technique"),
        targets=targets_table(procedure, catalog),
        nerves=nerve_lines(procedure, catalog),
        medications=medications_table(procedure, catalog),
        botox=botox_block(procedure.botulinum_toxin, catalog),
        pain=pain_block(procedure, catalog),
        complications=tuple(c.label for c in procedure.complications) or ("None",),
        complication_details=procedure.complication_details,
        disposition=procedure.disposition.label if procedure.disposition else NOT_RECORDED,
        follow_up=procedure.follow_up or NOT_RECORDED,
        images=printed_images,
        images_not_printed=images_left_out,
        follow_up_visits=_latest_visits(
            procedure, sorted((v for v in case.follow_ups if v.procedure_uid == procedure.uid), key=lambda v: v.seen_on)
        ),
        notes=procedure.notes,
        decision_support=decision_support_block(procedure, findings),
        discharge_instructions=tuple(line for line in discharge_instructions if line.strip()),
        letterhead=head,
        page_size=clinic.page_size.value if clinic else "letter",
        post_diagnoses=_diagnoses(procedure.post_procedure_diagnoses, catalog, SAME_AS_PRE),
        procedure_performed=procedure_performed(procedure),
        coding=coding_block(derive_codes(procedure, catalog)),
        consent=consent_fields(procedure),
        radiation=documentation_fields(procedure, "radiation"),
        post_check=documentation_fields(procedure, "after"),
        later=described_later_fields(procedure),
        narrative=technique_narrative(procedure, catalog),
        procedure_findings=procedure.findings.strip() or NOT_RECORDED,
        estimated_blood_loss=procedure.estimated_blood_loss or NOT_RECORDED,
        patient_instructions=standard_instructions(procedure, clinic_phone=head.phone),
        signed=signed_line(signature.signed_by, signature.signed_at, signer_fingerprint) if signature else "",
        addenda=_addenda(procedure),
        diary_sheet=diary_times(procedure.performed_at, catalog),
        procedure_uid=procedure.uid,
        long_form=bool(clinic and clinic.note_long_form),
    )
    return dataclasses.replace(content, warnings=_warnings(content))
