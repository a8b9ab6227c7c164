"""Patient risk rules: anticoagulants, steroid in diabetes, injection-site infection, pregnancy, allergies."""

from __future__ import annotations

from datetime import timedelta

from facetdesk.domain.allergy import AgentMatch, AllergyAgent, AllergyClass, GivenAgent, Named
from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.enums import Sex
from facetdesk.domain.patient import AnticoagulantUse, Patient
from facetdesk.domain.timefmt import fmt_datetime
from facetdesk.rules.context import RuleCase
from facetdesk.rules.definition import rule
from facetdesk.rules.finding import Finding, Severity, Status

CATEGORY = "risks"

# ASRA risk classes from least to most bleeding risk; the procedure takes its highest region's class.
_CLASS_ORDER = ("low", "intermediate", "high")
_UNCONFIRMED_HOLD = " [unconfirmed hold time: check against ASRA 2018 (RAPM 43:225)]"
_BOTOX_PREGNANCY = "botulinum toxin in pregnancy: limited data, avoid unless clearly needed [unconfirmed]"
_INJECTION_INFECTION_SOURCE = (
    "General injection safety: the clinical reference gives no facet-specific rule (it cites infection at the "
    "site only as a botulinum toxin contraindication, S36/S38); clinic to review"
)
_BOTOX_CONTRAINDICATION_SOURCE = (
    "BOTOX prescribing information (S38) and monograph (S36): infection at the proposed injection site "
    "is a contraindication"
)
# What the anticoagulant catalog lists (resources/anticoagulants.json), as the question asks it.
_AGENTS = "anticoagulant, antiplatelet or NSAID"
_ALLERGY_SOURCE = "Recorded allergies matched by ingredient, brand and class (resources/allergy_names.json)"


def _unconfirmed(finding: Finding) -> Finding:
    """Flag a finding as resting on unconfirmed data even when no threshold as a whole is unconfirmed."""
    return finding.model_copy(update={"unconfirmed": True})


def _hours(hours: float) -> str:
    text = f"{hours:g} h"
    if hours >= 24:
        text += f" ({hours / 24:g} d)"
    return text


def _corticosteroids(case: RuleCase) -> list[str]:
    names: list[str] = []
    for med in case.procedure.medications:
        agent = med.catalog_agent(case.catalog)
        if agent.drug_class == "corticosteroid" and agent.name not in names:
            names.append(agent.name)
    return names


# ---- risk.anticoagulant -----------------------------------------------------------


@rule(
    "risk.anticoagulant",
    title="Blood thinners",
    category=CATEGORY,
    checks=(
        "Each anticoagulant, antiplatelet or NSAID was held the ASRA 2018 time for the procedure's bleeding-risk "
        "class. With none listed, all clear only when the patient is recorded as taking none; not asked is not "
        "evaluated."
    ),
    thresholds=("risk.bleeding_class", "risk.anticoagulant_hold_hours"),
)
def check_anticoagulant(case: RuleCase) -> list[Finding]:
    rid, field = "risk.anticoagulant", ("patient", "anticoagulants")
    uses = case.patient.anticoagulants
    classes: dict[str, str] = case.value("risk.bleeding_class")
    table: dict[str, dict] = case.value("risk.anticoagulant_hold_hours")
    if not uses:
        return [_no_agent_listed(case, rid)]

    regions = case.procedure.regions(case.catalog)
    if not regions:
        # The reference's ASRA classes are for facet procedures; it classes no paraspinal muscle injection.
        names = ", ".join(
            (drug.name if (drug := case.catalog.anticoagulant(u.agent)) else u.agent)
            + (f" (last taken {fmt_datetime(u.last_dose_at)})" if u.last_dose_at else "")
            for u in uses
        )
        msg = (
            f"not evaluated: {names}: this visit treats no facet joint, and the ASRA 2018 bleeding-risk classes "
            "in the reference are for facet procedures; judge the hold for the injection by hand"
        )
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field)]
    unknown = [r for r in regions if classes.get(r) not in _CLASS_ORDER]
    if unknown:
        msg = f"not evaluated: no ASRA bleeding-risk class for the {'/'.join(unknown)} region in risk.bleeding_class"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field)]
    risk = max((classes[r] for r in regions), key=_CLASS_ORDER.index)
    class_regions = "/".join(r for r, c in classes.items() if c == risk)
    article = "an" if risk[:1].lower() in "aeiou" else "a"
    procedure_kind = f"{article} {risk}-risk ({class_regions}) facet procedure"

    findings: list[Finding] = []
    for use in uses:
        drug = case.catalog.anticoagulant(use.agent)
        name = drug.name if drug else use.agent
        entry = table.get(use.agent)
        if not isinstance(entry, dict) or risk not in entry:
            msg = f"not evaluated: no ASRA 2018 hold time for {name} before {procedure_kind} in the threshold table"
            findings.append(case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field))
            continue
        severity, status, msg, where = _hold_finding(case, use, name, entry, risk, procedure_kind)
        unconfirmed = entry.get("confidence") == "U"
        if unconfirmed:
            msg += _UNCONFIRMED_HOLD
        finding = case.finding(rid, severity, status, msg, where)
        findings.append(_unconfirmed(finding) if unconfirmed else finding)
    return findings


