"""Anticoagulant holds that need a laboratory value: warfarin's normal INR, dabigatran's renal hold (ASRA 2018)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from facetdesk.rules.finding import Severity, Status
from tests.builders.records import WHEN, procedure, screened_patient
from tests.rules.rule_runs import one, value

CERVICAL = [{"level": "C5-C6", "side": "left"}]  # intermediate bleeding risk
LUMBAR = [{"level": "L4-L5", "side": "left"}]  # low bleeding risk


def _warfarin(days_held: float = 6, inr_hours_before: float | None = 12, normal: bool | None = True, **more):
    last = WHEN - timedelta(days=days_held)
    fields: dict = {"anticoagulants": [{"agent": "warfarin", "last_dose_at": last}], **more}
    if inr_hours_before is not None:
        fields |= {"inr": 1.1, "inr_taken_at": WHEN - timedelta(hours=inr_hours_before), "inr_normal": normal}
    return screened_patient(**fields)


def _cervical(patient):
    return one("risk.anticoagulant", patient=patient, procedure=procedure(targets=CERVICAL))


def test_the_warfarin_table_entry_asks_for_a_normal_inr_before_an_intermediate_risk_procedure():
    assert value("risk.anticoagulant_hold_hours")["warfarin"]["normal_inr"] == ["intermediate"]


def test_warfarin_held_five_days_with_a_normal_inr_after_the_last_dose_is_met():
    f = _cervical(_warfarin())
    assert (f.status, f.severity) == (Status.MET, Severity.INFO)
    assert "INR 1.1 taken" in f.message and "within the laboratory's normal range" in f.message


def test_warfarin_held_five_days_without_an_inr_is_not_met():
    f = _cervical(_warfarin(inr_hours_before=None))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.WARNING)
    assert "no INR is recorded" in f.message
    assert f.field == ("patient", "inr")
    assert f.needs_acknowledgement


def test_an_inr_outside_the_normal_range_is_critical():
    f = _cervical(_warfarin(normal=False))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert "outside the laboratory's normal range" in f.message


def test_an_inr_from_before_the_last_dose_says_nothing_of_the_hold():
    f = _cervical(_warfarin(days_held=6, inr_hours_before=24 * 7))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.WARNING)
    assert "predates the last dose" in f.message


def test_an_inr_taken_after_the_procedure_does_not_count():
    f = _cervical(_warfarin(inr_hours_before=-2))
    assert f.status == Status.NOT_MET and "after the procedure time" in f.message


def test_a_normal_inr_does_not_excuse_a_hold_that_is_too_short():
    f = _cervical(_warfarin(days_held=4))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)


def test_warfarin_before_a_low_risk_procedure_stays_a_shared_assessment_whatever_the_inr():
    f = one("risk.anticoagulant", patient=_warfarin(), procedure=procedure(targets=LUMBAR))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CAUTION)
    assert "shared assessment" in f.message


# ---- INR recorded whole or not at all -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "where", "words"),
    [
        ({"inr": 1.0, "inr_normal": True}, "inr_taken_at", "when the blood for the INR was taken"),
        ({"inr": 1.0, "inr_taken_at": WHEN}, "inr_normal", "within its normal range"),
        ({"inr_taken_at": WHEN}, "inr_taken_at", "no INR value is recorded"),
        ({"inr_normal": True}, "inr_normal", "no INR value is recorded"),
        ({"inr": 0, "inr_taken_at": WHEN, "inr_normal": True}, "inr", "greater than 0"),
        ({"inr": 25, "inr_taken_at": WHEN, "inr_normal": True}, "inr", "less than or equal to 20"),
    ],
)
def test_an_incomplete_or_impossible_inr_is_refused_naming_the_field(fields, where, words):
    with pytest.raises(ValidationError) as err:
        screened_patient(**fields)
    locations = {e["loc"][0]: e["msg"] for e in err.value.errors()}
    assert where in locations and words in locations[where]


def test_an_inr_taken_in_the_future_is_refused():
    from facetdesk.domain.base import now

    with pytest.raises(ValidationError, match="in the future"):
        screened_patient(inr=1.0, inr_taken_at=now() + timedelta(days=2), inr_normal=True)


# ---- dabigatran: renal impairment lengthens the hold ----------------------------------------------------


def _dabigatran(hours_held: float, renal: bool | None):
    last = WHEN - timedelta(hours=hours_held)
    return screened_patient(anticoagulants=[{"agent": "dabigatran", "last_dose_at": last}], renal_impairment=renal)


def test_the_dabigatran_entry_carries_the_renal_holds_of_the_reference():
    entry = value("risk.anticoagulant_hold_hours")["dabigatran"]
    assert (entry["intermediate"], entry["low"]) == (120, 48)
    assert entry["renal_impairment"] == {"intermediate": 144, "low": 96}
    assert entry["confidence"] == "U"


@pytest.mark.parametrize(
    ("targets", "hours", "renal", "status"),
    [
        (LUMBAR, 60, False, Status.MET),
        (LUMBAR, 60, True, Status.NOT_MET),
        (LUMBAR, 96, True, Status.MET),
        (LUMBAR, 60, None, Status.NOT_EVALUATED),
        (LUMBAR, 100, None, Status.MET),
        (LUMBAR, 40, None, Status.NOT_MET),
        (CERVICAL, 130, False, Status.MET),
        (CERVICAL, 130, True, Status.NOT_MET),
        (CERVICAL, 144, True, Status.MET),
        (CERVICAL, 130, None, Status.NOT_EVALUATED),
    ],
)
def test_dabigatran_hold_follows_renal_function(targets, hours, renal, status):
    f = one("risk.anticoagulant", patient=_dabigatran(hours, renal), procedure=procedure(targets=targets))
    assert f.status == status
    assert f.unconfirmed  # the dabigatran row is [U] in the reference
    if status == Status.NOT_EVALUATED:
        # Held long enough for normal kidneys only: the physician must answer before signing.
        assert f.severity == Severity.WARNING and f.field == ("patient", "renal_impairment")
        assert "renal function is not recorded" in f.message
    if status == Status.NOT_MET:
        assert f.severity == Severity.CRITICAL
    if renal:
        assert "with renal impairment" in f.message


def test_renal_impairment_does_not_change_a_hold_the_reference_gives_no_renal_value_for():
    last = WHEN - timedelta(hours=50)
    patient = screened_patient(anticoagulants=[{"agent": "apixaban", "last_dose_at": last}], renal_impairment=True)
    f = one("risk.anticoagulant", patient=patient, procedure=procedure(targets=LUMBAR))
    assert f.status == Status.MET
