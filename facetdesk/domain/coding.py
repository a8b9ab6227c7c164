"""Billing codes suggested for a procedure: facet injection, chemodenervation and drug lines.

Every code, unit size and modifier comes from resources/codes.json (clinical-facts.md §7), each
line with its source key and confidence tag. Where the reference does not say, nothing is derived
and a note tells the coder why. Suggestions only: the coder decides what is billed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import Guidance, Side, Technique
from facetdesk.domain.procedure import BotoxSite, BotoxTreatment, Procedure

_EPS = 1e-6
# The three codes of each facet injection family in codes.json: single level, 2nd level, 3rd+ levels.
_SLOTS = ("primary", "second", "third_plus")


@dataclass(frozen=True)
class CodeLine:
    code: str  # "64493"
    description: str
    modifiers: tuple[str, ...]  # ("50",) / ("RT",) / ("LT",) / ("JW",) / ("JZ",) / ()
    units: int
    detail: str  # what it covers, e.g. "L4-L5, bilateral" or "110 U given (J0585 = 1 U each)"
    source: str
    confidence: str  # "C" / "S" / "U"


@dataclass(frozen=True)
class CodingSummary:
    procedure_codes: tuple[CodeLine, ...]
    drug_codes: tuple[CodeLine, ...]
    notes: tuple[str, ...]  # warnings a coder must read, e.g. why something was not derived


def derive_codes(procedure: Procedure, catalog: Catalog) -> CodingSummary:
    """Suggest the codes of one procedure from the catalog's codes.json."""
    if not catalog.codes:
        return CodingSummary((), (), ("No billing codes derived: resources/codes.json is missing.",))
    procedure_lines: list[CodeLine] = []
    drug_lines: list[CodeLine] = []
    notes: list[str] = []
    if procedure.technique == Technique.RADIOFREQUENCY_ABLATION:
        _ablation_lines(procedure, catalog, procedure_lines, notes)
    elif procedure.technique.treats_joints:
        _facet_lines(procedure, catalog, procedure_lines, notes)
    # A toxin-only visit injects no facet joint: no facet code, and no note about one.
    if procedure.botulinum_toxin is not None:
        _chemodenervation_lines(procedure.botulinum_toxin, catalog, procedure_lines, notes)
        _toxin_lines(procedure.botulinum_toxin, catalog, drug_lines, notes)
    _steroid_lines(procedure, catalog, drug_lines, notes)
    return CodingSummary(tuple(procedure_lines), tuple(drug_lines), tuple(_unique(notes)))


# ---- facet joint injection (per level, not per nerve) ---------------------------------------


