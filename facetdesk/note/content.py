"""What the procedure note shows, as plain data: CaseFile -> NoteContent (no reportlab here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from facetdesk.domain.case import CaseFile
from facetdesk.domain.catalog import Catalog, get_catalog
from facetdesk.domain.enums import MedicationSite, Side, Technique, VolumeBasis
from facetdesk.domain.finding import Finding, Severity, Status, sort_findings
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import BotoxTreatment, Override, Procedure
from facetdesk.domain.relief import ReliefDuration, summarize_relief
from facetdesk.domain.timefmt import format_minutes

DRAFT_STATUS = "DRAFT — not signed"
NOT_RECORDED = "not recorded"
NONE_RECORDED = "None recorded"
TITLE = "Facet joint procedure note"
DECISION_SUPPORT_NOT_RUN = "Decision support was not run for this note."
NOTHING_FLAGGED = "No guideline concerns flagged."
NOT_ACKNOWLEDGED = "Not acknowledged"
DECISION_SUPPORT_DISCLAIMER = (
    "Decision support flags possible problems against the configured guidelines; it does not decide. "
    "The treating physician decides and is responsible for the procedure."
)

Fields = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A header row and body rows of text; an empty table renders as its placeholder."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = NONE_RECORDED


@dataclass(frozen=True)
class PatientBlock:
    name: str
    mrn: str
    date_of_birth: str
    sex: str
    age_at_procedure: str
    weight: str


@dataclass(frozen=True)
class BotoxBlock:
    product: str
    dilution: str
    sites: Table
    total_units: str


@dataclass(frozen=True)
class PainBlock:
    scale: str
    baseline: str
    scores: Table
    peak: str
    durations: tuple[str, ...]


@dataclass(frozen=True)
class FlaggedFinding:
    """One finding that needs the reader's attention; ``source`` numbers into DecisionSupportBlock.sources."""

    severity: str
    rule: str
    message: str
    acknowledgement: str
    source: int | None


@dataclass(frozen=True)
class SourcedLine:
    text: str
    source: int | None


@dataclass(frozen=True)
class DecisionSupportBlock:
    """What decision support found, as printed: flagged findings, acknowledgements, relief interpretation.

    ``ran`` is False when no findings were passed in; the note then says so instead of implying
    that everything was checked and met.
    """

    ran: bool
    flagged: tuple[FlaggedFinding, ...]
    acknowledgements_on_record: tuple[str, ...]
    relief_interpretation: tuple[SourcedLine, ...]
    met_count: int
    met_line: str
    sources: tuple[str, ...]
    disclaimer: str = DECISION_SUPPORT_DISCLAIMER
    not_run: str = DECISION_SUPPORT_NOT_RUN
    nothing_flagged: str = NOTHING_FLAGGED


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
    discharge_instructions: tuple[str, ...] = ()
    signature_fields: tuple[str, ...] = field(default=("Performing physician", "Signature", "Date/time"))


# ---- formatting helpers ---------------------------------------------------
def num(value: float) -> str:
    """A quantity without float noise: 15.0 -> '15', 0.25 -> '0.25'."""
    return f"{round(value, 3):g}"


def _date(d: date) -> str:
    # ISO dates: unambiguous for readers on both sides of the Atlantic.
    return f"{d:%Y-%m-%d}"


def _datetime(dt: datetime) -> str:
    return f"{dt:%Y-%m-%d %H:%M}"


def _yes_no(value: bool | None) -> str:
    if value is None:
        return NOT_RECORDED
    return "Yes" if value else "No"


def _sides(sides: list[Side]) -> str:
    return ", ".join(s.label for s in sides)


# ---- sections -------------------------------------------------------------
def _patient(patient: Patient, procedure: Procedure) -> PatientBlock:
    return PatientBlock(
        name=patient.display_name,
        mrn=patient.mrn,
        date_of_birth=_date(patient.date_of_birth),
        sex=patient.sex.label,
        age_at_procedure=f"{patient.age_on(procedure.performed_at.date())} years",
        weight=f"{num(patient.weight_kg)} kg" if patient.weight_kg is not None else NOT_RECORDED,
    )