def _no_agent_listed(case: RuleCase, rid: str) -> Finding:
    """No agent listed: all clear only when the patient was asked and takes none; an empty list is not an answer."""
    takes, field = case.patient.takes_anticoagulants, ("patient", "takes_anticoagulants")
    if takes is False:
        return case.finding(rid, Severity.INFO, Status.MET, f"patient takes no {_AGENTS} (asked)", field)
    if takes:
        msg = f"not evaluated: recorded as taking an {_AGENTS}, but no agent is listed: add it and its last dose"
    else:
        msg = (
            f"not evaluated: whether the patient takes an {_AGENTS} is not recorded: ask before the procedure "
            "and record the agent and its last dose, or No"
        )
    return case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field)


def _hold_finding(
    case: RuleCase, use: AnticoagulantUse, name: str, entry: dict, risk: str, procedure_kind: str
) -> tuple[Severity, Status, str, tuple[str, ...]]:
    """One agent's hold judged against its table entry: (severity, status, message, field)."""
    field = ("patient", "anticoagulants")
    hold = entry[risk]
    note = f" (table note: {entry['note']})" if entry.get("note") else ""
    if hold is None:
        last = f" (last taken {fmt_datetime(use.last_dose_at)})" if use.last_dose_at else ""
        msg = f"{name}{last}: ASRA 2018 recommends no hold before {procedure_kind}{note}"
        return Severity.INFO, Status.MET, msg, field
    if hold == "shared":
        msg = f"{name} before {procedure_kind}: shared assessment and risk stratification recommended (ASRA 2018){note}"
        return Severity.CAUTION, Status.NOT_MET, msg, field
    if _as_hours(hold) is None:
        msg = f"not evaluated: the hold time for {name} ({hold!r}) is not a number of hours, 'shared' or null"
        return Severity.CAUTION, Status.NOT_EVALUATED, msg, field
    renal = entry.get("renal_impairment", {})
    renal_value = renal.get(risk) if isinstance(renal, dict) else None
    # The hold with renal impairment, where the table gives one for this risk class.
    renal_hold = _as_hours(renal_value)
    impaired = case.patient.renal_impairment
    required: float = renal_hold if (renal_hold is not None and impaired) else float(hold)
    if renal_hold is not None and impaired:
        hold_text = f"is {_hours(required)} with renal impairment"
    elif renal_hold is not None and impaired is None:
        hold_text = f"is {_hours(hold)}, or {_hours(renal_hold)} with renal impairment"
    else:
        hold_text = f"is {_hours(hold)}"
    if use.last_dose_at is None:
        msg = f"not evaluated: last dose of {name} not recorded; ASRA 2018 hold for {procedure_kind} {hold_text}{note}"
        return Severity.CAUTION, Status.NOT_EVALUATED, msg, field
    if use.last_dose_at > case.when:
        msg = (
            f"not evaluated: the last dose of {name} is recorded after the procedure time, so the dose before it "
            f"is unknown; ASRA 2018 hold for {procedure_kind} {hold_text}{note}"
        )
        return Severity.CAUTION, Status.NOT_EVALUATED, msg, field
    since = round((case.when - use.last_dose_at) / timedelta(hours=1), 1)
    # The last dose's own time first: the physician checks it against what the patient says.
    taken = fmt_datetime(use.last_dose_at)
    msg = (
        f"{name} last taken {taken}, {since:g} h before the procedure; ASRA 2018 hold for {procedure_kind} {hold_text}"
    )
    if since < required:
        return Severity.CRITICAL, Status.NOT_MET, msg + note, field
    if renal_hold is not None and impaired is None and since < renal_hold:
        # Long enough with normal kidneys, too short with impaired ones: the answer turns on the kidneys.
        msg += f"; renal function is not recorded, so the hold cannot be judged{note}"
        return Severity.WARNING, Status.NOT_EVALUATED, msg, ("patient", "renal_impairment")
    if risk in entry.get("normal_inr", ()):
        return _inr_finding(case, use, name, msg, note)
    return Severity.INFO, Status.MET, msg + note, field


