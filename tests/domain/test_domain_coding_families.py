"""Facet injection codes per code family (clinical-facts.md §7, §1 "Regions per session", §9).

The reference's two families: cervical/thoracic 64490 / +64491 / +64492 (S44, S45) and lumbar/sacral
64493 / +64494 / +64495 (S45), single / 2nd / 3rd+ level. Each family in a session gets its own primary
and add-on codes. The one exception is the reference's own: T12-L1 + L1-2 = 64490 + 64494 (S1, S4).
"""

from __future__ import annotations

from itertools import combinations

import pytest

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.coding import CodingSummary, derive_codes

CERVICAL_THORACIC = ("64490", "64491", "64492")
LUMBAR_SACRAL = ("64493", "64494", "64495")
FAMILIES = (CERVICAL_THORACIC, LUMBAR_SACRAL)
EXCEPTION_LEVELS = ["T12-L1", "L1-L2"]
EXCEPTION_CODES = ["64490", "64494"]


@pytest.fixture
def codes(make_procedure):
    catalog = get_catalog()
    return lambda **kw: derive_codes(make_procedure(**kw), catalog)


def left(*levels: str) -> list[dict[str, str]]:
    return [{"level": lv, "side": "left"} for lv in levels]


def procedure_codes(summary: CodingSummary) -> list[str]:
    return [c.code for c in summary.procedure_codes]


def has_note(summary: CodingSummary, *words: str) -> bool:
    return any(all(w in n for w in words) for n in summary.notes)


def family_codes(family: tuple[str, ...], n_levels: int) -> list[str]:
    """The reference's codes for n levels of one family: single, 2nd, and one 3rd+ line."""
    return list(family[: min(n_levels, 3)])


def third_plus_detail(summary: CodingSummary, code: str) -> str:
    return next(c.detail for c in summary.procedure_codes if c.code == code)


# ---- the resource matches the reference ----------------------------------------------------------


def test_codes_json_families_are_the_reference_s():
    facet = get_catalog().code_entry("facet_injection")
    fams = facet["families"]
    assert set(fams) == {"cervical_thoracic", "lumbar_sacral"}
    assert fams["cervical_thoracic"]["regions"] == ["cervical", "thoracic"]
    assert fams["lumbar_sacral"]["regions"] == ["lumbar"]
    for key, expected in (("cervical_thoracic", CERVICAL_THORACIC), ("lumbar_sacral", LUMBAR_SACRAL)):
        assert tuple(fams[key][slot]["code"] for slot in ("primary", "second", "third_plus")) == expected
    example = facet["junction_example"]
    assert (example["levels"], example["codes"]) == (EXCEPTION_LEVELS, EXCEPTION_CODES)
    assert (example["source"], example["confidence"]) == ("S1, S4", "C")


# ---- every pair of regions, 1-3 levels each ------------------------------------------------------

CERVICAL = ("C2-C3", "C3-C4", "C4-C5")
LUMBAR = ("L3-L4", "L4-L5", "L5-S1")


@pytest.mark.parametrize("n_upper", [1, 2, 3])
@pytest.mark.parametrize("n_lower", [1, 2, 3])
def test_cervical_with_lumbar_each_family_has_its_own_primary(codes, n_upper, n_lower):
    s = codes(targets=left(*CERVICAL[:n_upper], *LUMBAR[:n_lower]))
    expected = family_codes(CERVICAL_THORACIC, n_upper) + family_codes(LUMBAR_SACRAL, n_lower)
    assert procedure_codes(s) == expected
    assert all(c.units == 1 and c.modifiers == ("LT",) for c in s.procedure_codes)
    assert has_note(s, "cervical/thoracic and lumbar/sacral code families", "its own", "Check with the payer")
    assert not has_note(s, "T12-L1 + L1-L2 = 64490 + 64494")


