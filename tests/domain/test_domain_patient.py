"""Patient validation: each rejected value names its field and says what is allowed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from pydantic import ValidationError

from facetdesk.domain.errors import field_errors
from facetdesk.domain.patient import Patient


@pytest.mark.parametrize("mrn", ["TEST-0001", "12345", "a", "X" * 32, "  MRN-7  "])
def test_valid_mrns_are_accepted(make_patient, mrn):
    assert make_patient(mrn=mrn).mrn == mrn.strip()


@pytest.mark.parametrize(
    "mrn",
    ["", "-0001", "MRN 0001", "MRN_0001", "MRN/0001", "X" * 33],
    ids=["empty", "leading-hyphen", "space", "underscore", "slash", "33-chars"],
)
def test_malformed_mrn_is_rejected_with_the_allowed_format(patient_error, mrn):
    err = patient_error(mrn=mrn)
    assert err.path == ("mrn",)
    assert err.label == "MRN"
    assert "letters, digits or hyphens" in err.message
    assert "1-32" in err.message


@pytest.mark.parametrize("field,label", [("family_name", "Family name"), ("given_name", "Given name")])
@pytest.mark.parametrize("value", ["", "   "])
def test_names_are_required(patient_error, field, label, value):
    err = patient_error(**{field: value})
    assert err.path == (field,)
    assert err.label == label
    assert err.message == "is required"


def test_names_are_stripped_and_displayed_family_first(make_patient):
    p = make_patient(family_name="  Doe ", given_name=" Jan ")
    assert p.display_name == "Doe, Jan"


def test_date_of_birth_in_the_future_is_rejected(patient_error):
    future = date.today() + timedelta(days=1)
    err = patient_error(date_of_birth=future)
    assert err.path == ("date_of_birth",)
    assert err.label == "Date of birth"
    assert future.isoformat() in err.message
    assert "future" in err.message


def test_date_of_birth_today_is_accepted(make_patient):
    assert make_patient(date_of_birth=date.today()).date_of_birth == date.today()


def test_date_of_birth_before_1900_is_rejected_naming_the_earliest_date(patient_error):
    err = patient_error(date_of_birth=date(1899, 12, 31))
    assert err.path == ("date_of_birth",)
    assert err.label == "Date of birth"
    assert "1900-01-01" in err.message
    assert "1899-12-31" in err.message


def test_date_of_birth_on_1900_01_01_is_accepted(make_patient):
    assert make_patient(date_of_birth=date(1900, 1, 1)).date_of_birth == date(1900, 1, 1)


@pytest.mark.parametrize("weight", [0, -1, -70.5])
def test_weight_must_be_positive(patient_error, weight):
    err = patient_error(weight_kg=weight)
    assert err.path == ("weight_kg",)
    assert err.label == "Weight (kg)"
    assert err.message == "must be greater than 0"


def test_weight_may_be_left_unrecorded(make_patient):
    assert make_patient(weight_kg=None).weight_kg is None


def test_pregnancy_with_sex_male_is_rejected(patient_error):
    err = patient_error(sex="male", pregnant=True)
    assert err.path == ("pregnant",)
    assert err.label == "Pregnancy"
    assert "male" in err.message
    assert "cannot be yes" in err.message


@pytest.mark.parametrize("sex", ["female", "other", "unknown"])
def test_pregnancy_allowed_unless_sex_is_male(make_patient, sex):
    assert make_patient(sex=sex, pregnant=True).pregnant is True


def test_not_pregnant_is_fine_for_a_male_patient(make_patient):
    assert make_patient(sex="male", pregnant=False).pregnant is False


def test_duplicate_anticoagulant_is_rejected(patient_error):
    err = patient_error(anticoagulants=[{"agent": "warfarin"}, {"agent": "apixaban"}, {"agent": "warfarin"}])
    assert err.path == ("anticoagulants",)
    assert err.label == "Anticoagulants"
    assert "warfarin" in err.message
    assert "more than once" in err.message
    assert "apixaban" not in err.message


def test_unknown_anticoagulant_key_is_rejected_listing_allowed_keys(patient_error):
    err = patient_error(anticoagulants=[{"agent": "rat_poison"}])
    assert err.path == ("anticoagulants", 0, "agent")
    assert err.label == "Anticoagulants › row 1 › Agent"
    assert "'rat_poison'" in err.message
    assert "allowed:" in err.message
    for key in ("warfarin", "clopidogrel", "apixaban", "rivaroxaban"):
        assert key in err.message


def test_anticoagulant_last_dose_in_the_future_is_rejected(patient_error, tomorrow):
    err = patient_error(anticoagulants=[{"agent": "clopidogrel", "last_dose_at": tomorrow}])
    assert err.path == ("anticoagulants", 0, "last_dose_at")
    assert err.label == "Anticoagulants › row 1 › Last dose"
    assert "future" in err.message
    assert "time that has passed" in err.message


def test_anticoagulant_last_dose_in_the_past_is_kept(make_patient):
    when = datetime(2024, 3, 10, 8, 0)
    p = make_patient(anticoagulants=[{"agent": "clopidogrel", "last_dose_at": when}])
    assert p.anticoagulants[0].last_dose_at == when


def test_duplicate_allergies_are_rejected_case_insensitively(patient_error):
    err = patient_error(allergies=["Penicillin", "latex", "penicillin"])
    assert err.path == ("allergies",)
    assert err.label == "Allergies"
    assert "penicillin" in err.message.lower()
    assert "twice" in err.message


def test_blank_allergy_entries_are_dropped(make_patient):
    assert make_patient(allergies=["Latex", "  ", ""]).allergies == ["Latex"]


def test_every_error_is_reported_not_just_the_first():
    data = {"mrn": "bad mrn", "family_name": "", "given_name": "Alex", "date_of_birth": date(1899, 1, 1)}
    with pytest.raises(ValidationError) as info:
        Patient.model_validate(data)
    paths = {e.path for e in field_errors(info.value)}
    assert paths == {("mrn",), ("family_name",), ("date_of_birth",)}


def test_age_on_counts_completed_years(make_patient):
    p = make_patient(date_of_birth=date(1970, 6, 15))
    # 2024-06-14 is one day before the 54th birthday (2024 - 1970 = 54).
    assert p.age_on(date(2024, 6, 14)) == 53
    assert p.age_on(date(2024, 6, 15)) == 54
