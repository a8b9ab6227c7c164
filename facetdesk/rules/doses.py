"""Dose and volume rules: local anaesthetic maxima, steroid equivalents, particulate steroids, injectate volumes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

from facetdesk.domain.catalog import Agent
from facetdesk.domain.enums import Intent, MedicationSite, Sex, Technique
from facetdesk.domain.months import in_rolling_window, months_before  # noqa: F401 (re-exported for tests)
from facetdesk.domain.procedure import MedicationAdministration, Procedure
from facetdesk.rules.context import RuleCase
from facetdesk.rules.definition import rule
from facetdesk.rules.finding import Finding, Severity, Status

_MEDS = ("medications",)

_LA = "dose.local_anesthetic.max"
_LA_24H = "dose.local_anesthetic.max_24h"
_EQUIV = "dose.steroid.equivalent_mg"
# The reference agent of the equivalence table: its entry is the methylprednisolone dose.
_MPE_REFERENCE = "methylprednisolone_acetate"


def exceeds(value: float, limit: float) -> bool:
    """Above the limit; float noise (0.1 + 0.2) must not turn a dose exactly at the limit into a breach."""
    return value > limit and not math.isclose(value, limit)


def priors_in_window(case: RuleCase, months: int) -> list[Procedure]:
    """Earlier procedures in the rolling window of ``months`` ending with this one (domain.months), oldest first."""
    return [p for p in case.earlier() if in_rolling_window(p.performed_at, case.when, months)]


def _pct(fraction: float) -> str:
    return f"{round(fraction * 100, 1):g}%"


def _mg(value: float) -> str:
    # MPE conversions give long fractions (26.6667); one decimal is plenty for a dose note.
    return f"{round(value, 1):g}"


def _agent(case: RuleCase, med: MedicationAdministration) -> Agent:
    return med.catalog_agent(case.catalog)


def _syringe(case: RuleCase, med: MedicationAdministration, procedure: Procedure) -> str:
    """E.g. "lidocaine 1% 5 mL = 50 mg" (total volume over all joints/nerves)."""
    agent = _agent(case, med)
    strength = agent.strength(med.concentration_mg_per_ml)
    label = strength.label if strength else f"{med.concentration_mg_per_ml:g} {agent.concentration_unit}"
    volume, dose = med.total_volume_ml(procedure), med.total_dose_mg(procedure)
    return f"{agent.name} {label} {volume:g} mL = {dose:g} {agent.dose_unit}"


def _of_class(case: RuleCase, procedure: Procedure, drug_class: str) -> list[MedicationAdministration]:
    return [m for m in procedure.medications if _agent(case, m).drug_class == drug_class]


def _not_applicable(case: RuleCase, rule_id: str, why: str, field: tuple[str, ...] = _MEDS) -> list[Finding]:
    return [case.finding(rule_id, Severity.INFO, Status.NOT_APPLICABLE, f"not applicable: {why}", field=field)]


# ---- local anaesthetic -------------------------------------------------------------------------


@rule(
    "dose.local_anesthetic",
    title="Local anaesthetic dose",
    category="doses",
    checks="All local anaesthetic in the session, each agent as a fraction of its maximum "
    "(smaller of mg/kg x weight and the absolute maximum), summed across agents because toxicity is additive.",
    thresholds=(_LA,),
)
def check_local_anesthetic(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    proc = case.procedure
    meds = _of_class(case, proc, "local_anesthetic")
    if not meds:
        return _not_applicable(case, rid, "no local anaesthetic recorded")
    table = case.value(_LA)
    weight = case.patient.weight_kg

    by_agent: dict[str, list[MedicationAdministration]] = {}
    for m in meds:
        by_agent.setdefault(m.agent, []).append(m)
    missing = [_agent(case, ms[0]).name for key, ms in by_agent.items() if key not in table]
    if missing:
        return [
            case.finding(
                rid,
                Severity.CAUTION,
                Status.NOT_EVALUATED,
                f"not evaluated: no maximum dose for {', '.join(missing)} in {_LA}",
                field=_MEDS,
            )
        ]

    parts: list[str] = []
    total = 0.0  # sum of fractions of each agent's limiting maximum
    needs_weight = False
    for key, ms in by_agent.items():
        entry = table[key]
        mg = sum(m.total_dose_mg(proc) for m in ms)
        max_mg = float(entry["max_mg"])
        per_kg = entry.get("mg_per_kg")
        if per_kg is None:
            limit, basis = max_mg, "absolute maximum; no mg/kg maximum in the table"
        elif weight is None:
            needs_weight = True
            limit, basis = max_mg, "absolute maximum only"
        elif per_kg * weight < max_mg:
            limit, basis = per_kg * weight, f"{per_kg:g} mg/kg"
        else:
            limit, basis = max_mg, "absolute maximum"
        fraction = mg / limit
        total += fraction
        doses = " + ".join(_syringe(case, m, proc) for m in ms)
        if len(ms) > 1:
            doses += f" (together {mg:g} mg)"
        parts.append(f"{doses} ({_pct(fraction)} of {round(limit, 2):g} mg, {basis})")

    summary = " plus ".join(parts)
    over = exceeds(total, 1)
    if needs_weight:
        if over:
            # Above the absolute maxima the weight cannot make it safe.
            msg = f"{summary} is {_pct(total)} of the combined absolute maximum (weight not recorded)"
            return [case.finding(rid, Severity.CRITICAL, Status.NOT_MET, msg, field=_MEDS)]
        msg = (
            f"not evaluated: the patient's weight is not recorded, needed for the weight-based maximum; "
            f"{summary} is {_pct(total)} of the combined absolute maximum"
        )
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field=("patient", "weight_kg"))]
    scope = f"for {weight:g} kg" if weight is not None else "(absolute maxima)"
    msg = f"{summary} is {_pct(total)} of the combined maximum {scope}"
    if over:
        return [case.finding(rid, Severity.CRITICAL, Status.NOT_MET, msg, field=_MEDS)]
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field=_MEDS)]


@rule(
    "dose.local_anesthetic_24h",
    title="Local anaesthetic in 24 hours",
    category="doses",
    checks="Each local anaesthetic with a 24-hour maximum (bupivacaine): this session plus earlier sessions in the "
    "24 hours before it, against that maximum.",
    thresholds=(_LA_24H,),
)
def check_local_anesthetic_24h(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    proc = case.procedure
    table = case.value(_LA_24H)
    hours, limits = table["window_hours"], table["agents"]
    given = {m.agent for m in _of_class(case, proc, "local_anesthetic")}
    capped = sorted(given & set(limits))
    if not capped:
        why = "no local anaesthetic recorded" if not given else "no local anaesthetic given has a 24-hour maximum"
        return _not_applicable(case, rid, why)
    # Sessions that started within the window before this one (the window ends with this session).
    since = case.when - timedelta(hours=hours)
    earlier = [p for p in case.earlier() if p.performed_at > since]
    findings: list[Finding] = []
    for key in capped:
        ms = [m for m in proc.medications if m.agent == key]
        name, max_mg = _agent(case, ms[0]).name, float(limits[key]["max_mg"])
        here = sum(m.total_dose_mg(proc) for m in ms)
        before = [(p, sum(m.total_dose_mg(p) for m in p.medications if m.agent == key)) for p in earlier]
        before = [(p, mg) for p, mg in before if mg > 0]
        total = here + sum(mg for _, mg in before)
        msg = f"{name} {here:g} mg this session"
        if before:
            said = "; ".join(f"{mg:g} mg at {p.performed_at:%Y-%m-%d %H:%M}" for p, mg in before)
            msg += f" plus {total - here:g} mg earlier ({said})"
        over = exceeds(total, max_mg)
        msg += f" = {total:g} mg in {hours:g} hours, {'above' if over else 'within'} the {max_mg:g} mg maximum"
        if over:
            findings.append(case.finding(rid, Severity.CRITICAL, Status.NOT_MET, msg, field=_MEDS))
        else:
            findings.append(case.finding(rid, Severity.INFO, Status.MET, msg, field=_MEDS))
    return findings


# ---- corticosteroids ---------------------------------------------------------------------------


@dataclass
class _Mpe:
    total: float = 0.0
    parts: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    given: bool = False


def _mpe(case: RuleCase, procedure: Procedure) -> _Mpe:
    """Methylprednisolone equivalents of one procedure's corticosteroids (unknown agents listed apart)."""
    table = case.value(_EQUIV)
    reference = table[_MPE_REFERENCE]
    out = _Mpe()
    for med in _of_class(case, procedure, "corticosteroid"):
        out.given = True
        agent = _agent(case, med)
        mg = med.total_dose_mg(procedure)
        equiv = table.get(med.agent)
        if not equiv:
            if agent.name not in out.unknown:
                out.unknown.append(agent.name)
            continue
        mpe = mg * reference / equiv
        out.total += mpe
        out.parts.append(f"{agent.name} {mg:g} mg = {_mg(mpe)} mg MPE")
    return out