# Thoracic levels end at T12-L1 and lumbar ones start at L1-L2, so the grid runs through the reference's
# exception (1 + 1) and every session next to it, which is coded per family.
THORACIC = ("T10-T11", "T11-T12", "T12-L1")
UPPER_LUMBAR = ("L1-L2", "L2-L3", "L3-L4")


@pytest.mark.parametrize("n_upper", [1, 2, 3])
@pytest.mark.parametrize("n_lower", [1, 2, 3])
def test_thoracic_with_lumbar_each_family_has_its_own_primary(codes, n_upper, n_lower):
    thoracic, lumbar = THORACIC[-n_upper:], UPPER_LUMBAR[:n_lower]
    s = codes(targets=left(*thoracic, *lumbar))
    if [*thoracic, *lumbar] == EXCEPTION_LEVELS:
        assert procedure_codes(s) == EXCEPTION_CODES
        assert has_note(s, "T12-L1 + L1-L2 = 64490 + 64494", "one lumbar session")
    else:
        assert procedure_codes(s) == family_codes(CERVICAL_THORACIC, n_upper) + family_codes(LUMBAR_SACRAL, n_lower)
        assert has_note(s, "cervical/thoracic and lumbar/sacral code families")
        # T12-L1 and L1-L2 with further levels: the reference's example is not stretched to cover them.
        assert has_note(s, "T12-L1 + L1-L2 = 64490 + 64494 not applied", "only levels")
    assert all(c.units == 1 and c.modifiers == ("LT",) for c in s.procedure_codes)


def test_thoracic_with_lumbar_away_from_the_junction(codes):
    s = codes(targets=left("T8-T9", "L4-L5"))
    assert procedure_codes(s) == ["64490", "64493"]
    assert not has_note(s, "not applied")


LOWER_CERVICAL = ("C5-C6", "C6-C7", "C7-T1")
UPPER_THORACIC = ("T1-T2", "T2-T3", "T3-T4")


@pytest.mark.parametrize("n_upper", [1, 2, 3])
@pytest.mark.parametrize("n_lower", [1, 2, 3])
def test_cervical_with_thoracic_is_one_family(codes, n_upper, n_lower):
    # Cervical and thoracic share one code family (§7, §9): their levels are counted together.
    s = codes(targets=left(*LOWER_CERVICAL[-n_upper:], *UPPER_THORACIC[:n_lower]))
    total = n_upper + n_lower
    assert procedure_codes(s) == family_codes(CERVICAL_THORACIC, total)
    if total >= 3:
        assert third_plus_detail(s, "64492").endswith(
            f"({total - 2} level{'s' if total > 3 else ''} from the third level on)"
        )
        assert has_note(s, "64492", "non-covered", "L38773")
    assert not has_note(s, "code families")


def test_cervical_thoracic_and_lumbar_levels(codes):
    s = codes(targets=left("C7-T1", "T1-T2", "L4-L5", "L5-S1"))
    assert procedure_codes(s) == ["64490", "64491", "64493", "64494"]


def test_the_reported_defect_c7_t1_with_l4_l5(codes):
    # Before the fix: 64490 + 64494, an add-on without its own primary.
    assert procedure_codes(codes(targets=left("C7-T1", "L4-L5"))) == ["64490", "64493"]


# ---- modifiers and units per family --------------------------------------------------------------


def test_bilateral_modifier_is_decided_per_line_in_each_family(codes, targets_bilateral):
    s = codes(targets=[*targets_bilateral("C5-C6", "C6-C7"), {"level": "L4-L5", "side": "right"}])
    assert [(c.code, c.modifiers, c.units) for c in s.procedure_codes] == [
        ("64490", ("50",), 1),
        ("64491", ("50",), 1),
        ("64493", ("RT",), 1),
    ]
    assert has_note(s, "Modifier 50", "RT/LT on two lines")