def _inr_finding(
    case: RuleCase, use: AnticoagulantUse, name: str, hold_msg: str, note: str
) -> tuple[Severity, Status, str, tuple[str, ...]]:
    """The hold time was kept; the table also asks for a normal INR taken after the last dose."""
    patient, field = case.patient, ("patient", "inr")
    need = f"ASRA 2018 asks for {name} held and a normal INR"
    if patient.inr is None or patient.inr_taken_at is None:
        return Severity.WARNING, Status.NOT_MET, f"{hold_msg}, but no INR is recorded: {need}{note}", field
    taken = f"INR {patient.inr:g} taken {fmt_datetime(patient.inr_taken_at)}"
    if patient.inr_taken_at > case.when:
        msg = f"{hold_msg}, but the {taken} is after the procedure time: {need} before it{note}"
        return Severity.WARNING, Status.NOT_MET, msg, field
    if use.last_dose_at is not None and patient.inr_taken_at <= use.last_dose_at:
        msg = f"{hold_msg}, but the {taken} predates the last dose, so it says nothing of the hold: {need}{note}"
        return Severity.WARNING, Status.NOT_MET, msg, field
    if not patient.inr_normal:
        msg = f"{hold_msg}, but the {taken} is outside the laboratory's normal range: {need}{note}"
        return Severity.CRITICAL, Status.NOT_MET, msg, field
    return Severity.INFO, Status.MET, f"{hold_msg}; {taken}, within the laboratory's normal range{note}", field


def _as_hours(value: object) -> float | None:
    """A table cell as hours, or None when it holds no number (null, 'shared', a typo)."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# ---- risk.diabetes_steroid --------------------------------------------------------


@rule(
    "risk.diabetes_steroid",
    title="Diabetes and steroid",
    category=CATEGORY,
    checks="A diabetic patient given a corticosteroid is told to monitor blood glucose while it may stay raised.",
    thresholds=("risk.diabetes_glucose_monitor_days",),
)
def check_diabetes_steroid(case: RuleCase) -> list[Finding]:
    rid, field = "risk.diabetes_steroid", ("patient", "diabetes")
    days = case.value("risk.diabetes_glucose_monitor_days")
    steroids = _corticosteroids(case)
    if not steroids:
        return [
            case.finding(rid, Severity.INFO, Status.NOT_APPLICABLE, "not applicable: no corticosteroid recorded", field)
        ]
    given = ", ".join(steroids)
    if case.patient.diabetes is None:
        msg = f"not evaluated: whether the patient has diabetes is not recorded ({given} given)"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field)]
    if case.patient.diabetes:
        msg = (
            f"diabetic patient receiving steroid ({given}): monitor blood glucose for several days "
            f"(up to {days:g} days)"
        )
        return [case.finding(rid, Severity.CAUTION, Status.NOT_MET, msg, field)]
    msg = f"no diabetes recorded; {given} given"
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field)]


def discharge_instructions(case: RuleCase) -> list[str]:
    """Patient-facing sentences for the note's discharge instructions (pure; reads thresholds from the catalog)."""
    out: list[str] = []
    if case.patient.diabetes and _corticosteroids(case):
        # Read via the catalog, not case.value, so printing a note does not add to a rule's cited sources.
        days = case.catalog.threshold("risk.diabetes_glucose_monitor_days").value
        out.append(
            "You have diabetes and received a steroid injection, which can raise your blood sugar: "
            f"check your blood glucose more often than usual for the next {days:g} days and contact your "
            "doctor if it stays high."
        )
    out += _restart_lines(case)
    return out


