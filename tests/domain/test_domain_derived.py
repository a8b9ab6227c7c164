"""Derived values of a procedure: blocked nerves, doses, laterality, regions, target order.

Expected nerves come from clinical-facts.md §9 (standard anatomy, SIS technique), not from spine.json.
"""

from __future__ import annotations

import pytest

from facetdesk.domain.enums import Side

L, R = Side.LEFT, Side.RIGHT


@pytest.mark.parametrize(
    "level,expected",
    [
        # Lumbar Ln-Ln+1: medial branches of Ln-1 and Ln.
        ("L4-L5", ["L3 medial branch", "L4 medial branch"]),
        ("L3-L4", ["L2 medial branch", "L3 medial branch"]),
        # L5-S1: L4 medial branch and the L5 dorsal ramus.
        ("L5-S1", ["L4 medial branch", "L5 dorsal ramus"]),
        # C2-C3: the third occipital nerve.
        ("C2-C3", ["third occipital nerve"]),
        # Cervical Cn-Cn+1: Cn and Cn+1 medial branches.
        ("C5-C6", ["C5 medial branch", "C6 medial branch"]),
        ("C7-T1", ["C7 medial branch", "C8 medial branch"]),
        # Thoracic (tagged U): T1-T2 by C8 and T1.
        ("T1-T2", ["C8 medial branch", "T1 medial branch"]),
    ],
)
def test_mbb_nerves_follow_the_anatomy(make_procedure, level, expected):
    p = make_procedure(targets=[{"level": level, "side": "right"}])
    assert sorted(p.nerves()) == sorted((n, R) for n in expected)


def test_shared_nerve_is_counted_once_per_side(make_procedure, targets_bilateral):
    # L4-L5 (L3, L4 MB) + L5-S1 (L4 MB, L5 DR) share the L4 MB: 3 nerves per side, 6 in all.
    p = make_procedure(targets=targets_bilateral("L4-L5", "L5-S1"))
    nerves = p.nerves()
    per_side = {"L3 medial branch", "L4 medial branch", "L5 dorsal ramus"}
    assert len(nerves) == 6
    assert len(set(nerves)) == 6
    assert {n for n, s in nerves if s == L} == per_side
    assert {n for n, s in nerves if s == R} == per_side


def test_nerves_on_one_side_are_not_shared_with_the_other(make_procedure):
    p = make_procedure(targets=[{"level": "L4-L5", "side": "left"}, {"level": "L5-S1", "side": "right"}])
    assert set(p.nerves()) == {
        ("L3 medial branch", L),
        ("L4 medial branch", L),
        ("L4 medial branch", R),
        ("L5 dorsal ramus", R),
    }


def test_intra_articular_injection_blocks_no_nerves(make_procedure, targets_bilateral):
    p = make_procedure(technique="intra_articular", targets=targets_bilateral("L4-L5", "L5-S1"))
    assert p.nerves() == []


# ---- doses ---------------------------------------------------------------------------------


def _med(agent, mg_per_ml, volume, basis):
    return {"agent": agent, "concentration_mg_per_ml": mg_per_ml, "volume_ml": volume, "volume_basis": basis}


def test_per_nerve_dose_multiplies_by_the_number_of_nerves(make_procedure, targets_bilateral):
    # Bupivacaine 0.5% = 5 mg/mL; 6 nerves (see above) x 0.5 mL x 5 mg/mL = 15 mg in 3 mL.
    p = make_procedure(
        targets=targets_bilateral("L4-L5", "L5-S1"), medications=[_med("bupivacaine", 5.0, 0.5, "per_nerve")]
    )
    med = p.medications[0]
    assert med.multiplier(p) == 6
    assert med.total_volume_ml(p) == pytest.approx(3.0)
    assert med.total_dose_mg(p) == pytest.approx(15.0)
    assert p.doses_by_agent() == {"bupivacaine": pytest.approx(15.0)}


