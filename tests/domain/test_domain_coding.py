"""Billing-code derivation: each expectation is the arithmetic of clinical-facts.md §7 (and §1 for the LCD)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.coding import CodeLine, CodingSummary, derive_codes


@pytest.fixture
def codes(make_procedure):
    catalog = get_catalog()
    return lambda **kw: derive_codes(make_procedure(**kw), catalog)


def lines(summary: CodingSummary, kind: str = "procedure") -> list[tuple[str, tuple[str, ...], int]]:
    chosen = summary.procedure_codes if kind == "procedure" else summary.drug_codes
    return [(c.code, c.modifiers, c.units) for c in chosen]


def has_note(summary: CodingSummary, *words: str) -> bool:
    return any(all(w in n for w in words) for n in summary.notes)


def botox(product: str, vial: float, sites: list[tuple[str, str, str, float]]) -> dict:
    return {
        "product": product,
        "vial_units": vial,
        "diluent_ml": 2,
        "sites": [{"muscle": m, "level": lv, "side": s, "units": u} for m, lv, s, u in sites],
    }


def steroid(agent: str, mg_per_ml: float, ml: float) -> list[dict]:
    return [{"agent": agent, "concentration_mg_per_ml": mg_per_ml, "volume_ml": ml}]


# ---- facet joint injection ---------------------------------------------------------------------


def test_two_level_bilateral_lumbar_mbb_is_64493_50_plus_64494_50(codes, targets_bilateral):
    s = codes(targets=targets_bilateral("L4-L5", "L5-S1"))
    assert lines(s) == [("64493", ("50",), 1), ("64494", ("50",), 1)]
    assert [c.detail for c in s.procedure_codes] == ["L4-L5, bilateral", "L5-S1, bilateral"]
    assert all((c.source, c.confidence) == ("S45", "C") for c in s.procedure_codes)
    # Bilateral: -50 (Medicare); some payers want RT/LT on two lines.
    assert has_note(s, "RT/LT on two lines", "150%")
    assert has_note(s, "not billed separately")


def test_one_level_left_is_64493_lt(codes):
    s = codes(targets=[{"level": "L4-L5", "side": "left"}])
    assert lines(s) == [("64493", ("LT",), 1)]
    assert not has_note(s, "RT/LT on two lines")


def test_nerves_do_not_add_levels(codes):
    # One MBB joint (L4-L5) = two medial branches (L3, L4) per side, but one level.
    s = codes(targets=[{"level": "L4-L5", "side": "right"}])
    assert lines(s) == [("64493", ("RT",), 1)]


def test_t12_l1_with_l1_l2_is_64490_plus_64494(codes):
    # LCD L38773 (S1, S4): T12-L1 + L1-2 = one lumbar session, bill 64490 + 64494.
    s = codes(targets=[{"level": "T12-L1", "side": "right"}, {"level": "L1-L2", "side": "right"}])
    assert lines(s) == [("64490", ("RT",), 1), ("64494", ("RT",), 1)]
    assert has_note(s, "T12-L1 + L1-L2 = 64490 + 64494")


def test_three_cervical_levels_add_64492_once_with_non_covered_note(codes, targets_bilateral):
    s = codes(targets=targets_bilateral("C4-C5", "C5-C6", "C6-C7"))
    assert lines(s) == [("64490", ("50",), 1), ("64491", ("50",), 1), ("64492", ("50",), 1)]
    assert has_note(s, "64492", "non-covered", "L38773")
    assert has_note(s, "3rd+ level", "1 unit")


def test_four_lumbar_levels_still_one_64495_line(codes):
    levels = ("L2-L3", "L3-L4", "L4-L5", "L5-S1")
    s = codes(targets=[{"level": lv, "side": "left"} for lv in levels])
    assert lines(s) == [("64493", ("LT",), 1), ("64494", ("LT",), 1), ("64495", ("LT",), 1)]
    assert s.procedure_codes[2].detail.startswith("L4-L5, left, L5-S1, left")
    assert has_note(s, "64495", "non-covered")


def test_bilateral_and_right_levels_are_64493_50_plus_64494_rt(codes, targets_bilateral):
    s = codes(targets=[*targets_bilateral("L4-L5"), {"level": "L5-S1", "side": "right"}])
    assert lines(s) == [("64493", ("50",), 1), ("64494", ("RT",), 1)]


def test_ultrasound_guidance_derives_no_facet_code(codes):
    s = codes(guidance="ultrasound")
    assert s.procedure_codes == ()
    assert has_note(s, "0213T-0218T", "not covered")


def test_no_guidance_derives_no_facet_code(codes):
    s = codes(guidance="none")
    assert s.procedure_codes == ()
    assert has_note(s, "64490-64492", "64493-64495", "fluoroscopy or CT")


def test_ct_guidance_is_coded_like_fluoroscopy(codes):
    assert lines(codes(guidance="ct")) == [("64493", ("LT",), 1)]


# ---- chemodenervation and botulinum toxin ---------------------------------------------------------


def test_onabotulinumtoxina_110_u_of_200_u_vial(codes):
    treatment = botox(
        "onabotulinumtoxinA",
        200,
        [
            ("multifidus_lumbar", "L4", "left", 40),
            ("multifidus_lumbar", "L4", "right", 40),
            ("longissimus_lumbar", "L3", "left", 20),
            ("longissimus_lumbar", "L2", "left", 10),  # same muscle and side: not a new muscle
        ],
    )
    s = codes(botulinum_toxin=treatment)
    assert lines(s)[-1] == ("64646", (), 1)
    assert s.procedure_codes[-1].detail.startswith("3 trunk muscles")
    assert has_note(s, "64646", "counted per side")
    # J0585 = 1 unit: 110 U given = 110 units; 200 - 110 = 90 U discarded (JW).
    assert lines(s, "drug") == [("J0585", (), 110), ("J0585", ("JW",), 90)]
    assert s.drug_codes[0].detail == "110 U given (J0585 = 1 U each)"


def test_whole_vial_used_gets_jz(codes):
    s = codes(botulinum_toxin=botox("onabotulinumtoxinA", 100, [("multifidus_lumbar", "L4", "left", 100)]))
    assert lines(s, "drug") == [("J0585", ("JZ",), 100)]


def test_more_than_one_vial_derives_no_wastage(codes):
    s = codes(botulinum_toxin=botox("incobotulinumtoxinA", 100, [("multifidus_lumbar", "L4", "left", 150)]))
    assert lines(s, "drug") == [("J0588", (), 150)]
    assert has_note(s, "several vials", "cannot be derived")


def _trunk_sites(n: int) -> list[tuple[str, str, str, float]]:
    muscles = ["multifidus_lumbar", "longissimus_lumbar", "iliocostalis_lumborum"]
    pairs = [(m, side) for m in muscles for side in ("left", "right")]
    return [(m, "L4", side, 10) for m, side in pairs[:n]]


@pytest.mark.parametrize("n,code", [(5, "64646"), (6, "64647")])
def test_five_trunk_muscles_are_64646_six_are_64647(codes, n, code):
    s = codes(botulinum_toxin=botox("onabotulinumtoxinA", 100, _trunk_sites(n)))
    assert lines(s)[-1] == (code, (), 1)
    assert s.procedure_codes[-1].detail.startswith(f"{n} trunk muscles")


def test_bilateral_neck_muscles_are_64616_50(codes):
    sites = [("splenius_capitis", "C3", "left", 25), ("splenius_capitis", "C3", "right", 25)]
    s = codes(botulinum_toxin=botox("onabotulinumtoxinA", 100, sites))
    assert lines(s)[-1] == ("64616", ("50",), 1)


def test_unilateral_neck_muscles_are_64616_without_modifier(codes):
    s = codes(botulinum_toxin=botox("onabotulinumtoxinA", 100, [("levator_scapulae", "C5", "right", 30)]))
    assert lines(s)[-1] == ("64616", (), 1)


def test_abobotulinumtoxina_300_u_is_j0586_x60(codes):
    # J0586 = 5 units: 300 U / 5 = 60; the 300 U vial is used up (JZ).
    s = codes(botulinum_toxin=botox("abobotulinumtoxinA", 300, [("multifidus_lumbar", "L4", "left", 300)]))
    assert lines(s, "drug") == [("J0586", ("JZ",), 60)]


# ---- corticosteroids --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "agent,mg_per_ml,ml,expected",
    [
        ("triamcinolone_acetonide", 40, 1, ("J3301", (), 4)),  # J3301 = 10 mg: 40 mg = 4 units
        ("dexamethasone_sodium_phosphate", 4, 1, ("J1100", (), 4)),  # J1100 = 1 mg: 4 mg = 4 units
        ("betamethasone", 6, 1, ("J0702", (), 1)),  # J0702 = 3 mg + 3 mg: 1 mL of 6 mg/mL = 1 unit
    ],
)
def test_steroid_units(codes, agent, mg_per_ml, ml, expected):
    s = codes(technique="intra_articular", medications=steroid(agent, mg_per_ml, ml))
    assert lines(s, "drug") == [expected]
    assert s.drug_codes[0].confidence == "C"


def test_methylprednisolone_40_mg_is_j1010_x40_with_confidence_s(codes):
    s = codes(technique="intra_articular", medications=steroid("methylprednisolone_acetate", 40, 1))
    assert lines(s, "drug") == [("J1010", (), 40)]
    assert s.drug_codes[0].confidence == "S"
    assert has_note(s, "J1010", "10 mg", "CMS HCPCS file")


def test_triamcinolone_rounds_up(codes):
    # 10 mg/mL x 1.5 mL = 15 mg; J3301 = 10 mg: ceil(1.5) = 2 units.
    s = codes(technique="intra_articular", medications=steroid("triamcinolone_acetonide", 10, 1.5))
    assert lines(s, "drug") == [("J3301", (), 2)]


def test_local_anaesthetic_gets_no_line_and_no_note(codes):
    s = codes(medications=steroid("bupivacaine", 5.0, 1))
    assert s.drug_codes == ()
    assert not any("bupivacaine" in n for n in s.notes)


# ---- data provenance ----------------------------------------------------------------------------------


def test_every_line_carries_source_and_confidence(codes, targets_bilateral):
    s = codes(
        targets=targets_bilateral("L3-L4", "L4-L5", "L5-S1"),
        medications=steroid("methylprednisolone_acetate", 40, 1),
        botulinum_toxin=botox("onabotulinumtoxinA", 200, _trunk_sites(6)),
    )
    all_lines: list[CodeLine] = [*s.procedure_codes, *s.drug_codes]
    assert all(c.source and c.confidence in {"C", "S", "U"} for c in all_lines)


def test_coding_module_writes_no_code_number():
    import facetdesk.domain.coding as coding

    body = Path(coding.__file__).read_text(encoding="utf-8")
    # The dataclass comments of the agreed interface are the only place a code may appear.
    body = "\n".join(line.split("#")[0] for line in body.splitlines())
    assert not re.search(r"\b(6\d{4}|0\d{3}T|J\d{4})\b", body)
    assert not re.search(r"\"(50|RT|LT|JW|JZ)\"", body)


def test_a_toxin_only_visit_gets_no_facet_injection_code_or_note():
    """A toxin-only visit under ultrasound was told to choose a Category III ultrasound facet injection code
    (0213T-0218T), and under fluoroscopy it would be told the facet codes need guidance: it injects no facet joint."""
    from tests.builders.records import toxin_visit

    catalog = get_catalog()
    for guidance in ("ultrasound", "fluoroscopy", "none"):
        s = derive_codes(toxin_visit(guidance=guidance), catalog)
        assert [c.code for c in s.procedure_codes] == ["64646"], s.procedure_codes
        assert not any("facet" in n or "0213T" in n for n in s.notes), s.notes
