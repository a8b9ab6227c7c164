"""Starting from a previous procedure copies its structure but never its scores, dates or sign-offs."""

from __future__ import annotations

from datetime import datetime

from facetdesk.domain.copy_forward import start_from
from facetdesk.domain.procedure import ExclusionCheck, Procedure


def _previous() -> Procedure:
    return Procedure(
        performed_at=datetime(2026, 5, 1, 9, 0),
        physician="Dr. Before",
        technique="medial_branch_block",
        intent="diagnostic_first",
        guidance="fluoroscopy",
        contrast=True,
        targets=[{"level": "L4-L5", "side": "left"}, {"level": "L4-L5", "side": "right"}],
        diagnoses=["M47.816"],
        indication={
            "pain_duration_months": 8,
            "conservative_care": ["nsaids"],
            "baseline_pain": 7,
            "disability_scale": "ODI",
            "disability_score": 40,
        },  # fmt: skip
        medications=[
            {"agent": "bupivacaine", "concentration_mg_per_ml": 5, "volume_ml": 0.5, "volume_basis": "per_nerve"}
        ],  # fmt: skip
        pre_procedure_pain=8,
        pain_scores=[{"minutes_after": 30, "nrs": 1}],
        consent_obtained=True,
        time_out_performed=True,
        findings="Hypertrophic facets.",
        notes="Tolerated well.",
        complications=["vasovagal"],
        overrides=[
            {
                "rule": "lcd.imaging",
                "reason": "x",
                "acknowledged_by": "Dr. Before",
                "acknowledged_at": "2026-05-01T09:10",
            }
        ],  # fmt: skip
    )


def test_structure_is_copied():
    data = start_from(_previous())
    assert data["technique"] == "medial_branch_block" and data["guidance"] == "fluoroscopy"
    assert [(t["level"], t["side"]) for t in data["targets"]] == [("L4-L5", "left"), ("L4-L5", "right")]
    assert data["medications"][0]["agent"] == "bupivacaine"
    assert data["diagnoses"] == ["M47.816"]
    assert data["indication"]["conservative_care"] == ["nsaids"] and data["indication"]["pain_scale"] == "NRS"


def test_scores_dates_free_text_and_sign_offs_are_never_copied():
    data = start_from(_previous())
    for key in ("performed_at", "pain_scores", "pre_procedure_pain", "overrides", "consent_obtained",
                "time_out_performed", "findings", "notes", "complications", "id", "uid", "version"):  # fmt: skip
        assert key not in data, key
    assert "baseline_pain" not in data["indication"] and "disability_score" not in data["indication"]


def test_the_copy_is_a_valid_new_procedure_once_dated():
    data = start_from(_previous())
    new = Procedure.model_validate({**data, "performed_at": datetime(2026, 9, 1, 9, 0)})
    assert new.uid != _previous().uid and new.pain_scores == [] and new.overrides == []


def test_the_lcd_exclusion_answers_are_asked_again_not_copied():
    """A patient's radiculopathy or fusion can change between visits: yesterday's 'no' is not today's fact."""
    previous = _previous()
    answered = previous.model_copy(
        update={
            "indication": previous.indication.model_copy(
                update={"exclusions": [ExclusionCheck(key="prior_alif", answer="absent")]}
            )
        }
    )
    assert "exclusions" not in start_from(answered)["indication"]


def test_how_it_is_usually_done_carries_over_but_never_what_was_observed():
    documented = Procedure.model_validate({
        **_previous().model_dump(),
            "documentation": {
                "risks_discussed": True, "sterile_drape": True, "monitoring": ["pulse_oximetry"],
                "views": ["ap", "lateral"], "approach": "lateral", "aspiration": "negative",
                "fluoroscopy_seconds": 40, "radiation_dose": 2.5, "radiation_dose_unit": "air_kerma_mgy",
                "images_saved": True, "neuro_check": "at_baseline", "tolerance": "well",
            },
    })  # fmt: skip
    doc = start_from(documented)["documentation"]
    assert {k: (v.value if hasattr(v, "value") else v) for k, v in doc.items() if not isinstance(v, list)} == {
        "sterile_drape": True, "approach": "lateral", "radiation_dose_unit": "air_kerma_mgy"
    }  # fmt: skip
    assert [v.value for v in doc["views"]] == ["ap", "lateral"] and len(doc["monitoring"]) == 1


def test_a_repeat_ablation_starts_with_the_settings_but_not_what_stimulation_showed():
    from tests.builders.records import procedure

    previous = procedure(
        technique="radiofrequency_ablation",
        intent="therapeutic",
        radiofrequency={"method": "conventional", "cannula_gauge": 18, "active_tip_mm": 10, "temperature_c": 80,
                        "seconds_per_lesion": 90, "lesions_per_nerve": 2, "sensory_threshold_v": 0.4,
                        "motor_test": "no_radicular_response"},
    )  # fmt: skip
    rf = start_from(previous)["radiofrequency"]
    assert rf["temperature_c"] == 80 and rf["cannula_gauge"] == 18 and rf["lesions_per_nerve"] == 2
    assert "sensory_threshold_v" not in rf and "motor_test" not in rf
    again = Procedure.model_validate({**start_from(previous), "performed_at": datetime(2025, 1, 2, 9, 0)})
    assert again.radiofrequency is not None and again.radiofrequency.sensory_threshold_v is None
    assert start_from(procedure())["radiofrequency"] is None