def test_per_joint_dose_multiplies_by_the_number_of_targets(make_procedure, targets_bilateral):
    # 4 targets (2 levels x 2 sides) x 1 mL x 10 mg/mL (lidocaine 1%) = 40 mg.
    p = make_procedure(
        technique="intra_articular",
        targets=targets_bilateral("L3-L4", "L4-L5"),
        medications=[_med("lidocaine", 10, 1, "per_joint")],
    )
    assert p.medications[0].multiplier(p) == 4
    assert p.medications[0].total_dose_mg(p) == pytest.approx(40.0)


def test_total_dose_is_concentration_times_volume(make_procedure, targets_bilateral):
    # 2.5 mL total of lidocaine 2% (20 mg/mL) = 50 mg regardless of how many joints.
    p = make_procedure(targets=targets_bilateral("L4-L5", "L5-S1"), medications=[_med("lidocaine", 20, 2.5, "total")])
    assert p.medications[0].multiplier(p) == 1
    assert p.medications[0].total_dose_mg(p) == pytest.approx(50.0)


def test_doses_of_the_same_agent_are_summed(make_procedure, targets_bilateral):
    # 40 mg/mL triamcinolone: 1 mL total = 40 mg; plus 0.25 mL per joint x 2 joints x 40 = 20 mg -> 60 mg.
    # Bupivacaine 0.25% (2.5 mg/mL) 2 mL total = 5 mg.
    p = make_procedure(
        technique="intra_articular",
        targets=targets_bilateral("L4-L5"),
        medications=[
            _med("triamcinolone_acetonide", 40, 1, "total"),
            _med("bupivacaine", 2.5, 2, "total"),
            _med("triamcinolone_acetonide", 40, 0.25, "per_joint"),
        ],
    )
    assert p.doses_by_agent() == {
        "triamcinolone_acetonide": pytest.approx(60.0),
        "bupivacaine": pytest.approx(5.0),
    }


def test_medication_description_uses_the_strength_label(make_procedure):
    p = make_procedure(medications=[_med("bupivacaine", 5.0, 0.5, "per_nerve")])
    text = p.medications[0].describe()
    assert "0.5%" in text
    assert "0.5 mL per nerve" in text


# ---- laterality, regions, order ---------------------------------------------------------------


@pytest.mark.parametrize(
    "targets,expected",
    [
        ([("L4-L5", "left"), ("L4-L5", "right"), ("L5-S1", "left"), ("L5-S1", "right")], "bilateral"),
        ([("L4-L5", "left"), ("L5-S1", "left")], "left"),
        ([("C5-C6", "right")], "right"),
        ([("L4-L5", "left"), ("L4-L5", "right"), ("L5-S1", "left")], "mixed"),
        ([("L4-L5", "left"), ("L5-S1", "right")], "mixed"),
    ],
)
def test_laterality(make_procedure, targets, expected):
    p = make_procedure(targets=[{"level": lv, "side": s} for lv, s in targets])
    assert p.laterality() == expected


def test_regions_follow_the_joints(make_procedure):
    p = make_procedure(
        targets=[
            {"level": "L1-L2", "side": "left"},
            {"level": "C7-T1", "side": "left"},
            {"level": "T12-L1", "side": "left"},
            {"level": "T1-T2", "side": "left"},
        ]
    )
    assert p.regions() == ["cervical", "thoracic", "lumbar"]


def test_single_region(make_procedure, targets_bilateral):
    assert make_procedure(targets=targets_bilateral("L4-L5", "L5-S1")).regions() == ["lumbar"]


def test_targets_are_sorted_top_to_bottom(make_procedure):
    p = make_procedure(
        targets=[
            {"level": "L5-S1", "side": "right"},
            {"level": "C5-C6", "side": "left"},
            {"level": "T10-T11", "side": "right"},
            {"level": "L5-S1", "side": "left"},
            {"level": "T2-T3", "side": "left"},
        ]
    )
    # Top to bottom by spinal level (T2-T3 above T10-T11, not string order); left before right.
    assert [str(t) for t in p.targets] == [
        "C5-C6 left",
        "T2-T3 left",
        "T10-T11 right",
        "L5-S1 left",
        "L5-S1 right",
    ]
    assert p.levels() == ["C5-C6", "T2-T3", "T10-T11", "L5-S1"]