def _risk_facts(patient: Patient, catalog: Catalog) -> Fields:
    anticoagulants = []
    for use in patient.anticoagulants:
        agent = catalog.anticoagulant(use.agent)
        name = agent.name if agent else use.agent
        last = _datetime(use.last_dose_at) if use.last_dose_at else NOT_RECORDED
        anticoagulants.append(f"{name} (last dose {last})")
    return (
        ("Diabetes", _yes_no(patient.diabetes)),
        ("Anticoagulants / antiplatelets", "; ".join(anticoagulants) or NONE_RECORDED),
        ("Allergies", "; ".join(patient.allergies) or NONE_RECORDED),
        ("Pregnant", _yes_no(patient.pregnant)),
        ("Neuromuscular disease", _yes_no(patient.neuromuscular_disease)),
        ("Infection at injection site", _yes_no(patient.injection_site_infection)),
    )


def _indication(procedure: Procedure) -> Fields:
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
    return (
        ("Pain duration", f"{months} months" if months is not None else NOT_RECORDED),
        ("Conservative care tried", care),
        ("Pain scale", ind.pain_scale.label),
        ("Usual pain at evaluation", f"{ind.baseline_pain}/10" if ind.baseline_pain is not None else NOT_RECORDED),
        ("Disability", disability),
    ) + _coverage_reasons(procedure)


def _coverage_reasons(procedure: Procedure) -> Fields:
    """Coverage documentation (LCD L38773), shown only when recorded."""
    out: Fields = ()
    if procedure.mbb_not_possible_reason:
        out += (("MBB not possible because", procedure.mbb_not_possible_reason),)
    if procedure.rfa_not_candidate_reason:
        out += (("Not a radiofrequency candidate because", procedure.rfa_not_candidate_reason),)
    return out


def _diagnoses(procedure: Procedure, catalog: Catalog) -> Table:
    rows = []
    for code in procedure.diagnoses:
        dx = catalog.diagnosis(code)
        rows.append((code, dx.title if dx else ""))
    return Table(("ICD-10-CM", "Diagnosis"), tuple(rows), empty="No diagnosis recorded")


def _levels_summary(procedure: Procedure) -> str:
    return f"{', '.join(procedure.levels())} ({procedure.laterality()})"


def _prior(priors: list[Procedure]) -> Table:
    rows = tuple(
        (_date(p.performed_at.date()), p.technique.label, p.intent.label, _levels_summary(p))
        for p in sorted(priors, key=lambda p: p.performed_at)
    )
    return Table(("Date", "Technique", "Intent", "Levels"), rows, empty="None recorded in FacetDesk")


def _procedure_fields(procedure: Procedure, catalog: Catalog) -> Fields:
    return (
        ("Technique", procedure.technique.label),
        ("Intent", procedure.intent.label),
        ("Guidance", procedure.guidance.label),
        ("Contrast", "Yes" if procedure.contrast else "No"),
        ("Sedation", procedure.sedation.label),
        ("Region", ", ".join(r.capitalize() for r in procedure.regions(catalog))),
    )


def _targets(procedure: Procedure, catalog: Catalog) -> Table:
    mbb = procedure.technique == Technique.MEDIAL_BRANCH_BLOCK
    header: tuple[str, ...] = ("Level", "Side(s)", "Region")
    if mbb:
        header += ("Nerves blocked",)
    rows = []
    for level in procedure.levels():
        joint = catalog.joint(level)
        assert joint is not None  # targets are validated against the catalog
        row: tuple[str, ...] = (level, _sides(procedure.sides_at(level)), joint.region.capitalize())
        if mbb:
            row += (", ".join(joint.nerves),)
        rows.append(row)
    return Table(header, tuple(rows))


def _nerves(procedure: Procedure, catalog: Catalog) -> tuple[str, ...]:
    """One line per side: shared nerves of adjacent joints are counted (and dosed) once."""
    lines = []
    nerves = procedure.nerves(catalog)
    for side in (Side.LEFT, Side.RIGHT):
        names = [n for n, s in nerves if s == side]
        if names:
            lines.append(f"{side.label} ({len(names)}): {', '.join(names)}")
    return tuple(lines)