def _facet_lines(procedure: Procedure, catalog: Catalog, lines: list[CodeLine], notes: list[str]) -> None:
    facet = catalog.code_entry("facet_injection")
    families: dict[str, Any] = facet["families"]
    ranges = " and ".join(f"{f['primary']['code']}-{f['third_plus']['code']}" for f in families.values())
    guidance = facet["guidance"]
    if procedure.guidance.value not in guidance["required"]:
        us = facet["ultrasound"]
        if procedure.guidance == Guidance.ULTRASOUND:
            notes.append(
                f"No facet injection code derived for ultrasound guidance: {us['rule']} "
                f"Not derived: choose the Category III code ({us['code_range']}) yourself "
                f"({us['source']}; {us['confidence']})."
            )
        else:
            notes.append(
                f"No facet injection code derived: {ranges} require fluoroscopy or CT guidance and the guidance "
                f"recorded is '{procedure.guidance.label}' ({guidance['source']}; {guidance['confidence']})."
            )
        return

    family_of = {region: key for key, fam in families.items() for region in fam["regions"]}
    # Levels are facet joints: the nerves blocked do not add levels.
    levels = sorted(procedure.levels(), key=catalog.joint_index)
    level_family = {lv: family_of[_joint_region(catalog, lv)] for lv in levels}
    bilateral = facet["bilateral"]
    example = facet["junction_example"]
    example_text = f"{' + '.join(example['levels'])} = {' + '.join(example['codes'])}"

    # clinical-facts.md §1 "Regions per session" and §9 (S1, S4): "T12-L1 + L1-2 together = one lumbar
    # session, bill 64490 + 64494". The reference states this for these two levels only; it is applied when
    # they are the session's only levels (whatever their sides) and is not generalised to any other pair of
    # levels or families. T12-L1 + L1-L2 with further levels is not covered by the reference: each family
    # is then coded on its own, with a note (codes.json junction_example.scope).
    if levels == sorted(example["levels"], key=catalog.joint_index):
        slot_of = {fam[slot]["code"]: (key, slot) for key, fam in families.items() for slot in _SLOTS}
        provenance = (example["source"], example["confidence"])
        for level, code in zip(levels, example["codes"], strict=True):
            key, slot = slot_of[code]
            lines.append(_facet_line(procedure, families[key], slot, [level], bilateral, notes, provenance))
        notes.append(f"{example_text}: {example['rule']} ({example['source']}; {example['confidence']})")
    else:
        # Each family gets its own primary and add-on codes, top to bottom (codes.json cross_family): an
        # add-on code is never suggested without its own family's primary. The reference (§7, S44, S45) gives
        # the families' codes but no rule for a session spanning both families; the note says so.
        by_family: dict[str, list[str]] = {}
        for level in levels:
            by_family.setdefault(level_family[level], []).append(level)
        for key, fam_levels in by_family.items():
            for slot, slot_levels in zip(_SLOTS, (fam_levels[:1], fam_levels[1:2], fam_levels[2:]), strict=True):
                if slot_levels:
                    lines.append(_facet_line(procedure, families[key], slot, slot_levels, bilateral, notes))
        further = [line for line in lines if line.code in {fam["third_plus"]["code"] for fam in families.values()}]
        if further:
            units = facet["third_plus_units"]
            notes.extend(f"{line.code}: {units['note']} ({units['source']}; {units['confidence']})" for line in further)
            non_covered = facet["lcd_non_covered"]
            codes = ", ".join(line.code for line in further if line.code in non_covered["codes"])
            if codes:
                notes.append(
                    f"{codes} non-covered under {non_covered['policy']}: {non_covered['rule']} "
                    f"({non_covered['source']}; {non_covered['confidence']})"
                )
        if len(by_family) > 1:
            cross = facet["cross_family"]
            names = " and ".join(families[k]["name"] for k in by_family)
            notes.append(
                f"Levels span the {names} code families. {cross['rule']} ({cross['source']}; {cross['confidence']})"
            )
        if set(example["levels"]) < set(levels):
            notes.append(
                f"{example_text} not applied. {example['scope']} ({example['source']}; {example['confidence']})"
            )

    if any(bilateral["modifier"] in line.modifiers for line in lines):
        notes.append(
            f"Modifier {bilateral['modifier']}: {bilateral['rule']} ({bilateral['source']}; {bilateral['confidence']})"
        )
    if lines:
        notes.append(
            f"{', '.join(line.code for line in lines)}: {guidance['rule']} ({guidance['source']}; "
            f"{guidance['confidence']})"
        )


def _facet_line(
    procedure: Procedure,
    family: dict[str, Any],
    slot: str,
    levels: list[str],
    bilateral: dict[str, Any],
    notes: list[str],
    provenance: tuple[str, str] | None = None,
    units: int = 1,
) -> CodeLine:
    """One line of ``family``'s ``slot`` code for ``levels``; ``provenance`` (source, confidence) replaces the
    family's own when the line follows a rule of its own (the T12-L1 + L1-L2 example)."""
    entry = family[slot]
    sides = [frozenset(procedure.sides_at(lv)) for lv in levels]
    if all(len(s) == 2 for s in sides):
        modifiers: tuple[str, ...] = (bilateral["modifier"],)
    elif all(len(s) == 1 for s in sides) and len(set(sides)) == 1:
        modifiers = (bilateral["side_modifiers"][next(iter(sides[0])).value],)
    else:
        modifiers = ()
        notes.append(
            f"{entry['code']}: the levels it covers differ in laterality; no modifier derived "
            f"({bilateral['source']}; {bilateral['confidence']})."
        )
    detail = ", ".join(f"{lv}, {_laterality(procedure.sides_at(lv))}" for lv in levels)
    if slot == "third_plus":
        detail += f" ({len(levels)} level{'s' if len(levels) > 1 else ''} from the third level on)"
    source, confidence = provenance or (family["source"], family["confidence"])
    return CodeLine(entry["code"], entry["descriptor"], modifiers, units, detail, source, confidence)


