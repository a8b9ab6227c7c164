"""Patient risk rules: anticoagulants, steroid in diabetes, injection-site infection, pregnancy, allergies."""

from __future__ import annotations

import re
from datetime import timedelta

from facetdesk.domain.enums import Sex
from facetdesk.rules.context import RuleCase
from facetdesk.rules.finding import Finding, Severity, Status
from facetdesk.rules.registry import rule

CATEGORY = "risks"

# ASRA risk classes from least to most bleeding risk; the procedure takes its highest region's class.
_CLASS_ORDER = ("low", "intermediate", "high")
_UNCONFIRMED_HOLD = " [unconfirmed hold time: check against ASRA 2018 (RAPM 43:225)]"
_BOTOX_PREGNANCY = "botulinum toxin in pregnancy: limited data, avoid unless clearly needed [unconfirmed]"
_BOTOX_CONTRAINDICATION_SOURCE = (
    "BOTOX prescribing information (S38) and monograph (S36): infection at the proposed injection site "
    "is a contraindication"
)
_ALLERGY_SOURCE = (
    "Recorded allergies checked against the agents given; hypersensitivity to any botulinum toxin product "
    "is a contraindication (S38, S36)"
)


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
    category=CATEGORY,
    checks="Each anticoagulant or antiplatelet was held the ASRA 2018 time for the procedure's bleeding-risk class.",
    thresholds=("risk.bleeding_class", "risk.anticoagulant_hold_hours"),
)
def check_anticoagulant(case: RuleCase) -> list[Finding]:
    rid, field = "risk.anticoagulant", ("patient", "anticoagulants")
    uses = case.patient.anticoagulants
    classes: dict[str, str] = case.value("risk.bleeding_class")
    table: dict[str, dict] = case.value("risk.anticoagulant_hold_hours")
    if not uses:
        return [case.finding(rid, Severity.INFO, Status.MET, "no anticoagulant or antiplatelet recorded", field)]

    regions = case.procedure.regions(case.catalog)
    unknown = [r for r in regions if classes.get(r) not in _CLASS_ORDER]
    if unknown:
        msg = f"not evaluated: no ASRA bleeding-risk class for the {'/'.join(unknown)} region in risk.bleeding_class"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field)]
    risk = max((classes[r] for r in regions), key=_CLASS_ORDER.index)
    class_regions = "/".join(r for r, c in classes.items() if c == risk)
    procedure_kind = f"a {risk}-risk ({class_regions}) facet procedure"

    findings: list[Finding] = []
    for use in uses:
        drug = case.catalog.anticoagulant(use.agent)
        name = drug.name if drug else use.agent
        entry = table.get(use.agent)
        if not isinstance(entry, dict) or risk not in entry:
            msg = f"not evaluated: no ASRA 2018 hold time for {name} before {procedure_kind} in the threshold table"
            findings.append(case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field))
            continue
        hold = entry[risk]
        note = f" (table note: {entry['note']})" if entry.get("note") else ""
        if hold is None:
            status, severity = Status.MET, Severity.INFO
            msg = f"{name}: ASRA 2018 recommends no hold before {procedure_kind}{note}"
        elif hold == "shared":
            status, severity = Status.NOT_MET, Severity.CAUTION
            msg = (
                f"{name} before {procedure_kind}: shared assessment and risk stratification recommended "
                f"(ASRA 2018){note}"
            )
        elif isinstance(hold, (int, float)) and not isinstance(hold, bool):
            if use.last_dose_at is None:
                status, severity = Status.NOT_EVALUATED, Severity.CAUTION
                msg = (
                    f"not evaluated: last dose of {name} not recorded; ASRA 2018 hold for {procedure_kind} "
                    f"is {_hours(hold)}{note}"
                )
            elif use.last_dose_at > case.when:
                status, severity = Status.NOT_EVALUATED, Severity.CAUTION
                msg = (
                    f"not evaluated: the last dose of {name} is recorded after the procedure time, so the dose "
                    f"before it is unknown; ASRA 2018 hold for {procedure_kind} is {_hours(hold)}{note}"
                )
            else:
                since = round((case.when - use.last_dose_at) / timedelta(hours=1), 1)
                if since < hold:
                    status, severity = Status.NOT_MET, Severity.CRITICAL
                else:
                    status, severity = Status.MET, Severity.INFO
                msg = (
                    f"{name} last taken {since:g} h before the procedure; ASRA 2018 hold for {procedure_kind} "
                    f"is {_hours(hold)}{note}"
                )
        else:
            status, severity = Status.NOT_EVALUATED, Severity.CAUTION
            msg = f"not evaluated: the hold time for {name} ({hold!r}) is not a number of hours, 'shared' or null"
        unconfirmed = entry.get("confidence") == "U"
        if unconfirmed:
            msg += _UNCONFIRMED_HOLD
        finding = case.finding(rid, severity, status, msg, field)
        findings.append(_unconfirmed(finding) if unconfirmed else finding)
    return findings


# ---- risk.diabetes_steroid --------------------------------------------------------