def _medications(procedure: Procedure, catalog: Catalog) -> Table:
    rows = []
    for med in procedure.medications:
        agent = med.catalog_agent(catalog)
        strength = agent.strength(med.concentration_mg_per_ml)
        label = strength.label if strength else f"{num(med.concentration_mg_per_ml)} {agent.concentration_unit}"
        volume = f"{num(med.volume_ml)} mL {med.volume_basis.label}"
        n = med.multiplier(procedure)
        if med.volume_basis == VolumeBasis.PER_NERVE:
            volume += f" (× {n} nerve{'s' if n != 1 else ''})"
        elif med.volume_basis == VolumeBasis.PER_JOINT:
            volume += f" (× {n} joint{'s' if n != 1 else ''})"
        if med.site == MedicationSite.SKIN:
            volume += ", skin and needle track"
        rows.append(
            (
                agent.name,
                label,
                volume,
                f"{num(med.total_volume_ml(procedure))} mL",
                f"{num(med.total_dose_mg(procedure))} {agent.dose_unit}",
            )
        )
    return Table(("Agent", "Strength", "Volume", "Total volume", "Total dose"), tuple(rows))


def _botox(bt: BotoxTreatment | None, catalog: Catalog) -> BotoxBlock | None:
    if bt is None:
        return None
    per_ml = bt.units_per_ml
    rows = []
    for site in bt.sites:
        muscle = catalog.muscle(site.muscle)
        units = site.units or 0
        rows.append(
            (
                muscle.name if muscle else site.muscle,
                site.level,
                site.side.label,
                f"{num(units)} U",
                f"{round(units / per_ml, 2):g} mL",
            )
        )
    return BotoxBlock(
        product=bt.product.label,
        dilution=f"{num(bt.vial_units)} U in {num(bt.diluent_ml)} mL ({num(per_ml)} U/mL)",
        sites=Table(("Muscle", "Level", "Side", "Units", "Volume"), tuple(rows)),
        total_units=f"{num(bt.total_units)} U",
    )


def _duration_line(d: ReliefDuration) -> str:
    head = f"Relief ≥{num(d.threshold_pct)}%"
    if d.reached_at is None or d.lasted_until is None:
        return f"{head}: not reached"
    line = f"{head}: from {format_minutes(d.reached_at)}, lasted at least {format_minutes(d.lasted_until)}"
    if d.ended_before is not None:
        return f"{line} (below at {format_minutes(d.ended_before)})"
    return f"{line} (still at last score)"


def _pain(procedure: Procedure, catalog: Catalog) -> PainBlock:
    thresholds = sorted(
        (catalog.threshold(k).value for k in ("relief.positive_block_pct", "relief.meaningful_pct")), reverse=True
    )
    summary = summarize_relief(procedure.pre_procedure_pain, procedure.pain_scores, tuple(thresholds))
    scale = procedure.indication.pain_scale.value
    rows = tuple(
        (
            format_minutes(p.minutes_after),
            str(p.nrs),
            f"{num(p.relief_pct)}%" if p.relief_pct is not None else "—",
            p.activity,
        )
        for p in summary.points
    )
    baseline = f"{summary.baseline}/10" if summary.baseline is not None else NOT_RECORDED
    if summary.reason_not_computed:
        peak = f"Relief not computed: {summary.reason_not_computed}"
        durations: tuple[str, ...] = ()
    else:
        assert summary.peak_pct is not None and summary.peak_at is not None
        peak = f"Peak relief: {num(summary.peak_pct)}% at {format_minutes(summary.peak_at)}"
        durations = tuple(_duration_line(d) for d in summary.durations)
    return PainBlock(
        scale=scale,
        baseline=baseline,
        scores=Table(("Time after injection", scale, "Relief", "Activity"), rows, empty="No post-injection scores"),
        peak=peak,
        durations=durations,
    )


RELIEF_DIAGNOSTIC_RULE = "relief.diagnostic_block"
RELIEF_RFA_RULE = "relief.rfa_candidate"


def _acknowledgement(o: Override) -> str:
    return f"Acknowledged by {o.acknowledged_by} on {_datetime(o.acknowledged_at)}: {o.reason}"