def _approximate(case: RuleCase) -> str:
    # The equivalence table's own caveat (S22): ratios are for oral/IV use.
    note = case.th(_EQUIV).note or ""
    first = note.split(". ")[0].strip().rstrip(".")
    return first or "methylprednisolone equivalents are approximate for intra-articular injection"


@rule(
    "dose.steroid_session",
    title="Steroid dose this session",
    category="doses",
    checks="Corticosteroid this session in methylprednisolone equivalents (MPE) against the per-session maximum.",
    thresholds=(_EQUIV, "dose.steroid.session_max_mpe"),
)
def check_steroid_session(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    mpe = _mpe(case, case.procedure)
    if not mpe.given:
        return _not_applicable(case, rid, "no corticosteroid recorded")
    limit = case.value("dose.steroid.session_max_mpe")
    caveat = _approximate(case)
    known = "; ".join(mpe.parts)
    over = exceeds(mpe.total, limit)
    if mpe.unknown:
        names = ", ".join(mpe.unknown)
        if over:
            msg = (
                f"{known}: at least {_mg(mpe.total)} mg MPE, above the {limit:g} mg MPE per-session maximum "
                f"({names} not converted: no equivalent in {_EQUIV}); {caveat}"
            )
            return [case.finding(rid, Severity.WARNING, Status.NOT_MET, msg, field=_MEDS)]
        msg = f"not evaluated: no methylprednisolone equivalent for {names} in {_EQUIV}"
        if known:
            msg += f" (the other steroids: {known})"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field=_MEDS)]
    relation = "above" if over else "within"
    msg = (
        f"{known}: {_mg(mpe.total)} mg MPE this session, {relation} the {limit:g} mg MPE per-session maximum; {caveat}"
    )
    if over:
        return [case.finding(rid, Severity.WARNING, Status.NOT_MET, msg, field=_MEDS)]
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field=_MEDS)]


