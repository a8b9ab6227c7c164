"""Catalog data in resources/: anatomy, strengths, thresholds, each with its source."""

from __future__ import annotations

import json

import pytest

from facetdesk.domain.catalog import get_catalog
from facetdesk.resources import resources_dir


def _expected_levels() -> list[str]:
    # Anatomy §9: injectable facet joints C2-C3..C7-T1, T1-T2..T12-L1, L1-L2..L5-S1.
    vertebrae = [f"C{i}" for i in range(2, 8)] + [f"T{i}" for i in range(1, 13)] + [f"L{i}" for i in range(1, 6)]
    vertebrae.append("S1")
    return [f"{upper}-{lower}" for upper, lower in zip(vertebrae, vertebrae[1:], strict=False)]


def test_joint_levels_run_c2_c3_to_l5_s1_in_anatomical_order():
    expected = _expected_levels()
    # 6 cervical (C2-C3..C7-T1) + 12 thoracic (T1-T2..T12-L1) + 5 lumbar (L1-L2..L5-S1) = 23.
    assert len(expected) == 6 + 12 + 5 == 23
    assert [j.level for j in get_catalog().joints] == expected


def test_region_counts_follow_the_anatomy():
    regions = [j.region for j in get_catalog().joints]
    assert (regions.count("cervical"), regions.count("thoracic"), regions.count("lumbar")) == (6, 12, 5)


def test_every_joint_in_spine_json_has_nerves_and_a_region():
    raw = json.loads((resources_dir() / "spine.json").read_text(encoding="utf-8"))
    assert raw["joints"]
    for joint in raw["joints"]:
        assert joint["nerves"], joint["level"]
        assert all(isinstance(n, str) and n.strip() for n in joint["nerves"]), joint["level"]
        assert joint["region"] in ("cervical", "thoracic", "lumbar"), joint["level"]
        assert joint.get("source"), joint["level"]


def test_region_matches_the_upper_vertebra():
    names = {"C": "cervical", "T": "thoracic", "L": "lumbar"}
    for j in get_catalog().joints:
        assert j.region == names[j.level[0]], j.level


def test_thoracic_innervation_is_flagged_unconfirmed():
    # Anatomy §9 tags thoracic innervation [U]: the catalog must not claim more certainty.
    for j in get_catalog().joints:
        if j.region == "thoracic":
            assert j.confidence == "U", j.level


def test_every_drug_strength_has_a_confidence_tag():
    agents = get_catalog().agents
    assert agents
    for agent in agents:
        assert agent.strengths, agent.key
        for s in agent.strengths:
            assert s.confidence in ("C", "S", "U"), (agent.key, s.label)
            assert s.mg_per_ml > 0


@pytest.mark.parametrize(
    "agent,percent", [("lidocaine", 1), ("lidocaine", 2), ("bupivacaine", 0.25), ("bupivacaine", 0.5)]
)
def test_percent_strengths_equal_ten_mg_per_ml_per_percent(agent, percent):
    # 1% w/v = 1 g/100 mL = 10 mg/mL.
    strength = get_catalog().agent(agent).strength(percent * 10)
    assert strength is not None
    assert strength.label == f"{percent:g}%"


def test_every_threshold_has_a_source_and_confidence():
    thresholds = get_catalog().thresholds
    assert thresholds
    for t in thresholds:
        assert t.source.strip(), t.key
        assert t.confidence in ("C", "S", "U"), t.key


def test_relief_thresholds_match_the_lcd():
    # CMS LCD L38773: >=80% relief for a positive diagnostic block; >=50% for repeat therapy.
    catalog = get_catalog()
    assert catalog.threshold("relief.positive_block_pct").value == 80
    assert catalog.threshold("relief.meaningful_pct").value == 50
    with pytest.raises(KeyError):
        catalog.threshold("no.such.threshold")


def test_vertebrae_cover_every_joint_endpoint():
    catalog = get_catalog()
    for j in catalog.joints:
        upper, lower = j.level.split("-")
        assert upper in catalog.vertebrae and lower in catalog.vertebrae


def test_every_muscle_region_is_a_spinal_region():
    catalog = get_catalog()
    for region in ("cervical", "thoracic", "lumbar"):
        assert catalog.muscles_for(region), region
    # Anatomy §9: multifidus and quadratus lumborum are lumbar paraspinal sites.
    lumbar = {m.key for m in catalog.muscles_for("lumbar")}
    assert {"multifidus_lumbar", "quadratus_lumborum"} <= lumbar