def _restart_lines(case: RuleCase) -> list[str]:
    """When each blood thinner the patient takes may be restarted (ASRA 2018 restart times, per bleeding risk)."""
    if not case.patient.anticoagulants:
        return []
    classes: dict[str, str] = case.catalog.threshold("risk.bleeding_class").value
    regions = case.procedure.regions(case.catalog)
    known = [classes[r] for r in regions if classes.get(r) in _CLASS_ORDER]
    risk = max(known, key=_CLASS_ORDER.index) if known else None
    table: dict[str, dict] = case.catalog.threshold("risk.anticoagulant_restart_hours").value
    lines = []
    for use in case.patient.anticoagulants:
        drug = case.catalog.anticoagulant(use.agent)
        name = drug.name if drug else use.agent
        row = table.get(use.agent) or {}
        hours = row.get(risk) if risk else None
        if hours is None:
            lines.append(f"Ask your doctor when to restart your {name}.")
        elif row.get("confidence") == "U":
            lines.append(
                f"Restart your {name} only when your doctor tells you (usually {hours} hours after the procedure)."
            )
        else:
            lines.append(
                f"You may restart your {name} {hours} hours after the procedure, "
                "unless your doctor tells you otherwise."
            )
    return lines


# ---- risk.infection_site ----------------------------------------------------------


@rule(
    "risk.infection_site",
    title="Infection at the injection site",
    category=CATEGORY,
    checks="No infection at the injection site (contraindicates botulinum toxin; a risk for any injection).",
)
def check_infection_site(case: RuleCase) -> list[Finding]:
    rid, field = "risk.infection_site", ("patient", "injection_site_infection")
    toxin_given = case.procedure.botulinum_toxin is not None
    # The reference gives the toxin label's contraindication only; without toxin there is no cited number or
    # rule, so the finding says so rather than cite a label for a drug that was not given.
    source = _BOTOX_CONTRAINDICATION_SOURCE if toxin_given else _INJECTION_INFECTION_SOURCE
    infection = case.patient.injection_site_infection
    if infection is None:
        msg = "not evaluated: whether there is an infection at the injection site is not recorded"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field, source=source)]
    if infection and toxin_given:
        msg = (
            "recorded: botulinum toxin is planned, and the label contraindicates it (S38, S36); a risk for the "
            "facet injection too"
        )
        return [case.finding(rid, Severity.CRITICAL, Status.NOT_MET, msg, field, source=source)]
    if infection:
        # The title already names the infection: "Infection at the injection site: recorded: ..." reads once.
        msg = "recorded: a risk for any injection through it; check before injecting"
        return [case.finding(rid, Severity.WARNING, Status.NOT_MET, msg, field, source=source)]
    msg = "no infection at the injection site recorded"
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field, source=source)]


# ---- risk.pregnancy ---------------------------------------------------------------


@rule(
    "risk.pregnancy",
    title="Pregnancy",
    category=CATEGORY,
    checks="Pregnancy is flagged with ionising image guidance or botulinum toxin; not applicable without either.",
    thresholds=("risk.ionising_guidance",),
)
def check_pregnancy(case: RuleCase) -> list[Finding]:
    rid, field = "risk.pregnancy", ("patient", "pregnant")
    ionising = case.procedure.guidance.value in case.value("risk.ionising_guidance")
    toxin = case.procedure.botulinum_toxin is not None
    guidance = case.procedure.guidance.label.lower()
    if not ionising and not toxin:
        # Pregnancy status does not change anything this rule checks, so a missing status is not a gap here.
        msg = f"not applicable: no ionising image guidance ({guidance}) and no botulinum toxin recorded"
        return [case.finding(rid, Severity.INFO, Status.NOT_APPLICABLE, msg, field)]
    pregnant = case.patient.pregnant
    if pregnant is None and case.patient.sex in (Sex.FEMALE, Sex.UNKNOWN, Sex.OTHER):
        what = " and ".join(x for x, used in ((f"{guidance} guidance", ionising), ("botulinum toxin", toxin)) if used)
        msg = f"not evaluated: pregnancy status is not recorded ({what} used)"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field)]
    if not pregnant:
        reason = "male patient" if case.patient.sex == Sex.MALE else "not pregnant"
        return [case.finding(rid, Severity.INFO, Status.MET, reason, field)]
    parts = []
    if ionising:
        parts.append(f"ionising image guidance in pregnancy ({guidance})")
    if toxin:
        parts.append(_BOTOX_PREGNANCY)
    # Radiation is the firmer concern; the toxin part alone rests on unconfirmed data, so it cautions.
    severity = Severity.WARNING if ionising else Severity.CAUTION
    finding = case.finding(rid, severity, Status.NOT_MET, "; ".join(parts), field)
    return [_unconfirmed(finding) if toxin else finding]