def _decision_support(procedure: Procedure, findings: Sequence[Finding]) -> DecisionSupportBlock:
    """Findings arrive as data (the note never runs the rules): only what needs attention is listed."""
    if not findings:
        return DecisionSupportBlock(
            ran=False,
            flagged=(),
            acknowledgements_on_record=(),
            relief_interpretation=(),
            met_count=0,
            met_line="",
            sources=(),
        )
    sources: list[str] = []

    def source_no(source: str) -> int | None:
        if not source:
            return None
        if source not in sources:
            sources.append(source)
        return sources.index(source) + 1

    ordered = sort_findings(list(findings))
    flagged_findings = [
        f
        for f in ordered
        if f.severity.rank >= Severity.CAUTION.rank and f.status in (Status.NOT_MET, Status.NOT_EVALUATED)
    ]
    flagged = []
    for f in flagged_findings:
        override = procedure.override_for(f.rule)
        if override is not None:
            ack = _acknowledgement(override)
        else:
            ack = NOT_ACKNOWLEDGED if f.needs_acknowledgement else ""
        flagged.append(FlaggedFinding(f.severity.value.upper(), f.rule, f.message, ack, source_no(f.source)))
    flagged_rules = {f.rule for f in flagged_findings}
    on_record = tuple(f"{o.rule} — {_acknowledgement(o)}" for o in procedure.overrides if o.rule not in flagged_rules)
    relief = []
    for rule in (RELIEF_DIAGNOSTIC_RULE, RELIEF_RFA_RULE):
        for f in findings:
            if f.rule != rule:
                continue
            if rule == RELIEF_RFA_RULE and not f.message.strip().lower().startswith("consider"):
                continue
            relief.append(SourcedLine(f.message, source_no(f.source)))
    met = sum(1 for f in findings if f.status == Status.MET)
    return DecisionSupportBlock(
        ran=True,
        flagged=tuple(flagged),
        acknowledgements_on_record=on_record,
        relief_interpretation=tuple(relief),
        met_count=met,
        met_line=f"{met} other guideline check{'' if met == 1 else 's'} met",
        sources=tuple(sources),
    )


def build_note_content(
    case: CaseFile,
    *,
    clinic_name: str = "",
    generated_at: datetime | None = None,
    findings: Sequence[Finding] = (),
    discharge_instructions: Sequence[str] = (),
) -> NoteContent:
    """Everything the note shows, derived from the case; the renderer adds only layout.

    ``findings`` are decision-support results computed elsewhere (the note does not run rules);
    ``discharge_instructions`` are patient-facing sentences printed after the disposition.
    """
    catalog = get_catalog()
    patient, procedure = case.patient, case.procedure
    generated = (generated_at or datetime.now()).replace(microsecond=0)
    return NoteContent(
        title=TITLE,
        summary=f"{procedure.technique.label} · {_levels_summary(procedure)}",
        clinic_name=clinic_name,
        status=DRAFT_STATUS,
        watermark="DRAFT",
        generated_at=generated,
        generated_label=_datetime(generated),
        patient=_patient(patient, procedure),
        service_date=_date(procedure.performed_at.date()),
        service_time=f"{procedure.performed_at:%H:%M}",
        physician=procedure.physician,
        risk_facts=_risk_facts(patient, catalog),
        indication=_indication(procedure),
        diagnoses=_diagnoses(procedure, catalog),
        prior_procedures=_prior(case.prior_procedures),
        procedure=_procedure_fields(procedure, catalog),
        targets=_targets(procedure, catalog),
        nerves=_nerves(procedure, catalog),
        medications=_medications(procedure, catalog),
        botox=_botox(procedure.botulinum_toxin, catalog),
        pain=_pain(procedure, catalog),
        complications=tuple(c.label for c in procedure.complications) or ("None",),
        complication_details=procedure.complication_details,
        disposition=procedure.disposition.label if procedure.disposition else NOT_RECORDED,
        follow_up=procedure.follow_up or NOT_RECORDED,
        notes=procedure.notes,
        decision_support=_decision_support(procedure, findings),
        discharge_instructions=tuple(line for line in discharge_instructions if line.strip()),
    )