# ---- radiofrequency ablation (per facet joint) ------------------------------------------------


def _ablation_lines(procedure: Procedure, catalog: Catalog, lines: list[CodeLine], notes: list[str]) -> None:
    """Each code family's first joint on its primary code, its further joints on the add-on code (codes.json)."""
    rf = catalog.code_entry("radiofrequency")
    families: dict[str, Any] = rf["families"]
    guidance, sides, example = rf["guidance"], rf["sides"], rf["junction_example"]
    if procedure.guidance.value not in guidance["required"]:
        notes.append(
            f"No radiofrequency ablation code derived: {guidance['rule']} The guidance recorded is "
            f"'{procedure.guidance.label}' ({guidance['source']}; {guidance['confidence']})."
        )
        return
    bilateral = catalog.code_entry("facet_injection")["bilateral"]
    levels = sorted(procedure.levels(), key=catalog.joint_index)
    if levels == sorted(example["levels"], key=catalog.joint_index):
        slot_of = {
            fam[slot]["code"]: (key, slot) for key, fam in families.items() for slot in ("primary", "additional")
        }
        for level, code in zip(levels, example["codes"], strict=True):
            key, slot = slot_of[code]
            lines.append(_facet_line(procedure, families[key], slot, [level], bilateral, notes,
                                     (example["source"], example["confidence"])))  # fmt: skip
        notes.append(f"{example['rule']} ({example['source']}; {example['confidence']})")
    else:
        family_of = {region: key for key, fam in families.items() for region in fam["regions"]}
        by_family: dict[str, list[str]] = {}
        for level in levels:
            by_family.setdefault(family_of[_joint_region(catalog, level)], []).append(level)
        for key, fam_levels in by_family.items():
            lines.append(_facet_line(procedure, families[key], "primary", fam_levels[:1], bilateral, notes))
            if fam_levels[1:]:
                lines.append(
                    _facet_line(procedure, families[key], "additional", fam_levels[1:], bilateral, notes,
                                units=len(fam_levels) - 1)
                )  # fmt: skip
    per_joint = rf["per_joint"]
    notes.append(f"{per_joint['rule']} ({per_joint['source']}; {per_joint['confidence']})")
    notes.append(f"{sides['rule']} ({sides['source']}; {sides['confidence']})")


def _joint_region(catalog: Catalog, level: str) -> str:
    joint = catalog.joint(level)
    assert joint is not None  # targets are validated against the catalog
    return joint.region


def _laterality(sides: list[Side]) -> str:
    return "bilateral" if len(set(sides)) == 2 else sides[0].label.lower()


# ---- chemodenervation (botulinum toxin into paraspinal muscles) -------------------------------


def _chemodenervation_lines(bt: BotoxTreatment, catalog: Catalog, lines: list[CodeLine], notes: list[str]) -> None:
    chemo = catalog.code_entry("chemodenervation")
    neck, trunk = chemo["neck"], chemo["trunk"]
    neck_sites: list[BotoxSite] = []
    trunk_sites: list[BotoxSite] = []
    for site in bt.sites:
        muscle = catalog.muscle(site.muscle)
        if muscle is None:
            notes.append(f"Muscle {site.muscle!r} is not in the muscle catalog; no chemodenervation code for it.")
        elif muscle.region in neck["regions"]:
            neck_sites.append(site)
        elif muscle.region in trunk["regions"]:
            trunk_sites.append(site)

    if neck_sites:
        sides = {s.side for s in neck_sites}
        modifiers = (neck["bilateral_modifier"],) if len(sides) == 2 else ()
        names = ", ".join(dict.fromkeys(_muscle_name(catalog, s.muscle) for s in neck_sites))
        detail = f"neck muscles, {_laterality(list(sides))}: {names}"
        lines.append(
            CodeLine(neck["code"], neck["descriptor"], modifiers, 1, detail, neck["source"], neck["confidence"])
        )

    if trunk_sites:
        pairs = list(dict.fromkeys((s.muscle, s.side) for s in trunk_sites))
        count = len(pairs)
        tier = next(
            t
            for t in trunk["tiers"]
            if t["min_muscles"] <= count and (t["max_muscles"] is None or count <= t["max_muscles"])
        )
        listed = ", ".join(f"{_muscle_name(catalog, m)} {side.label.lower()}" for m, side in pairs)
        detail = f"{count} trunk muscle{'s' if count != 1 else ''} (counted per side): {listed}"
        lines.append(CodeLine(tier["code"], tier["descriptor"], (), 1, detail, trunk["source"], trunk["confidence"]))
        notes.append(
            f"{tier['code']}: {count} trunk muscle{'s' if count != 1 else ''}, counted per side (the same muscle "
            "left and right counts as 2). The reference does not say how bilateral muscles are counted; "
            f"check with the payer ({trunk['source']}; {trunk['confidence']})."
        )


