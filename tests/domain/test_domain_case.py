"""Case file: a patient, one procedure and prior procedures, serialised as JSON."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from facetdesk.domain.case import CaseFile, check_procedure_for_patient
from facetdesk.domain.errors import InvalidRecord, field_errors


@pytest.fixture
def full_procedure(make_procedure, targets_bilateral):
    return make_procedure(
        uid="proc-current",
        performed_at=datetime(2024, 3, 14, 9, 30),
        indication={
            "pain_duration_months": 9,
            "conservative_care": ["nsaids", "physical_therapy"],
            "baseline_pain": 7,
            "disability_scale": "ODI",
            "disability_score": 38,
        },
        diagnoses=["M47.816"],
        contrast=True,
        sedation="minimal",
        targets=targets_bilateral("L4-L5", "L5-S1"),
        medications=[
            {"agent": "bupivacaine", "concentration_mg_per_ml": 5.0, "volume_ml": 0.5, "volume_basis": "per_nerve"},
            {"agent": "iohexol", "concentration_mg_per_ml": 300, "volume_ml": 0.3, "volume_basis": "per_nerve"},
        ],
        botulinum_toxin={
            "product": "onabotulinumtoxinA",
            "vial_units": 100,
            "diluent_ml": 2,
            "sites": [{"muscle": "multifidus_lumbar", "level": "L4", "side": "left", "units": 20}],
        },
        pre_procedure_pain=7,
        pain_scores=[{"minutes_after": 15, "nrs": 1, "activity": "standing"}, {"minutes_after": 60, "nrs": 2}],
        complications=["other"],
        complication_details="brief light-headedness",
        disposition="home_with_escort",
        notes="Synthetic test record.",
    )


def test_case_file_json_round_trip(make_patient, make_procedure, full_procedure):
    patient = make_patient(
        anticoagulants=[{"agent": "clopidogrel", "last_dose_at": datetime(2024, 3, 7, 8, 0)}],
        allergies=["latex"],
        diabetes=True,
    )
    prior = make_procedure(uid="proc-prior", performed_at=datetime(2023, 11, 2, 14, 0), technique="intra_articular")
    case = CaseFile(patient=patient, procedure=full_procedure, prior_procedures=[prior])
    restored = CaseFile.model_validate_json(case.model_dump_json())
    assert restored == case
    assert restored.procedure.nerves() == case.procedure.nerves()
    assert restored.format == "facetdesk-case" and restored.format_version == 3


def test_procedure_before_date_of_birth_is_rejected(make_patient, make_procedure):
    patient = make_patient(date_of_birth=date(2000, 5, 20))
    procedure = make_procedure(performed_at=datetime(2000, 5, 19, 10, 0))
    with pytest.raises(ValidationError) as info:
        CaseFile(patient=patient, procedure=procedure)
    messages = " ".join(e.message for e in field_errors(info.value))
    # performed_at, by its readable label, and both dates are named.
    assert "Date and time of procedure" in messages
    assert "2000-05-19" in messages
    assert "2000-05-20" in messages
    assert "date of birth" in messages


def test_prior_procedure_before_date_of_birth_is_rejected(make_patient, make_procedure):
    patient = make_patient(date_of_birth=date(2000, 5, 20))
    prior = make_procedure(uid="old", performed_at=datetime(1999, 1, 1, 10, 0))
    with pytest.raises(ValidationError) as info:
        CaseFile(patient=patient, procedure=make_procedure(uid="new"), prior_procedures=[prior])
    [err] = field_errors(info.value)
    assert err.path == ("prior_procedures",)
    messages = str(err)
    assert "Prior procedures: row 1: Date and time of procedure" in messages
    assert "1999-01-01" in messages and "2000-05-20" in messages


def test_procedure_on_the_day_of_birth_is_accepted(make_patient, make_procedure):
    patient = make_patient(date_of_birth=date(2000, 5, 20))
    case = CaseFile(patient=patient, procedure=make_procedure(performed_at=datetime(2000, 5, 20, 23, 0)))
    assert case.procedure.performed_at.date() == date(2000, 5, 20)


def test_check_procedure_for_patient_reports_the_field_path(make_patient, make_procedure):
    patient = make_patient(date_of_birth=date(2000, 5, 20))
    with pytest.raises(InvalidRecord) as info:
        check_procedure_for_patient(patient, make_procedure(performed_at=datetime(1999, 12, 31, 8, 0)))
    [err] = info.value.errors
    assert err.path == ("performed_at",)
    assert "1999-12-31" in err.message and "2000-05-20" in err.message


def test_prior_procedure_with_the_same_uid_is_rejected(make_patient, make_procedure):
    current = make_procedure(uid="same-uid")
    prior = make_procedure(uid="same-uid", performed_at=datetime(2023, 1, 5, 9, 0))
    with pytest.raises(ValidationError) as info:
        CaseFile(patient=make_patient(), procedure=current, prior_procedures=[prior])
    [err] = field_errors(info.value)
    assert err.path == ("prior_procedures",)
    messages = str(err)
    assert "Prior procedures: row 1 is the same procedure (uid)" in messages
    assert "same procedure" in messages


def test_distinct_uids_are_generated_for_new_procedures(make_patient, make_procedure):
    a, b = make_procedure(), make_procedure()
    assert a.uid != b.uid
    assert CaseFile(patient=make_patient(), procedure=a, prior_procedures=[b]).prior_procedures == [b]


def test_unknown_field_in_a_case_file_is_rejected(make_patient, make_procedure):
    data = CaseFile(patient=make_patient(), procedure=make_procedure()).model_dump(mode="json")
    data["patient"]["ssn"] = "000-00-0000"
    with pytest.raises(ValidationError) as info:
        CaseFile.model_validate(data)
    [err] = field_errors(info.value)
    assert err.path == ("patient", "ssn")
    assert err.message == "is not a field FacetDesk knows"