def test_third_plus_is_one_line_per_family(codes, targets_bilateral):
    s = codes(targets=targets_bilateral("C3-C4", "C4-C5", "C5-C6", "C6-C7", "L2-L3", "L3-L4", "L4-L5"))
    assert [(c.code, c.modifiers, c.units) for c in s.procedure_codes] == [
        ("64490", ("50",), 1),
        ("64491", ("50",), 1),
        ("64492", ("50",), 1),
        ("64493", ("50",), 1),
        ("64494", ("50",), 1),
        ("64495", ("50",), 1),
    ]
    assert third_plus_detail(s, "64492") == "C5-C6, bilateral, C6-C7, bilateral (2 levels from the third level on)"
    assert third_plus_detail(s, "64495") == "L4-L5, bilateral (1 level from the third level on)"
    assert has_note(s, "64492: ", "1 unit") and has_note(s, "64495: ", "1 unit")
    assert has_note(s, "64492, 64495 non-covered under L38773")


def test_two_levels_per_family_have_no_non_covered_note(codes):
    # Four levels in all, but two per family: no 3rd+ code, so nothing non-covered to report.
    s = codes(targets=left("C4-C5", "C5-C6", "L4-L5", "L5-S1"))
    assert procedure_codes(s) == ["64490", "64491", "64493", "64494"]
    assert not has_note(s, "non-covered")


# ---- the reference's exception, exactly as stated ------------------------------------------------


@pytest.mark.parametrize(
    "t12_l1,l1_l2,modifiers",
    [
        (("left", "right"), ("left", "right"), [("50",), ("50",)]),
        (("left",), ("left",), [("LT",), ("LT",)]),
        (("left",), ("left", "right"), [("LT",), ("50",)]),
    ],
)
def test_t12_l1_with_l1_l2_is_64490_plus_64494_whatever_the_sides(codes, t12_l1, l1_l2, modifiers):
    targets = [{"level": "T12-L1", "side": s} for s in t12_l1] + [{"level": "L1-L2", "side": s} for s in l1_l2]
    s = codes(targets=targets)
    assert [(c.code, c.modifiers, c.units) for c in s.procedure_codes] == [
        (code, mods, 1) for code, mods in zip(EXCEPTION_CODES, modifiers, strict=True)
    ]
    assert all((c.source, c.confidence) == ("S1, S4", "C") for c in s.procedure_codes)
    assert not has_note(s, "code families")


def test_the_exception_is_not_generalised_to_other_junction_pairs(codes):
    # T11-T12 + L1-L2 and T12-L1 + L2-L3 also span the families, but the reference names only T12-L1 + L1-2.
    assert procedure_codes(codes(targets=left("T11-T12", "L1-L2"))) == ["64490", "64493"]
    assert procedure_codes(codes(targets=left("T12-L1", "L2-L3"))) == ["64490", "64493"]


# ---- no add-on code without its family's primary, in any session ---------------------------------


def _check_session(levels: tuple[str, ...], codes_: list[str], regions: dict[str, str]) -> None:
    if list(levels) == EXCEPTION_LEVELS:
        assert codes_ == EXCEPTION_CODES
        return
    for family, family_regions in ((CERVICAL_THORACIC, {"cervical", "thoracic"}), (LUMBAR_SACRAL, {"lumbar"})):
        n = sum(regions[lv] in family_regions for lv in levels)
        in_family = [c for c in codes_ if c in family]
        assert in_family == family_codes(family, n), (levels, codes_)
        for add_on in in_family[1:]:
            # The family's primary comes first, before any of its add-ons.
            assert codes_.index(family[0]) < codes_.index(add_on), (levels, codes_)


def test_no_session_yields_an_add_on_without_its_family_s_primary(make_procedure):
    catalog = get_catalog()
    joints = [j.level for j in catalog.joints]
    regions = {j.level: j.region for j in catalog.joints}
    checked = 0
    for n in range(1, 5):  # every set of 1-4 levels the catalog has
        for levels in combinations(joints, n):
            summary = derive_codes(make_procedure(targets=left(*levels)), catalog)
            _check_session(levels, [c.code for c in summary.procedure_codes], regions)
            checked += 1
    assert checked == sum(len(list(combinations(joints, n))) for n in range(1, 5))