def _muscle_name(catalog: Catalog, key: str) -> str:
    muscle = catalog.muscle(key)
    return muscle.name if muscle else key


def _toxin_lines(bt: BotoxTreatment, catalog: Catalog, lines: list[CodeLine], notes: list[str]) -> None:
    toxins = catalog.code_entry("drugs", "botulinum_toxins")
    entry = toxins.get(bt.product.value)
    if entry is None:
        notes.append(f"No drug code derived for {bt.product.label}: the reference gives none.")
        return
    wastage = catalog.code_entry("drugs", "wastage")
    code, size = entry["code"], entry["units_per_billing_unit"]
    each = f"{code} = {size:g} U each"
    given = bt.total_units
    given_units = _ceil(given / size)
    if abs(given / size - round(given / size)) > _EPS:
        notes.append(f"{code}: {given:g} U is not a multiple of {size:g} U; billing units rounded up to {given_units}.")

    def line(modifiers: tuple[str, ...], units: int, detail: str) -> CodeLine:
        return CodeLine(code, entry["descriptor"], modifiers, units, detail, entry["source"], entry["confidence"])

    if given > bt.vial_units + _EPS:
        lines.append(line((), given_units, f"{given:g} U given ({each})"))
        notes.append(
            f"{code}: {given:g} U given exceeds the {bt.vial_units:g} U vial, so several vials were used; "
            f"wastage ({wastage['discarded_modifier']}/{wastage['none_discarded_modifier']}) cannot be derived "
            f"({wastage['source']}; {wastage['confidence']})."
        )
        return
    wasted = bt.vial_units - given
    if wasted <= _EPS:
        lines.append(
            line((wastage["none_discarded_modifier"],), given_units, f"{given:g} U given ({each}), none discarded")
        )
        return
    lines.append(line((), given_units, f"{given:g} U given ({each})"))
    wasted_units = _ceil(bt.vial_units / size) - given_units
    if wasted_units > 0:
        detail = f"{wasted:g} U discarded of a {bt.vial_units:g} U single-dose vial ({each})"
        lines.append(line((wastage["discarded_modifier"],), wasted_units, detail))
    else:
        notes.append(
            f"{code}: {wasted:g} U discarded, but after rounding all billing units of the vial are on the "
            f"administered line; no {wastage['discarded_modifier']} line derived."
        )


# ---- corticosteroids -------------------------------------------------------------------------


def _steroid_lines(procedure: Procedure, catalog: Catalog, lines: list[CodeLine], notes: list[str]) -> None:
    steroids = catalog.code_entry("drugs", "corticosteroids")
    for agent, dose_mg in procedure.doses_by_agent().items():
        entry = steroids.get(agent)
        # Local anaesthetics and contrast have no code in the reference: no line, no note.
        if entry is None or dose_mg <= 0:
            continue
        mg = entry["mg_per_unit"]
        units = _ceil(dose_mg / mg)
        detail = f"{dose_mg:g} mg given ({entry['code']} = {mg:g} mg each)"
        lines.append(
            CodeLine(entry["code"], entry["descriptor"], (), units, detail, entry["source"], entry["confidence"])
        )
        if entry.get("note"):
            notes.append(f"{entry['code']}: {entry['note']} ({entry['source']}; {entry['confidence']})")


def _ceil(x: float) -> int:
    return math.ceil(round(x, 6))


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
