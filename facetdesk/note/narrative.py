"""The technique narrative: sentences a physician can sign, written only from what the record holds."""

from __future__ import annotations

import re
from collections.abc import Sequence

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import (
    Aspiration,
    Complication,
    Guidance,
    MedicationSite,
    NeedleApproach,
    Position,
    Sedation,
    Side,
    SkinPrep,
    Technique,
    VolumeBasis,
)
from facetdesk.domain.procedure import MedicationAdministration, Procedure
from facetdesk.domain.wording import num

NOT_DOCUMENTED = "not documented"

_GUIDANCE = {
    Guidance.FLUOROSCOPY: "Under fluoroscopic guidance",
    Guidance.CT: "Under CT guidance",
    Guidance.ULTRASOUND: "Under ultrasound guidance",
    Guidance.NONE: "Without image guidance",
}
_POSITION = {
    Position.PRONE: "prone",
    Position.SITTING: "sitting",
    Position.LATERAL: "in the lateral decubitus position",
    Position.SUPINE: "supine",
}
_PREP = {SkinPrep.CHLORHEXIDINE: "chlorhexidine", SkinPrep.POVIDONE_IODINE: "povidone-iodine"}


def join_and(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


# Numbers read aloud with a vowel sound ("an 18-gauge", "an 8-inch", "an 11-gauge").
_AN = re.compile(r"^(8|11|18|8\d+)(?!\d)|^[aeioAEIO]")


def with_article(noun_phrase: str) -> str:
    return f"{'an' if _AN.match(noun_phrase) else 'a'} {noun_phrase}"


def _sides_phrase(sides: Sequence[Side]) -> str:
    if set(sides) == {Side.LEFT, Side.RIGHT}:
        return "on the left and right"
    return f"on the {sides[0].label.lower()}"


def nerve_list(names: Sequence[str]) -> str:
    """'L3 and L4 medial branches and the L5 dorsal ramus': nerves of one kind share their noun."""
    groups: list[tuple[str, list[str]]] = []
    for name in names:
        level, _, kind = name.partition(" ")
        if not re.fullmatch(r"[CTLS]\d+", level):
            groups.append((name, []))
            continue
        if groups and groups[-1][1] and groups[-1][0] == kind:
            groups[-1][1].append(level)
        else:
            groups.append((kind, [level]))
    parts = []
    for kind, levels in groups:
        if not levels:
            parts.append(f"the {kind}")
        elif len(levels) == 1:
            parts.append(f"the {levels[0]} {kind}")
        else:
            plural = kind[:-1] + "i" if kind.endswith("ramus") else kind + ("es" if kind.endswith("ch") else "s")
            parts.append(f"the {join_and(levels)} {plural}")
    return join_and(parts)


def _strength(med: MedicationAdministration, catalog: Catalog) -> str:
    agent = med.catalog_agent(catalog)
    strength = agent.strength(med.concentration_mg_per_ml)
    return strength.label if strength else f"{num(med.concentration_mg_per_ml)} {agent.concentration_unit}"


def _dose(med: MedicationAdministration, procedure: Procedure, catalog: Catalog) -> str:
    agent = med.catalog_agent(catalog)
    return f"{num(med.total_dose_mg(procedure))} {agent.dose_unit}"


def _drug(med: MedicationAdministration, catalog: Catalog) -> str:
    return f"{med.catalog_agent(catalog).name} {_strength(med, catalog)}"


# ---- sentences ------------------------------------------------------------
def _in_sentence(label: str) -> str:
    """A label inside a sentence: 'Pulse oximetry' -> 'pulse oximetry', an acronym ('ECG', 'AP') kept."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _preparation(p: Procedure) -> list[str]:
    """Position, skin preparation and draping, monitoring, sedation (consent and time-out: the Consent line)."""
    doc = p.documentation
    out = [f"Position: {NOT_DOCUMENTED}." if p.position is None else f"The patient was placed {_POSITION[p.position]}."]
    drape = {True: "the field draped in sterile fashion", False: "the field recorded as not draped"}
    if p.skin_prep is not None and doc.sterile_drape is not None:
        out.append(f"The skin was prepped with {_PREP[p.skin_prep]} and {drape[doc.sterile_drape]}.")
    elif p.skin_prep is not None:
        out.append(f"The skin was prepped with {_PREP[p.skin_prep]}; sterile draping: {NOT_DOCUMENTED}.")
    elif doc.sterile_drape is not None:
        out.append(f"Skin preparation: {NOT_DOCUMENTED}; {drape[doc.sterile_drape]}.")
    else:
        out.append(f"Skin preparation and sterile draping: {NOT_DOCUMENTED}.")
    monitors = [_in_sentence(m.label) for m in doc.monitoring]
    if monitors:
        out.append(f"Monitoring: {join_and(monitors)}.")
    else:
        out.append(f"Monitoring: {NOT_DOCUMENTED}.")
    if p.sedation == Sedation.NONE:
        out.append("No sedation was given.")
    else:
        out.append(f"Sedation: {p.sedation.label.lower()}.")
    return out


def _skin(p: Procedure, catalog: Catalog) -> list[str]:
    out = []
    for med in p.medications:
        if med.site == MedicationSite.SKIN:
            out.append(
                f"The skin and needle track were infiltrated with {_drug(med, catalog)}"
                f" {num(med.total_volume_ml(p))} mL ({_dose(med, p, catalog)})."
            )
    return out


def _targets_phrase(p: Procedure, catalog: Catalog) -> str:
    if p.technique.on_nerves:
        by_side: dict[Side, list[str]] = {}
        for name, side in p.nerves(catalog):
            by_side.setdefault(side, []).append(name)
        left, right = by_side.get(Side.LEFT), by_side.get(Side.RIGHT)
        if left and right and left == right:
            return f"to {nerve_list(left)} on the left and right"
        parts = [f"to {nerve_list(names)} on the {side.label.lower()}" for side, names in by_side.items()]
        return join_and(parts)
    # Intra-articular: levels grouped by the sides injected, in spinal order.
    groups: list[tuple[tuple[Side, ...], list[str]]] = []
    for level in p.levels():
        sides = tuple(p.sides_at(level))
        for key, levels in groups:
            if key == sides:
                levels.append(level)
                break
        else:
            groups.append((sides, [level]))
    parts = []
    for sides, levels in groups:
        joints = "facet joint" if len(levels) == 1 else "facet joints"
        where = "bilaterally" if len(sides) == 2 else f"on the {sides[0].label.lower()}"
        parts.append(f"the {join_and(levels)} {joints} {where}")
    return f"into {join_and(parts)}"


_APPROACH = {
    NeedleApproach.POSTERIOR: "a posterior approach",
    NeedleApproach.POSTERIOR_OBLIQUE: "a posterior oblique (down-the-beam) approach",
    NeedleApproach.LATERAL: "a lateral approach",
}
_ASPIRATION = {
    Aspiration.NEGATIVE: "Aspiration before injection was negative for blood and CSF.",
    Aspiration.BLOOD_REPOSITIONED: "Blood was aspirated; the needle was repositioned and aspiration was then negative.",
    Aspiration.NOT_PERFORMED: "Aspiration before injection was not performed.",
}


def _approach(p: Procedure, catalog: Catalog) -> list[str]:
    doc = p.documentation
    needle = p.needle.strip()
    if needle:
        # The device as typed when it names itself ("spinal needle", "RF cannula"); a bare size reads as a needle.
        phrase = needle if re.search(r"needle|cannula", needle, re.IGNORECASE) else f"{needle} needle"
        subject = with_article(phrase)
    else:
        subject = "a radiofrequency cannula" if p.technique == Technique.RADIOFREQUENCY_ABLATION else "a needle"
    guidance = _GUIDANCE[p.guidance]
    if p.guidance == Guidance.FLUOROSCOPY and doc.views:
        guidance += f" ({join_and([_in_sentence(v.label) for v in doc.views])} views)"
    how = f" by {_APPROACH[doc.approach]}" if doc.approach is not None else ""
    out = [f"{guidance}, {subject} was advanced{how} {_targets_phrase(p, catalog)}."]
    if p.guidance == Guidance.FLUOROSCOPY and not doc.views:
        out.append(f"Fluoroscopic views: {NOT_DOCUMENTED}.")
    if doc.approach is None and p.guidance != Guidance.NONE:
        out.append(f"Needle approach: {NOT_DOCUMENTED}.")
    if not needle:
        out.append(f"Needle type and size: {NOT_DOCUMENTED}.")
    out.append(f"Aspiration: {NOT_DOCUMENTED}." if doc.aspiration is None else _ASPIRATION[doc.aspiration])
    return out


def _contrast(p: Procedure, catalog: Catalog) -> list[str]:
    if not p.contrast:
        return ["No contrast was used."]
    media = [m for m in p.medications if m.catalog_agent(catalog).drug_class == "contrast"]
    given = "; ".join(
        f"{_short_name(m, catalog)} {_strength(m, catalog)}, {num(m.total_volume_ml(p))} mL = {_dose(m, p, catalog)}"
        for m in media
    )
    lead = f"Contrast injection ({given})" if given else "Contrast injection"
    spread = p.contrast_spread.strip().rstrip(".")
    # The spread as the physician worded it, after a colon: any phrasing reads right ("outlined each branch").
    out = [f"{lead}; spread: {spread}." if spread else f"{lead} was performed; the spread was {NOT_DOCUMENTED}."]
    if Complication.INTRAVASCULAR in p.complications:
        out.append("Intravascular uptake of contrast was recorded (see Complications).")
    return out


def _short_name(med: MedicationAdministration, catalog: Catalog) -> str:
    """'iohexol' for 'iohexol (iodinated contrast)': the sentence already says it is contrast."""
    return med.catalog_agent(catalog).name.split(" (")[0]


def _target_medications(p: Procedure, catalog: Catalog) -> list[str]:
    out = []
    mbb = p.technique.on_nerves  # at the nerves (a block, or before lesioning), not into the joints
    meds = [
        m
        for m in p.medications
        if m.site == MedicationSite.TARGET and m.catalog_agent(catalog).drug_class != "contrast"
    ]
    for med in meds:
        what = f"{_drug(med, catalog)} {num(med.volume_ml)} mL"
        total = f"{num(med.total_volume_ml(p))} mL = {_dose(med, p, catalog)}"
        n = med.multiplier(p)
        if med.volume_basis == VolumeBasis.PER_NERVE:
            out.append(f"At each nerve, {what} was injected (total {total}, {n} nerve{'s' if n != 1 else ''}).")
        elif med.volume_basis == VolumeBasis.PER_JOINT:
            where = "At each joint level and side targeted" if mbb else "Into each joint"
            out.append(f"{where}, {what} was injected (total {total}, {n} joint{'s' if n != 1 else ''}).")
        else:
            where = "at the targets" if mbb else "into the joints"
            out.append(
                f"In total, {_drug(med, catalog)} {num(med.total_volume_ml(p))} mL ({_dose(med, p, catalog)})"
                f" was injected {where}."
            )
    if not meds:
        out.append("No medication at the targets was recorded.")
    return out


def _botox(p: Procedure, catalog: Catalog) -> list[str]:
    bt = p.botulinum_toxin
    if bt is None:
        return []
    per_ml = bt.units_per_ml
    # The same muscle, level and dose on both sides reads as one phrase ("on the left and right").
    groups: list[tuple[str, str, float, list[Side]]] = []
    for s in bt.sites:
        muscle = catalog.muscle(s.muscle)
        name, units = (muscle.name if muscle else s.muscle), s.units or 0
        for g in groups:
            if (g[0], g[1], g[2]) == (name, s.level, units) and s.side not in g[3]:
                g[3].append(s.side)
                break
        else:
            groups.append((name, s.level, units, [s.side]))
    sites = []
    for name, level, units, sides in groups:
        each = " each side" if len(sides) == 2 else ""
        sites.append(
            f"the {name} at {level} {_sides_phrase(sides)} ({num(units)} U, {round(units / per_ml, 2):g} mL{each})"
        )
    # A toxin-only visit has no needle-to-joint paragraph: the guidance leads the toxin's sentence instead.
    lead = "" if p.technique.treats_joints else f"{_GUIDANCE[p.guidance]}, b"
    return [
        f"{lead or 'B'}otulinum toxin, {bt.product.label} {num(bt.vial_units)} U reconstituted in "
        f"{num(bt.diluent_ml)} mL ({num(per_ml)} U/mL), was injected into {join_and(sites)}; "
        f"total {num(bt.total_units)} U."
    ]


def _lesioning(p: Procedure) -> list[str]:
    """An ablation's lesioning as recorded; what was not recorded is named as such."""
    rf = p.radiofrequency
    if rf is None:
        return []

    def given(value: float | None, unit: str) -> str:
        return f"{num(value)}{unit}" if value is not None else "not recorded"

    method = rf.method.label.lower() if rf.method else "not recorded"
    motor = rf.motor_test.label.lower() if rf.motor_test else "not recorded"
    return [
        f"Radiofrequency lesioning ({method}): lesions per nerve {given(rf.lesions_per_nerve, '')}, "
        f"temperature {given(rf.temperature_c, ' °C')}, time per lesion {given(rf.seconds_per_lesion, ' s')}; "
        f"cannula {given(rf.cannula_gauge, ' G')}, active tip {given(rf.active_tip_mm, ' mm')}.",
        f"Sensory stimulation threshold {given(rf.sensory_threshold_v, ' V')}; motor stimulation: {motor}.",
    ]


def technique_narrative(procedure: Procedure, catalog: Catalog) -> tuple[str, ...]:
    """Paragraphs of the technique, in the order things happened; unrecorded facts are named as such."""
    p = procedure
    paragraphs = [
        _preparation(p) + _skin(p, catalog),
        (_approach(p, catalog) + _contrast(p, catalog) + _target_medications(p, catalog))
        if p.technique.treats_joints
        else (_contrast(p, catalog) if p.contrast else []),
        _lesioning(p),
        _botox(p, catalog),
    ]  # complications and blood loss: their own section of the note, printed once
    return tuple(" ".join(sentences) for sentences in paragraphs if sentences)