@rule(
    "dose.steroid_cumulative",
    title="Cumulative steroid dose",
    category="doses",
    checks="Corticosteroid MPE over rolling windows including this session: 12 months (cap for postmenopausal "
    "women, applied to female patients) and 36 months (everyone).",
    thresholds=(
        _EQUIV,
        "dose.steroid.year_max_mpe",
        "dose.steroid.year_window_months",
        "dose.steroid.three_year_max_mpe",
        "dose.steroid.three_year_window_months",
    ),
)
def check_steroid_cumulative(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    this = _mpe(case, case.procedure)
    if not this.given:
        return _not_applicable(case, rid, "no corticosteroid recorded this session")

    def window(months: int) -> tuple[float, int, list[str]]:
        total, sessions, unknown = this.total, 1, list(this.unknown)
        for prior in priors_in_window(case, months):
            m = _mpe(case, prior)
            if m.given:
                total += m.total
                sessions += 1
                unknown += [u for u in m.unknown if u not in unknown]
        return total, sessions, unknown

    year_months = case.value("dose.steroid.year_window_months")
    three_months = case.value("dose.steroid.three_year_window_months")
    year_max = case.value("dose.steroid.year_max_mpe")
    three_max = case.value("dose.steroid.three_year_max_mpe")
    year_total, year_sessions, year_unknown = window(year_months)
    three_total, three_sessions, three_unknown = window(three_months)

    female = case.patient.sex == Sex.FEMALE
    year_over = female and exceeds(year_total, year_max)
    # Sex not recorded: the cap for postmenopausal women may apply, so a total above it is not cleared.
    year_unjudged = case.patient.sex == Sex.UNKNOWN and exceeds(year_total, year_max)
    three_over = exceeds(three_total, three_max)

    year_text = f"{_mg(year_total)} mg MPE in the last {year_months:g} months ({year_sessions} session(s) with steroid)"
    if female:
        year_text += (
            f" against {year_max:g} mg MPE (a cap for postmenopausal women, applied because the patient is female; "
            "menopausal status is not recorded)"
        )
    else:
        sex = "not recorded" if case.patient.sex == Sex.UNKNOWN else case.patient.sex.label.lower()
        year_text += f" (the {year_max:g} mg MPE 12-month cap is for postmenopausal women; not applied: sex {sex})"
    three_text = (
        f"{_mg(three_total)} mg MPE in the last {three_months:g} months ({three_sessions} session(s)) "
        f"against {three_max:g} mg MPE"
    )
    msg = f"{year_text}; {three_text}; {_approximate(case)}"
    unknown = year_unknown + [u for u in three_unknown if u not in year_unknown]
    if unknown:
        msg += f" ({', '.join(unknown)} not converted: no equivalent in {_EQUIV})"
    if year_over or three_over:
        return [case.finding(rid, Severity.WARNING, Status.NOT_MET, msg, field=_MEDS)]
    if year_unjudged:
        msg = f"not evaluated: {msg}; above the 12-month cap, which applies if the patient is a postmenopausal woman"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field=("patient", "sex"))]
    if unknown:
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, f"not evaluated: {msg}", field=_MEDS)]
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field=_MEDS)]