# ---- risk.allergy -----------------------------------------------------------------


def _given(case: RuleCase) -> list[GivenAgent]:
    """The agents given: medications, the botulinum toxin product, and contrast used without a recorded agent."""
    out: list[GivenAgent] = []
    for med in case.procedure.medications:
        if any(g.key == med.agent for g in out):
            continue
        # An agent missing from a clinic's edited catalog is still matched by its key (and must not crash the check).
        agent = case.catalog.agent(med.agent)
        out.append(GivenAgent(med.agent, agent.name if agent else med.agent, agent.drug_class if agent else None))
    toxin = case.procedure.botulinum_toxin
    if toxin is not None:
        out.append(GivenAgent(toxin.product.value, toxin.product.label))
    if case.procedure.contrast and not any(g.drug_class == "contrast" for g in out):
        # Contrast used without a recorded agent may be the very agent an allergy names.
        out.append(GivenAgent(None, "contrast (agent not recorded)", "contrast"))
    return out


def _named(n: Named) -> str:
    """What an allergy names, with its class: "Marcaine (bupivacaine; class amide local anaesthetic)"."""
    if n.kind == "class":
        return f"the class {n.label}"
    ingredient = f"{n.agent.ingredient}; " if n.kind == "brand" and n.agent else ""
    return f"{n.label} ({ingredient}class {n.cls.name})"


def _how(m: AgentMatch) -> str:
    if m.how in ("ingredient", "brand") or m.via is None:
        return f"by {m.how} ({m.named.label})"
    why = [f"{_named(m.named)}"] if m.named.kind != "class" else []
    if m.via.any_product_matches_all and m.via.note:
        why.append(m.via.note)
    if m.agent.key is None:
        why.append("the agent given is not recorded")
    return f"by class ({m.via.name}{': ' + '; '.join(why) if why else ''})"


def _sources(matches: list[AgentMatch]) -> tuple[str, bool]:
    """The finding's source (the entries of resources/allergy_names.json it rests on) and whether any is [U]."""
    entries: list[AllergyAgent | AllergyClass] = []
    for m in matches:
        entries += [e for e in (m.named.agent, m.named.cls if m.named.kind == "class" else None, m.via) if e]
    cited = "; ".join(dict.fromkeys(part.strip() for e in entries for part in e.source.split(";")))
    source = f"{_ALLERGY_SOURCE}: {cited}" if cited else _ALLERGY_SOURCE
    return source, any(e.confidence == "U" for e in entries)


