"""Procedure validation: rejected values name the field and say what is allowed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

# ---- pain scores (NRS 0-10) ---------------------------------------------------------------


@pytest.mark.parametrize("nrs,expected", [(11, "must be at most 10"), (-1, "must be at least 0")])
def test_pain_score_outside_0_to_10_is_rejected(procedure_error, nrs, expected):
    err = procedure_error(pain_scores=[{"minutes_after": 15, "nrs": 2}, {"minutes_after": 30, "nrs": nrs}])
    assert err.path == ("pain_scores", 1, "nrs")
    assert err.label == "Pain scores › row 2 › NRS"
    assert err.message == expected


@pytest.mark.parametrize("nrs,expected", [(11, "must be at most 10"), (-1, "must be at least 0")])
def test_pre_procedure_pain_outside_0_to_10_is_rejected(procedure_error, nrs, expected):
    err = procedure_error(pre_procedure_pain=nrs)
    assert err.path == ("pre_procedure_pain",)
    assert err.label == "Pre-injection pain (NRS)"
    assert err.message == expected


@pytest.mark.parametrize("nrs,expected", [(11, "must be at most 10"), (-1, "must be at least 0")])
def test_indication_baseline_pain_outside_0_to_10_is_rejected(procedure_error, nrs, expected):
    err = procedure_error(indication={"baseline_pain": nrs})
    assert err.path == ("indication", "baseline_pain")
    assert err.label == "Indication › Usual pain at evaluation"
    assert err.message == expected


@pytest.mark.parametrize("nrs", [0, 10])
def test_nrs_bounds_0_and_10_are_accepted(make_procedure, nrs):
    p = make_procedure(pre_procedure_pain=nrs, pain_scores=[{"minutes_after": 30, "nrs": nrs}])
    assert p.pre_procedure_pain == nrs
    assert p.pain_scores[0].nrs == nrs


def test_pain_scores_are_sorted_by_time(make_procedure):
    p = make_procedure(
        pain_scores=[{"minutes_after": 240, "nrs": 4}, {"minutes_after": 15, "nrs": 1}, {"minutes_after": 60, "nrs": 2}]
    )
    assert [s.minutes_after for s in p.pain_scores] == [15, 60, 240]


def test_duplicate_pain_score_time_is_rejected(procedure_error):
    err = procedure_error(pain_scores=[{"minutes_after": 30, "nrs": 2}, {"minutes_after": 30, "nrs": 3}])
    assert err.path == ("pain_scores",)
    assert err.label == "Pain scores"
    assert "more than one score at 30 min" in err.message


# ---- medications -----------------------------------------------------------------------------


@pytest.mark.parametrize("volume", [0, -0.5])
def test_zero_or_negative_volume_is_rejected(procedure_error, volume):
    err = procedure_error(medications=[{"agent": "bupivacaine", "concentration_mg_per_ml": 5.0, "volume_ml": volume}])
    assert err.path == ("medications", 0, "volume_ml")
    assert err.label == "Medications › row 1 › Volume (mL)"
    assert err.message == "must be greater than 0"


def test_concentration_the_agent_does_not_come_in_lists_available_strengths(procedure_error):
    # Lidocaine 3% = 30 mg/mL (1% = 10 mg/mL); lidocaine is stocked as 1%, 2% and 4%.
    err = procedure_error(medications=[{"agent": "lidocaine", "concentration_mg_per_ml": 30, "volume_ml": 2}])
    assert err.path == ("medications", 0, "concentration_mg_per_ml")
    assert err.label == "Medications › row 1 › Concentration"
    assert "30 mg/mL is not one of them" in err.message
    assert "1%, 2%, 4%" in err.message
    assert "Lidocaine" in err.message or "lidocaine" in err.message


@pytest.mark.parametrize("agent,mg_per_ml", [("lidocaine", 10), ("lidocaine", 20), ("bupivacaine", 2.5)])
def test_available_strengths_are_accepted(make_procedure, agent, mg_per_ml):
    p = make_procedure(medications=[{"agent": agent, "concentration_mg_per_ml": mg_per_ml, "volume_ml": 1}])
    assert p.medications[0].concentration_mg_per_ml == mg_per_ml


def test_unknown_agent_is_rejected_listing_catalog_agents(procedure_error):
    err = procedure_error(medications=[{"agent": "cocaine", "concentration_mg_per_ml": 40, "volume_ml": 1}])
    assert err.path == ("medications", 0, "agent")
    assert "'cocaine'" in err.message
    assert "lidocaine" in err.message and "bupivacaine" in err.message


def test_per_nerve_volume_on_intra_articular_injection_is_rejected(procedure_error):
    err = procedure_error(
        technique="intra_articular",
        medications=[
            {"agent": "lidocaine", "concentration_mg_per_ml": 10, "volume_ml": 1},
            {"agent": "bupivacaine", "concentration_mg_per_ml": 5, "volume_ml": 0.5, "volume_basis": "per_nerve"},
        ],
    )
    assert err.path == ("medications",)
    assert err.label == "Medications"
    assert "row 2" in err.message
    assert "medial branch blocks and radiofrequency ablation only" in err.message


def test_contrast_agent_listed_while_contrast_is_no_is_rejected(procedure_error):
    err = procedure_error(
        contrast=False, medications=[{"agent": "iohexol", "concentration_mg_per_ml": 300, "volume_ml": 0.5}]
    )
    assert err.path == ("medications",)
    assert "row 1" in err.message
    assert "Contrast is set to no" in err.message


def test_contrast_agent_accepted_when_contrast_is_yes(make_procedure):
    p = make_procedure(
        contrast=True, medications=[{"agent": "iohexol", "concentration_mg_per_ml": 300, "volume_ml": 0.5}]
    )
    # A contrast dose is iodine: 300 mgI/mL x 0.5 mL = 150 mg iodine.
    assert p.medications[0].total_dose_mg(p) == pytest.approx(150)
    assert p.medications[0].catalog_agent().dose_unit == "mg iodine"


# ---- time, targets, diagnoses ---------------------------------------------------------------


def test_procedure_in_the_future_is_rejected(procedure_error, tomorrow):
    err = procedure_error(performed_at=tomorrow)
    assert err.path == ("performed_at",)
    assert err.label == "Date and time of procedure"
    assert "future" in err.message
    assert "time that has passed" in err.message


def test_procedure_a_minute_ahead_is_tolerated_as_clock_skew(make_procedure):
    p = make_procedure(performed_at=datetime.now() + timedelta(minutes=1))
    assert p.performed_at.second == 0 and p.performed_at.microsecond == 0


def test_duplicate_target_is_rejected(procedure_error):
    err = procedure_error(targets=[{"level": "L4-L5", "side": "left"}, {"level": "L4-L5", "side": "left"}])
    assert err.path == ("targets",)
    assert err.label == "Targets"
    assert "L4-L5 left is listed twice" in err.message


@pytest.mark.parametrize("level", ["L5-L6", "C1-C2", "C0-C1", "L4L5", "S1-S2"])
def test_unknown_level_is_rejected_naming_the_allowed_range(procedure_error, level):
    # Anatomy §9: injectable facet joints run C2-C3 to L5-S1; C0-C1 and C1-C2 are other procedures.
    err = procedure_error(targets=[{"level": level, "side": "right"}])
    assert err.path == ("targets", 0, "level")
    assert err.label == "Targets › row 1 › Level"
    assert f"'{level}'" in err.message
    assert "C2-C3 to L5-S1" in err.message


def test_at_least_one_target_is_required(procedure_error):
    err = procedure_error(targets=[])
    assert err.path == ("targets",)
    assert "at least 1" in err.message


def test_unknown_diagnosis_code_is_rejected(procedure_error):
    err = procedure_error(diagnoses=["M47.816", "Z99.999"])
    assert err.path == ("diagnoses",)
    assert err.label == "Diagnoses"
    assert "'Z99.999'" in err.message
    assert "ICD-10-CM" in err.message


def test_known_diagnosis_codes_are_accepted(make_procedure):
    # M47.816 lumbar spondylosis without myelopathy or radiculopathy; M54.2 cervicalgia.
    assert make_procedure(diagnoses=["M47.816", "M54.2"]).diagnoses == ["M47.816", "M54.2"]


def test_duplicate_diagnosis_code_is_rejected(procedure_error):
    err = procedure_error(diagnoses=["M47.816", "M47.816"])
    assert err.path == ("diagnoses",)
    assert "M47.816 is listed twice" in err.message


# ---- indication, complications ---------------------------------------------------------------


def test_disability_score_without_scale_is_rejected(procedure_error):
    err = procedure_error(indication={"disability_score": 42})
    assert err.path == ("indication", "disability_score")
    assert err.label == "Indication › Disability score"
    assert "ODI or NDI" in err.message


def test_disability_score_with_scale_is_accepted(make_procedure):
    p = make_procedure(indication={"disability_scale": "ODI", "disability_score": 42})
    assert p.indication.disability_score == 42


def test_complication_other_without_details_is_rejected(procedure_error):
    err = procedure_error(complications=["vasovagal", "other"], complication_details="  ")
    assert err.path == ("complication_details",)
    assert err.label == "Complication details"
    assert "describe" in err.message
    assert "Other" in err.message


def test_complication_other_with_details_is_accepted(make_procedure):
    p = make_procedure(complications=["other"], complication_details="transient dizziness")
    assert p.complication_details == "transient dizziness"


# ---- botulinum toxin --------------------------------------------------------------------------


def _botox(**site_overrides):
    site = {"muscle": "multifidus_lumbar", "level": "L4", "side": "left", "units": 20}
    site.update(site_overrides)
    return {"product": "onabotulinumtoxinA", "vial_units": 100, "diluent_ml": 2, "sites": [site]}


def test_botox_site_without_units_is_rejected(procedure_error):
    treatment = _botox()
    del treatment["sites"][0]["units"]
    err = procedure_error(botulinum_toxin=treatment)
    assert err.path == ("botulinum_toxin", "sites", 0, "units")
    assert err.label == "Botulinum toxin › Sites › row 1 › Units"
    assert "needs its units" in err.message
    assert "greater than 0" in err.message


def test_botox_site_with_zero_units_is_rejected(procedure_error):
    err = procedure_error(botulinum_toxin=_botox(units=0))
    assert err.path == ("botulinum_toxin", "sites", 0, "units")
    assert err.message == "must be greater than 0"


def test_botox_units_of_two_products_are_not_mixed(procedure_error):
    err = procedure_error(botulinum_toxin=_botox(product="abobotulinumtoxinA"))
    assert err.path == ("botulinum_toxin", "sites")
    assert "abobotulinumtoxinA" in err.message
    assert "onabotulinumtoxinA" in err.message
    assert "cannot be mixed" in err.message


def test_botox_site_naming_the_same_product_is_accepted(make_procedure):
    p = make_procedure(botulinum_toxin=_botox(product="onabotulinumtoxinA"))
    assert p.botulinum_toxin is not None
    assert p.botulinum_toxin.sites[0].product.value == "onabotulinumtoxinA"


def test_botox_totals_and_dilution(make_procedure):
    treatment = _botox()
    treatment["sites"].append({"muscle": "longissimus_lumbar", "level": "L5", "side": "right", "units": 15})
    p = make_procedure(botulinum_toxin=treatment)
    # 20 + 15 units; 100 units in 2 mL = 50 units/mL.
    assert p.botulinum_toxin.total_units == 35
    assert p.botulinum_toxin.units_per_ml == 50


@pytest.mark.parametrize("field,value,fragment", [("muscle", "biceps", "muscle catalog"), ("level", "L6", "L6")])
def test_botox_site_muscle_and_vertebra_must_be_known(procedure_error, field, value, fragment):
    err = procedure_error(botulinum_toxin=_botox(**{field: value}))
    assert err.path == ("botulinum_toxin", "sites", 0, field)
    assert fragment in err.message


def test_complication_other_with_details_left_out_is_rejected(procedure_error):
    err = procedure_error(complications=["other"])
    assert err.path == ("complication_details",)
    assert "describe the complication" in err.message


def test_time_with_utc_offset_is_converted_to_local_time(make_procedure):
    aware = datetime(2024, 3, 14, 9, 30).astimezone()  # local time with its offset attached
    p = make_procedure(performed_at=aware.isoformat())
    assert p.performed_at.tzinfo is None
    assert p.performed_at == datetime(2024, 3, 14, 9, 30)


def test_future_time_with_offset_is_a_field_error_not_a_crash(procedure_error):
    future = (datetime.now() + timedelta(days=2)).astimezone().isoformat()
    err = procedure_error(performed_at=future)
    assert err.path == ("performed_at",)
    assert "in the future" in err.message