_DIAGNOSTIC = (Intent.DIAGNOSTIC_FIRST, Intent.DIAGNOSTIC_CONFIRMATORY)


@rule(
    "dose.steroid_in_diagnostic_mbb",
    title="Steroid in a diagnostic block",
    category="doses",
    checks="No corticosteroid in a diagnostic medial branch block.",
    thresholds=("dose.steroid.diagnostic_mbb_allowed",),
)
def check_steroid_in_diagnostic_mbb(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    proc = case.procedure
    if proc.technique != Technique.MEDIAL_BRANCH_BLOCK or proc.intent not in _DIAGNOSTIC:
        return _not_applicable(case, rid, "not a diagnostic medial branch block")
    steroids = sorted({_agent(case, m).name for m in _of_class(case, proc, "corticosteroid")})
    if not steroids:
        return [case.finding(rid, Severity.INFO, Status.MET, "no corticosteroid in this diagnostic MBB", field=_MEDS)]
    if case.value("dose.steroid.diagnostic_mbb_allowed"):
        msg = f"{', '.join(steroids)} in a diagnostic MBB: allowed by the clinic's thresholds"
        return [case.finding(rid, Severity.INFO, Status.MET, msg, field=_MEDS)]
    msg = (
        f"{', '.join(steroids)} given: steroid is not appropriate in a diagnostic MBB (it can confound the "
        "block's result); the LCD does not require LA-only"
    )
    return [case.finding(rid, Severity.WARNING, Status.NOT_MET, msg, field=_MEDS)]


@rule(
    "dose.particulate_cervical",
    title="Particulate steroid at a cervical level",
    category="doses",
    checks="No particulate corticosteroid at cervical levels.",
    thresholds=("dose.particulate.cervical_allowed",),
)
def check_particulate_cervical(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    proc = case.procedure
    cervical = [lv for lv in proc.levels() if (j := case.catalog.joint(lv)) is not None and j.region == "cervical"]
    steroids = [_agent(case, m) for m in _of_class(case, proc, "corticosteroid")]
    if not cervical:
        return _not_applicable(case, rid, "no cervical level", field=("targets",))
    if not steroids:
        return _not_applicable(case, rid, "no corticosteroid recorded")
    allowed = case.value("dose.particulate.cervical_allowed")
    levels = ", ".join(cervical)
    particulate = list(dict.fromkeys(a.name for a in steroids if a.particulate is True))
    unknown = list(dict.fromkeys(a.name for a in steroids if a.particulate is None))
    if particulate and not allowed:
        msg = (
            f"particulate steroid {', '.join(particulate)} at cervical level(s) {levels}: "
            "use a non-particulate steroid (dexamethasone sodium phosphate) instead"
        )
        return [case.finding(rid, Severity.CRITICAL, Status.NOT_MET, msg, field=_MEDS)]
    if unknown:
        msg = f"not evaluated: the drug catalog does not say whether {', '.join(unknown)} is particulate"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field=_MEDS)]
    if particulate:
        msg = f"particulate steroid {', '.join(particulate)} at {levels}: allowed by the clinic's thresholds"
    else:
        msg = f"non-particulate steroid only at cervical level(s) {levels}"
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field=_MEDS)]


# ---- injectate volumes -------------------------------------------------------------------------


def _injectate(case: RuleCase, proc: Procedure) -> tuple[float, float, str]:
    """(mL of all syringes given at the targets, of which contrast mL, a note when contrast has no volume).

    Skin and needle-track infiltration never reaches the joint or the nerve, so it is left out.
    """
    at_targets = [m for m in proc.medications if m.site == MedicationSite.TARGET]
    total = sum(m.total_volume_ml(proc) for m in at_targets)
    contrast = sum(
        m.total_volume_ml(proc) for m in at_targets if m.catalog_agent(case.catalog).drug_class == "contrast"
    )
    note = ""
    if proc.contrast and contrast == 0:
        note = "; contrast is marked but no contrast volume is recorded, so it is not included"
    return total, contrast, note