@rule(
    "risk.allergy",
    title="Allergies",
    category=CATEGORY,
    checks=(
        "Each recorded allergy against the agents given, by ingredient, US brand name and class (amide or ester "
        "local anaesthetic, corticosteroid, iodinated contrast, botulinum toxin: any toxin product matches every "
        "one); an ester allergy does not match an amide. Another agent of the same class, and an allergy (or an "
        "item of a list typed as one allergy) that names nothing known, are shown for the physician to check. "
        "'NKDA' or 'none' (resources/allergy_names.json none_known) is no known allergy; beside an allergy, a "
        "contradiction to check. No entry at all is not evaluated: the patient may not have been asked."
    ),
)
def check_allergy(case: RuleCase) -> list[Finding]:
    rid, field = "risk.allergy", ("patient", "allergies")
    names = case.catalog.allergy_names
    none_known = [a for a in case.patient.allergies if names.says_none_known(a)]
    allergies = [a for a in case.patient.allergies if a not in none_known]
    if not allergies and none_known:
        msg = f"no known allergies ({'; '.join(none_known)})"
        return [case.finding(rid, Severity.INFO, Status.MET, msg, field, source=_ALLERGY_SOURCE)]
    if not allergies:
        # An empty list is not an answer: the patient may not have been asked.
        msg = "not evaluated: no allergies recorded: ask the patient and record each allergy, or NKDA if none"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field, source=_ALLERGY_SOURCE)]
    given = _given(case)
    given_text = ", ".join(g.name for g in given) or "no agents recorded"
    results = [names.match(allergy, given) for allergy in allergies]

    def finding(severity: Severity, status: Status, msg: str, matches: list[AgentMatch]) -> Finding:
        source, unconfirmed = _sources(matches)
        if unconfirmed:
            msg += " [rests on an allergy name entry tagged unconfirmed: review resources/allergy_names.json]"
        f = case.finding(rid, severity, status, msg, field, source=source)
        return _unconfirmed(f) if unconfirmed else f

    findings: list[Finding] = []
    statements: list[tuple[str, list[AgentMatch]]] = []
    for r in results:
        hits = list(r.of("ingredient", "brand", "class"))
        if hits:
            listed = ", ".join(f"{m.agent.name} {_how(m)}" for m in hits)
            msg = f"recorded allergy '{r.allergy}' matches {listed} given in this procedure"
            findings.append(finding(Severity.CRITICAL, Status.NOT_MET, msg, hits))
        same = list(r.of("same_class"))
        if same:
            what = ", ".join(_named(n) for n in dict.fromkeys(m.named for m in same))
            agents = ", ".join(m.agent.name for m in same)
            msg = (
                f"check by hand: recorded allergy '{r.allergy}' names {what}; {agents} given "
                f"{'is' if len(same) == 1 else 'are'} in the same class, and the clinical reference does not say "
                "whether an allergy to one implies an allergy to the other"
            )
            findings.append(finding(Severity.CAUTION, Status.NOT_EVALUATED, msg, same))
        for m in r.of("other_class"):
            mine = names.class_of(m.agent)
            note = f" ({m.named.cls.note})" if m.named.cls.note else ""
            msg = (
                f"'{r.allergy}' names {_named(m.named)}; {m.agent.name} given is in the class "
                f"{mine.name if mine else 'of another agent'}: no class match{note}"
            )
            statements.append((msg, [m]))
    # A whole allergy that names nothing, or an item of a list whose other items were recognised.
    unmatched = [f"'{r.allergy}'" for r in results if not r.recognised]
    unmatched += [f"'{item}' (in '{r.allergy}')" for r in results for item in r.unnamed]
    if unmatched:
        listed = ", ".join(unmatched)
        msg = (
            f"not matched — check by hand: {listed} name{'s' if len(unmatched) == 1 else ''} no ingredient, brand "
            f"or drug class FacetDesk knows; check against the agents given ({given_text})"
        )
        findings.append(case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field, source=_ALLERGY_SOURCE))
    if none_known:
        # "NKDA" beside a recorded allergy: the record contradicts itself, so neither may be trusted unchecked.
        said = ", ".join(f"'{a}'" for a in none_known)
        msg = (
            f"check by hand: {said} is recorded beside allergies ({'; '.join(allergies)}); confirm the patient's "
            "allergies and correct the record"
        )
        findings.append(case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field, source=_ALLERGY_SOURCE))
    if findings:
        return findings + [finding(Severity.INFO, Status.MET, msg, ms) for msg, ms in statements]
    msg = f"no recorded allergy ({'; '.join(allergies)}) matches the agents given ({given_text})"
    msg += "".join(f"; {s}" for s, _ in statements)
    return [finding(Severity.INFO, Status.MET, msg, [m for _, ms in statements for m in ms])]


# ---- which findings concern a risk the patient has -------------------------------------------------------

# The patient fact each risk rule is about: when the patient has it, the rule's findings lead the findings panel
# (a green check for a held anticoagulant included: the physician confirms the last dose every time).
_PATIENT_RISK = {
    "risk.anticoagulant": lambda p: bool(p.anticoagulants),
    # "NKDA" alone is no allergy to pin.
    "risk.allergy": lambda p: any(not get_catalog().allergy_names.says_none_known(a) for a in p.allergies),
    "risk.diabetes_steroid": lambda p: p.diabetes is True,
    "risk.pregnancy": lambda p: p.pregnant is True,
    "risk.infection_site": lambda p: p.injection_site_infection is True,
}


def concerns_present_risk(finding: Finding, patient: Patient) -> bool:
    """Whether ``finding`` is about a risk factor this patient has recorded (and the rule applied)."""
    has = _PATIENT_RISK.get(finding.rule)
    return has is not None and finding.status is not Status.NOT_APPLICABLE and bool(has(patient))