@rule(
    "risk.diabetes_steroid",
    category=CATEGORY,
    checks="A diabetic patient given a corticosteroid is told to monitor blood glucose while it may stay raised.",
    thresholds=("risk.diabetes_glucose_monitor_days",),
)
def check_diabetes_steroid(case: RuleCase) -> list[Finding]:
    rid, field = "risk.diabetes_steroid", ("patient", "diabetes")
    days = case.value("risk.diabetes_glucose_monitor_days")
    steroids = _corticosteroids(case)
    if not steroids:
        return [case.finding(rid, Severity.INFO, Status.MET, "not applicable: no corticosteroid recorded", field)]
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
    return out


# ---- risk.infection_site ----------------------------------------------------------


@rule(
    "risk.infection_site",
    category=CATEGORY,
    checks="No infection at the injection site (contraindicates botulinum toxin; a risk for any injection).",
)
def check_infection_site(case: RuleCase) -> list[Finding]:
    rid, field = "risk.infection_site", ("patient", "injection_site_infection")
    source = _BOTOX_CONTRAINDICATION_SOURCE
    infection = case.patient.injection_site_infection
    if infection is None:
        msg = "not evaluated: whether there is an infection at the injection site is not recorded"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field, source=source)]
    if infection:
        toxin = "botulinum toxin is planned: " if case.procedure.botulinum_toxin else ""
        msg = (
            f"infection at the injection site: {toxin}a contraindication for botulinum toxin (S38, S36) "
            "and a risk for any injection"
        )
        return [case.finding(rid, Severity.CRITICAL, Status.NOT_MET, msg, field, source=source)]
    msg = "no infection at the injection site recorded"
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field, source=source)]


# ---- risk.pregnancy ---------------------------------------------------------------


@rule(
    "risk.pregnancy",
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
        return [case.finding(rid, Severity.INFO, Status.MET, msg, field)]
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

# Words in an allergy entry that name a whole drug class (an "iod" entry such as "iodine" means contrast).
_CLASS_WORDS = {
    "contrast": ("contrast", "iod"),
    "local_anesthetic": ("local anaesthetic", "local anesthetic"),
    "corticosteroid": ("steroid",),
}


def _administered(case: RuleCase) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(display name, names an allergy may be contained in, words an allergy may contain) per agent given."""
    out: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []
    seen: set[str] = set()
    for med in case.procedure.medications:
        agent = med.catalog_agent(case.catalog)
        if agent.key in seen:
            continue
        seen.add(agent.key)
        names = (agent.key.replace("_", " ").casefold(), agent.name.casefold())
        out.append((agent.name, names, names + _CLASS_WORDS.get(agent.drug_class, ())))
    toxin = case.procedure.botulinum_toxin
    if toxin is not None:
        label = toxin.product.label
        names = (toxin.product.value.casefold(), label.casefold())
        brand = label[label.find("(") + 1 : label.rfind(")")].casefold() if "(" in label else ""
        words = names + ("botulinum", "botox") + ((brand,) if brand else ())
        out.append((label, names, words))
    # An agent missing from a clinic's edited catalog is not known to be contrast (and must not crash the check).
    agents = [case.catalog.agent(m.agent) for m in case.procedure.medications]
    if case.procedure.contrast and not any(a is not None and a.drug_class == "contrast" for a in agents):
        # Contrast used without a recorded agent still meets a contrast or iodine allergy.
        out.append(("contrast (agent not recorded)", ("contrast",), _CLASS_WORDS["contrast"]))
    return out


def _matches(allergy: str, names: tuple[str, ...], words: tuple[str, ...]) -> bool:
    text = allergy.casefold().strip()
    if any(w and w in text for w in words):
        return True
    # An allergy named inside an agent name must be whole words ("methylprednisolone"), so "no" matches nothing.
    pattern = re.compile(rf"\b{re.escape(text)}\b")
    return bool(text) and any(pattern.search(n) for n in names)


@rule(
    "risk.allergy",
    category=CATEGORY,
    checks="No recorded allergy names an agent given, its drug class, the botulinum toxin product or contrast.",
)
def check_allergy(case: RuleCase) -> list[Finding]:
    rid, field = "risk.allergy", ("patient", "allergies")
    allergies = case.patient.allergies
    if not allergies:
        return [case.finding(rid, Severity.INFO, Status.MET, "no allergies recorded", field, source=_ALLERGY_SOURCE)]
    agents = _administered(case)
    findings: list[Finding] = []
    for allergy in allergies:
        hits = [display for display, names, words in agents if _matches(allergy, names, words)]
        if hits:
            msg = f"recorded allergy '{allergy}' matches {', '.join(hits)} given in this procedure"
            findings.append(case.finding(rid, Severity.CRITICAL, Status.NOT_MET, msg, field, source=_ALLERGY_SOURCE))
    if findings:
        return findings
    given = ", ".join(a[0] for a in agents) or "no agents recorded"
    msg = f"no recorded allergy ({'; '.join(allergies)}) matches the agents given ({given})"
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field, source=_ALLERGY_SOURCE)]