@rule(
    "volume.intra_articular",
    title="Volume per joint",
    category="doses",
    checks="Injectate per joint (syringes given at the targets, contrast included, skin infiltration excluded, "
    "shared over the joints) against the joint-capacity maximum of each region.",
    thresholds=("volume.intra_articular.max_ml", "volume.intra_articular.strict_regions"),
)
def check_volume_intra_articular(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    proc = case.procedure
    if proc.technique != Technique.INTRA_ARTICULAR:
        return _not_applicable(case, rid, "not an intra-articular injection")
    th = case.th("volume.intra_articular.max_ml")
    if not proc.medications:
        msg = "not evaluated: no injectate volumes are recorded"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field=_MEDS)]
    total, contrast, note = _injectate(case, proc)
    if total == 0:
        msg = "not evaluated: no injectate at the targets is recorded (skin infiltration does not reach the joint)"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field=_MEDS)]
    joints = len(proc.targets)
    per_joint = total / joints
    head = f"{total:g} mL injected"
    if contrast:
        head += f" (including {contrast:g} mL contrast, which enters the joint too)"
    head += f" over {joints} joint(s) = {per_joint:.3g} mL per joint"

    regions = proc.regions(case.catalog)
    missing = [r for r in regions if r not in th.value]
    if missing:
        msg = f"not evaluated: no joint volume maximum for the {', '.join(missing)} region in {th.key} ({head})"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field=_MEDS)]
    checks: list[str] = []
    over = False
    strict = set(case.value("volume.intra_articular.strict_regions"))
    for region in regions:
        limit = th.value[region]
        # "<1.5 mL" (lumbar) refuses the limit itself; elsewhere the value is a maximum.
        exceeded = (
            (per_joint > limit or math.isclose(per_joint, limit)) if region in strict else exceeds(per_joint, limit)
        )
        over = over or exceeded
        wording = next((s.strip() for s in th.source.split(";") if s.strip().startswith(region)), "")
        bound = f"below {limit:g} mL" if region in strict else f"maximum {limit:g} mL"
        text = f"{region} {bound} per joint{' exceeded' if exceeded else ''}"
        if wording:
            text += f" (source: {wording})"
        if th.note and f"{region} [U]" in th.note:
            text += f" [the {region} value is unconfirmed]"
        checks.append(text)
    msg = f"{head}; {'; '.join(checks)}{note}"
    if over:
        return [case.finding(rid, Severity.WARNING, Status.NOT_MET, msg, field=_MEDS)]
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field=_MEDS)]


@rule(
    "volume.medial_branch",
    title="Volume per nerve",
    category="doses",
    checks="Injectate per nerve of a medial branch block (syringes given at the targets, contrast and skin "
    "infiltration excluded, shared over the nerves) against the per-nerve maximum.",
    thresholds=("volume.medial_branch.max_ml_per_nerve",),
)
def check_volume_medial_branch(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    proc = case.procedure
    if proc.technique != Technique.MEDIAL_BRANCH_BLOCK:
        return _not_applicable(case, rid, "not a medial branch block")
    limit = case.value("volume.medial_branch.max_ml_per_nerve")
    if not proc.medications:
        msg = "not evaluated: no injectate volumes are recorded"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field=_MEDS)]
    total, contrast, note = _injectate(case, proc)
    # The consensus lists the MBB limit and the contrast volume separately (S8 Table 11): contrast is not counted.
    anaesthetic = total - contrast
    if anaesthetic <= 0:
        msg = (
            "not evaluated: no injectate other than contrast is recorded at the targets "
            "(skin infiltration does not reach the nerve)"
        )
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field=_MEDS)]
    nerves = len(proc.nerves(case.catalog))
    per_nerve = anaesthetic / nerves
    msg = f"{anaesthetic:g} mL injectate at the targets"
    if contrast:
        msg += f" (plus {contrast:g} mL contrast, not counted)"
    over = exceeds(per_nerve, limit)
    relation = "above" if over else "within"
    msg += f" over {nerves} nerve(s) = {per_nerve:.3g} mL per nerve, {relation} the {limit:g} mL per nerve maximum"
    msg += note
    if over:
        return [case.finding(rid, Severity.WARNING, Status.NOT_MET, msg, field=_MEDS)]
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field=_MEDS)]
